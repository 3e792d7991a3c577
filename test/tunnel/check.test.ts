/**
 * The tunnel's self-check, its pure parts: the check's body cannot survive a JSON relay; what
 * arrived is compared the way a receiver verifies a signature (over the bytes that arrived);
 * and the check's record reads as what it is on a terminal, not as an unverified delivery.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkBody, compare } from '../../src/tunnel/check.js';
import { renderEvent } from '../../src/render/event.js';
import { renderCompact } from '../../src/render/compact.js';
import { plain } from '../../src/render/style.js';
import type { EventRecord } from '../../src/record.js';
import { WhkError } from '../../src/errors.js';

const nonce = '0123456789abcdef0123456789abcdef';
const body = checkBody(nonce);
const signed = (b: Buffer) => `sha256=${createHmac('sha256', nonce).update(b).digest('hex')}`;
const failure = (arrived: { body: Buffer; signature: string | undefined }) => {
  try {
    compare(arrived, { body, nonce }, 'https://x.example/hooks');
  } catch (e) {
    return (e as WhkError).message;
  }
  return 'passed';
};

describe('the self-check', () => {
  it('its body is JSON that no parse and re-encode gives back byte for byte', () => {
    const json = JSON.parse(body.toString('utf8')) as unknown;
    expect(json).toMatchObject({ whk: 'tunnel check', nonce });
    for (const space of [undefined, 0, 1, 2, '\t']) expect(Buffer.from(JSON.stringify(json, null, space)).equals(body)).toBe(false);
  });

  it('passes on the same bytes with a valid signature', () => {
    expect(failure({ body, signature: signed(body) })).toBe('passed');
  });

  it('says what the tunnel changed: the JSON re-encoded, other bytes, the signature header dropped or changed', () => {
    const reencoded = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    const tail = ', so every signature would fail through this tunnel (--no-tunnel-check skips the check)';
    const at = 'tunnel self-check: a signed test delivery through https://x.example/hooks arrived changed: ';
    expect(failure({ body: reencoded, signature: signed(body) })).toBe(`${at}the tunnel re-serialized its JSON body (the same data, other bytes)${tail}`);
    expect(failure({ body: Buffer.from('{}'), signature: signed(body) })).toBe(`${at}the body changed on its way (${body.length} bytes sent, 2 arrived)${tail}`);
    expect(failure({ body, signature: undefined })).toBe(`${at}the tunnel dropped its x-whk-tunnel-signature header${tail}`);
    expect(failure({ body, signature: signed(Buffer.from('x')) })).toBe(`${at}the tunnel changed its x-whk-tunnel-signature header${tail}`);
  });

  it('its record reads as whk\'s self-check on a terminal (never "not verified (no secret)")', () => {
    const record: EventRecord = {
      type: 'event', seq: 1, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: '/hooks', headers: {}, body: body.toString('utf8'), bodyEncoding: 'utf8',
      scheme: null, verdict: null, eventType: null, eventId: null, duplicate: false, filtered: false, response: { status: 200 }, tunnelCheck: true,
    };
    const m = { kind: 'event' as const, record, verdict: null };
    expect(renderEvent(m, plain, { utc: true })).toBe('03:04:05  #1  POST /hooks  whk\'s tunnel self-check  → 200  (not forwarded, not counted)');
    expect(renderCompact(m, plain, { utc: true })).toBe('03:04:05  #1  POST /hooks  whk\'s tunnel self-check  → 200');
  });
});
