// sign+verify ops/s on a 1 KiB body: whk's library API vs node:crypto used directly, same run.
// Two baselines: a bare HMAC (sign = one HMAC, verify = one HMAC + timingSafeEqual: the floor),
// and the same scheme written by hand with node:crypto (what a careful receiver would code:
// header parsing and the timestamp check included), which is what whk's abstractions cost
// against.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { builtInDefinition, defineScheme, getScheme, sign, verify } from '../dist/index.js';

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

// Verify only: a scheme made from a definition (the engine, src/schemes/definition.ts) against
// the same provider written by hand in whk, on the same delivery. Target: within 10%. The two
// run in alternating short rounds and each keeps its best round, so that a noisy machine slows
// both alike instead of whichever ran during the noise.
const ACME = { name: 'acme', hmac: 'sha256', key: 'utf8', signs: '{timestamp}.{body}', header: 'X-Acme-Signature', value: 't={timestamp},v1={signature}', encoding: 'hex', timestamp: { tolerance: 300 }, eventType: '/type', eventId: 'header:X-Acme-Delivery' };
const verifier = (scheme, extra) => {
  // Each verifies the headers it signs itself (acme signs what stripe signs, under its own header).
  const headers = sign(scheme, { body, secrets: [secret], ...extra });
  return () => must(verify(scheme, { body, headers, secrets: [secret], now: NOW }).valid, scheme.name);
};
function bestRates(fns, rounds = Math.max(10, Math.round(DURATION / 50))) {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds + 3; r++) {
    fns.forEach((fn, i) => {
      const n = 2000;
      const t0 = performance.now();
      for (let j = 0; j < n; j++) fn();
      if (r >= 3) best[i] = Math.min(best[i], (performance.now() - t0) / n);
    });
  }
  return best.map((ms) => 1000 / ms);
}
const pairs = [
  ['stripe', getScheme('stripe'), defineScheme(builtInDefinition('stripe')), { timestamp: NOW }],
  ['github', getScheme('github'), defineScheme(builtInDefinition('github')), {}],
  ['acme / stripe', getScheme('stripe'), defineScheme(ACME), { timestamp: NOW }],
];
console.log('verify only, 1 KiB body (ops/s, best of alternating rounds): hand-written scheme vs a definition of the same rules');
for (const [name, hand, def, extra] of pairs) {
  const [h, d] = bestRates([verifier(hand, extra), verifier(def, extra)]);
  console.log(`  ${name.padEnd(14)} hand-written ${k(h)}   definition ${k(d)}   definition/hand-written ${(d / h).toFixed(2)}× (target ≥ 0.9×)`);
}
