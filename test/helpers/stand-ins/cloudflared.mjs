// A stand-in for `cloudflared tunnel --url <local>` (a quick tunnel), for tests: it opens the
// "public" side (relay.mjs) to the --url target and logs the URL in cloudflared's box, on stderr
// as cloudflared does. STANDIN_LOG: one JSON line per run (argv, pid, url). STANDIN_REFUSE=<text>:
// an error line, exit 1.
import { logLine, startRelay } from './relay.mjs';

const argv = process.argv.slice(2);
logLine({ argv });
const at = '2025-01-01T00:00:00Z';
const log = (level, text) => process.stderr.write(`${at} ${level} ${text}\n`);
log('INF', 'Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out.');
log('INF', 'Requesting new quick Tunnel on trycloudflare.com...');
if (process.env.STANDIN_REFUSE) {
  log('ERR', process.env.STANDIN_REFUSE);
  process.exit(1);
}
const target = new URL(argv[argv.indexOf('--url') + 1]);
const relay = await startRelay({ host: target.hostname, port: Number(target.port) });
logLine({ url: relay.origin });
const box = (text) => `|  ${text.padEnd(90)}  |`;
log('INF', `+${'-'.repeat(94)}+`);
log('INF', box('Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):'));
log('INF', box(relay.origin));
log('INF', `+${'-'.repeat(94)}+`);
log('INF', 'Registered tunnel connection connIndex=0 location=test protocol=quic');
process.on('SIGTERM', () => relay.close().then(() => process.exit(0)));
// A test that failed may leave a stand-in behind (its whk killed with SIGKILL): it goes after a minute.
setTimeout(() => process.exit(0), 60_000).unref();
