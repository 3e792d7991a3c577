// sign+verify ops/s on a 1 KiB body: whk's library API vs node:crypto used directly, same run.
// Two baselines: a bare HMAC (sign = one HMAC, verify = one HMAC + timingSafeEqual: the floor),
// and the same scheme written by hand with node:crypto (what a careful receiver would code:
// header parsing and the timestamp check included), which is what whk's abstractions cost
// against.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign, verify } from '../dist/index.js';

const envelope = (pad) => JSON.stringify({ id: 'wh_1', kind: 'wallet.created', data: { pad }, timestampSent: 1700000000 });
const body = Buffer.from(envelope('x'.repeat(1024 - envelope('').length))); // exactly 1 KiB of JSON
const secret = 's3cret';
const NOW = 1700000010;
const DURATION = Number(process.env.BENCH_MS ?? 1500);

function rate(fn) {
  for (let i = 0; i < 5000; i++) fn(); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < DURATION) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  return n / ((performance.now() - t0) / 1000);
}
const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const must = (ok, what) => { if (!ok) throw new Error(`${what}: verification failed`); };

const bareHmac = () => {
  const header = createHmac('sha256', secret).update(body).digest('hex');
  must(same(createHmac('sha256', secret).update(body).digest('hex'), header), 'bare');
};
const handDfns = () => {
  const header = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  must(same(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, header), 'dfns by hand');
  must(Math.abs(NOW - JSON.parse(body.toString()).timestampSent) < 300, 'dfns by hand');
};
const handStripe = () => {
  const header = `t=${NOW},v1=${createHmac('sha256', secret).update(`${NOW}.`).update(body).digest('hex')}`;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  must(same(createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest('hex'), parts.v1), 'stripe by hand');
  must(NOW - Number(parts.t) <= 300, 'stripe by hand');
};
const whk = (scheme, extra = {}) => () => {
  const headers = sign(scheme, { body, secrets: [secret], ...extra });
  must(verify(scheme, { body, headers, secrets: [secret], now: NOW, ...extra }).valid, scheme);
};

const bare = rate(bareHmac);
const rows = [
  ['dfns', rate(handDfns), rate(whk('dfns'))],
  ['stripe', rate(handStripe), rate(whk('stripe', { timestamp: NOW }))],
];
const k = (n) => `${Math.round(n / 1000)}k`.padStart(6);
console.log(`sign+verify, 1 KiB body (ops/s; bare HMAC floor: ${k(bare)})`);
for (const [name, hand, ours] of rows) {
  console.log(`  ${name.padEnd(8)} by hand ${k(hand)}   whk ${k(ours)}   whk/by-hand ${(ours / hand).toFixed(2)}× (target ≥ 0.9×)   whk/bare-HMAC ${(ours / bare).toFixed(2)}×`);
}
