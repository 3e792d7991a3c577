// A stand-in for OpenSSH's `ssh -R` to a tunnel service (localhost.run, Pinggy), for tests: it
// checks the host key as ssh does against the known_hosts file and StrictHostKeyChecking whk
// passes (ssh's own messages on failure), opens the "public" side (relay.mjs) to the -R target,
// and prints the URL the way the service does. It runs until it is killed.
// Environment: STANDIN_LOG (a file: one JSON line per run: argv, pid, url), STANDIN_IMPOSTOR=1
// (the server shows another host key), STANDIN_REFUSE=<text> (the service refuses: printed, exit
// 255), STANDIN_RESERIALIZE=1 (the relay re-encodes JSON bodies).
import { appendFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { logLine, startRelay } from './relay.mjs';

/** The keys the stand-in "servers" show: localhost.run's published one, a test key for the others, and an impostor's. */
const LOCALHOST_RUN = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC3lJnhW1oCXuAYV9IBdcJA+Vx7AHL5S/ZQvV2fhceOAPgO2kNQZla6xvUwoE4iw8lYu3zoE1KtieCU9yInWOVI6W/wFaT/ETH1tn55T2FVsK/zaxPiHZVJGLPPdEEid0vS2p1JDfc9onZ0pNSHLl1QusIOeMUyZ2bUMMLLgw46KOT9S3s/LmxgoJ3PocVUn5rVXz/Dng7Y8jYNe4IFrZOAUsi7hNBa+OYja6ceefpDvNDEJ1BdhbYfGolBdNA7f+FNl0kfaWru4Cblr843wBe2ckO/sNqgeAMXO/qH+SSgQxUXF2AgAw+TGp3yCIyYoOPvOgvcPsQziJLmDbUuQpnH';
const SERVICE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQw0mH948Gh/w2NyhJvyOrpo0INth5Siev7i/LTX3i9';
const IMPOSTOR = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2ixWV95f5zSiBhJCeVFXyEXFhXwkIxcXMYUqU75XSE';

const argv = process.argv.slice(2);
const options = {};
let port = 22;
let forward;
let destination;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-o') {
    const [k, ...v] = argv[++i].split('=');
    options[k] = v.join('=').replace(/^"(.*)"$/, '$1');
  } else if (a === '-p') port = Number(argv[++i]);
  else if (a === '-R') forward = argv[++i];
  else if (a === '--') destination = argv[++i];
  else if (!a.startsWith('-')) destination = a;
}
const host = destination.replace(/^.*@/, '');
const name = port === 22 ? host : `[${host}]:${port}`;
const key = process.env.STANDIN_IMPOSTOR === '1' ? IMPOSTOR : host === 'localhost.run' ? LOCALHOST_RUN : SERVICE;
const kind = key.startsWith('ssh-rsa') ? 'RSA' : 'ED25519';
const fingerprint = `SHA256:${createHash('sha256').update(Buffer.from(key.split(' ')[1], 'base64')).digest('base64').replace(/=+$/, '')}`;
logLine({ argv });

// The host key, as ssh checks it.
const file = options.UserKnownHostsFile;
let known = [];
try {
  known = readFileSync(file, 'utf8').split('\n').filter((l) => l.split(' ')[0] === name).map((l) => l.split(' ').slice(1, 3).join(' '));
} catch {
  // no file yet
}
if (known.length > 0 && !known.includes(key)) {
  process.stderr.write([
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ${kind} key sent by the remote host is`,
    `${fingerprint}.`,
    'Please contact your system administrator.',
    `Add correct host key in ${file} to get rid of this message.`,
    `Offending key in ${file}:1`,
    `Host key for ${name} has changed and you have requested strict checking.`,
    'Host key verification failed.',
    '',
  ].join('\n'));
  process.exit(255);
}
if (known.length === 0) {
  if (options.StrictHostKeyChecking !== 'accept-new') {
    process.stderr.write(`No ${kind} host key is known for ${name} and you have requested strict checking.\nHost key verification failed.\n`);
    process.exit(255);
  }
  appendFileSync(file, `${name} ${key}\n`);
  process.stderr.write(`Warning: Permanently added '${name}' (${kind}) to the list of known hosts.\n`);
}
if (process.env.STANDIN_REFUSE) {
  process.stderr.write(`${process.env.STANDIN_REFUSE}\n`);
  process.exit(255);
}

const [, localHost, localPort] = forward.split(':');
const relay = await startRelay({ host: localHost, port: Number(localPort) }, { reserialize: process.env.STANDIN_RESERIALIZE === '1' });
logLine({ url: relay.origin });
if (host === 'localhost.run') {
  process.stdout.write([
    '',
    '===============================================================================',
    'Welcome to localhost.run!',
    '',
    'Follow your favourite reverse tunnel at [https://twitter.com/localhost_run].',
    '',
    '** your connection id is 00000000-0000-0000-0000-000000000000, please mention it if you send me a message about an issue. **',
    '',
    `localhost tunneled with tls termination, ${relay.origin}`,
    'create an account and add your key for a longer lasting domain name. see https://localhost.run/docs/forever-free/ for more information.',
    '',
  ].join('\n'));
} else {
  process.stdout.write([
    'You are not authenticated.',
    'Your tunnel will expire in 60 minutes. Upgrade to Pinggy Pro to get unrestricted tunnels. https://dashboard.pinggy.io',
    `http://localhost:${new URL(relay.origin).port}`,
    relay.origin,
    '',
  ].join('\n'));
}
process.on('SIGTERM', () => relay.close().then(() => process.exit(0)));
// A test that failed may leave a stand-in behind (its whk killed with SIGKILL): it goes after a minute.
setTimeout(() => process.exit(0), 60_000).unref();
