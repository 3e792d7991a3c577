/**
 * moralis: x-signature = 0x + Keccak-256(body + secret). Independent: the Moralis SDK's published
 * vector (MoralisWeb3/Moralis-JS-SDK, packages/streams/src/methods/verifySignature.test.ts: the
 * body, the secret and the signature it expects), and @noble/hashes' Keccak-256 (a devDependency,
 * tests only) computing the header from the docs' formula
 * (https://docs.moralis.com/streams/security-and-reliability/webhook-security), both directions.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { moralis } from '../../src/providers/moralis.js';
import { whk } from '../helpers/in-process.js';
import { headerProperty, sendListenProbe } from './_provb.js';

// The SDK test's body, as JSON.stringify writes it, its secret and its expected signature.
const SDK_BODY = JSON.stringify({
  abi: [], block: { number: '', hash: '', timestamp: '' }, txs: [], txsInternal: [], logs: [], chainId: '', confirmed: true, retries: 0, tag: '', streamId: '',
  erc20Approvals: [], erc20Transfers: [], nftTokenApprovals: [], nftApprovals: { ERC721: [], ERC1155: [] }, nftTransfers: [], nativeBalances: [],
});
const SDK_SECRET = 'k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9k9';
const SDK_SIGNATURE = '0x3c4b2e6b07e386f97198eb2dc639f7901f00a5d3ec1b8c8effe4838920d71829';
const noble = (body: string, secret: string) => `0x${Buffer.from(keccak_256(Buffer.from(body + secret))).toString('hex')}`;

describe('moralis', () => {
  it('the SDK\'s published vector: whk signs it and verifies it, and says a hash matched', () => {
    expect(sign('moralis', { body: SDK_BODY, secrets: [SDK_SECRET] })).toEqual({ 'x-signature': SDK_SIGNATURE });
    const v = verify('moralis', { body: SDK_BODY, headers: { 'x-signature': SDK_SIGNATURE }, secrets: [SDK_SECRET] });
    expect(v).toMatchObject({ valid: true, proof: 'hash', matched: 'raw body' });
    expect(v.message).toBe('hash matches (Keccak-256 of the raw body + secret)');
  });

  it('@noble/hashes signs what whk verifies and the reverse, on fresh bodies', () => {
    for (const body of ['{"confirmed":false,"memo":"café ☕"}', JSON.stringify({ n: Math.random(), big: 'x'.repeat(5000) })]) {
      expect(verify('moralis', { body, headers: { 'x-signature': noble(body, 'streams-s3cret') }, secrets: ['streams-s3cret'] }).valid).toBe(true);
      expect(sign('moralis', { body, secrets: ['streams-s3cret'] })['x-signature']).toBe(noble(body, 'streams-s3cret'));
    }
  });

  it('a body re-spaced on the way still matches its re-serialization, as the SDK hashes it, and the verdict says so', () => {
    const spaced = JSON.stringify(JSON.parse(SDK_BODY), null, 2);
    const v = verify('moralis', { body: spaced, headers: { 'x-signature': SDK_SIGNATURE }, secrets: [SDK_SECRET] });
    expect(v).toMatchObject({ valid: true, matched: 'compact re-serialization of the body (what the Moralis SDK hashes)' });
  });

  it.each([
    ['tampered body', SDK_BODY.replace('"retries":0', '"retries":1'), SDK_SIGNATURE, SDK_SECRET, 'no_match'],
    ['tampered signature', SDK_BODY, SDK_SIGNATURE.replace('0x3c', '0x3d'), SDK_SECRET, 'no_match'],
    ['wrong secret', SDK_BODY, SDK_SIGNATURE, 'x3x3x3x3', 'no_match'],
    ['malformed (no 0x)', SDK_BODY, SDK_SIGNATURE.slice(2), SDK_SECRET, 'malformed_header'],
    ['malformed (SHA3-256 length fine, not hex)', SDK_BODY, `0x${'g'.repeat(64)}`, SDK_SECRET, 'malformed_header'],
  ] as const)('%s', (_n, body, header, secret, reason) => {
    const v = verify('moralis', { body, headers: { 'x-signature': header }, secrets: [secret] });
    expect(v).toMatchObject({ reason, proof: 'hash' });
  });

  it('missing header', () => {
    expect(verify('moralis', { body: SDK_BODY, headers: {}, secrets: [SDK_SECRET] }).reason).toBe('missing_header');
  });

  it('upper-case hex is the same hash', () => {
    expect(verify('moralis', { body: SDK_BODY, headers: { 'x-signature': SDK_SIGNATURE.toUpperCase().replace('0X', '0x') }, secrets: [SDK_SECRET] }).valid).toBe(true);
  });

  it('random x-signature values never throw', () => headerProperty(moralis, 'x-signature', [SDK_SECRET]));

  it('event type and id: confirmed or not, the block hash', () => {
    expect(moralis.eventInfo!({}, { confirmed: false, block: { hash: '0xab' } })).toEqual({ type: 'unconfirmed', id: '0xab:unconfirmed' });
    expect(moralis.eventInfo!({}, JSON.parse(SDK_BODY))).toEqual({ type: 'confirmed', id: undefined });
  });
});

describe('moralis through the CLI', () => {
  it('whk sign / whk verify', async () => {
    const s = await whk(['sign', '--scheme', 'moralis', '--secret', SDK_SECRET, '--body', SDK_BODY]);
    expect(s.stdout.trim()).toBe(`x-signature: ${SDK_SIGNATURE}`);
    const v = await whk(['verify', '--scheme', 'moralis', '--secret', SDK_SECRET, '--body', SDK_BODY, '--header', `x-signature: ${SDK_SIGNATURE}`, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
  });

  it('send -> listen (200, 401 with --wrong-secret) and probe', async () => {
    await sendListenProbe('moralis', SDK_SECRET);
  }, 60_000);
});
