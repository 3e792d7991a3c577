// The "public" side of a stand-in tunnel (ssh, cloudflared): an HTTPS server on 127.0.0.1 with a
// test-only certificate for localhost (whk trusts it through NODE_EXTRA_CA_CERTS), relaying each
// request to the listener byte for byte, or, with reserialize, its JSON body parsed and written
// again with other spacing (as a relay such as smee does). Plain node: stand-ins run without vitest.
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { createServer } from 'node:https';

const here = (name) => new URL(name, import.meta.url);
export const TLS = { cert: readFileSync(here('localhost-test-only.crt')), key: readFileSync(here('localhost-test-only.key')) };
export const CA_FILE = fileURLToPath(here('localhost-test-only.crt'));

/** Starts the relay to host:port; resolves with its origin, https://localhost:<port>, and a close(). */
export function startRelay(target, { reserialize = false } = {}) {
  const server = createServer(TLS, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (reserialize && body.length > 0) body = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1));
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const out = request({ host: target.host, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('relay: the listener did not answer\n')));
      out.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `https://localhost:${server.address().port}`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  })));
}

/** Appends a JSON line to the log the test reads (argv, pid, what was printed). */
export function logLine(record) {
  if (process.env.STANDIN_LOG) appendFileSync(process.env.STANDIN_LOG, `${JSON.stringify({ pid: process.pid, ...record })}\n`);
}
