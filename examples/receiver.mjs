// A Dfns webhook receiver done right, in plain Node: the stand-in for "your app" in the README's
// CI job (and a reference). It verifies the raw body bytes with a constant-time comparison,
// refuses stale timestamps, answers fast, and treats redeliveries as duplicates.
//   DFNS_WEBHOOK_SECRET=... PORT=3000 node examples/receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.DFNS_WEBHOOK_SECRET;
if (!secret) {
  console.error('set DFNS_WEBHOOK_SECRET');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3000);
const seen = new Set(); // event ids already processed (use your database in real life)

function verify(raw, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const received = Buffer.from(String(header ?? ''));
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return 'bad signature';
  let event;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof event.timestampSent !== 'number' || Math.abs(Date.now() / 1000 - event.timestampSent) >= 300) return 'stale timestamp';
  return event;
}

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhooks') return res.writeHead(404).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const event = verify(Buffer.concat(chunks), req.headers['x-dfns-webhook-signature']);
    if (typeof event === 'string') return res.writeHead(401, { 'content-type': 'text/plain' }).end(event);
    if (!seen.has(event.id)) {
      seen.add(event.id);
      // queue the real work here; answer now
    }
    res.writeHead(200).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver on http://127.0.0.1:${port}/webhooks`));
