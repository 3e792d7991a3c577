import { randomBytes } from 'node:crypto';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret, Verdict } from '../schemes/types.js';
import { invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { keccak256 } from './keccak.js';

/**
 * Moralis Streams (https://docs.moralis.com/streams/security-and-reliability/webhook-security):
 * `x-signature: 0x<hex Keccak-256(JSON.stringify(body) + secret)>`, the hash web3.utils.sha3
 * computes (Ethereum's Keccak-256, not SHA3-256), over the body's text followed by the streams
 * secret's text. A hash, not an HMAC: it binds the body to the secret, with no timestamp. The
 * Moralis SDK (@moralisweb3/streams verifySignature) hashes JSON.stringify of the parsed body and
 * compares the 0x-prefixed lowercase hex exactly: whk checks the raw body, then its compact
 * re-serialization (which is what Moralis sends, and what the SDK hashes).
 * Moralis sends each block twice (unconfirmed, then confirmed) and a test webhook with empty
 * fields when a stream is created or updated.
 */

const HEADER = 'x-signature';
const CHECK = 'Keccak-256 of body + secret (a hash, not an HMAC), as web3.utils.sha3 computes it';

const hash = (body: Uint8Array | string) => (secret: Secret) => `0x${keccak256(Buffer.concat([toBuffer(body), toBuffer(secret)])).toString('hex')}`;

/** `JSON.stringify(JSON.parse(raw))`, what the Moralis SDK hashes; undefined when not JSON. */
function compact(raw: Buffer): string | undefined {
  try {
    return JSON.stringify(JSON.parse(raw.toString('utf8')));
  } catch {
    return undefined;
  }
}

const hex = (n: number) => `0x${randomBytes(n).toString('hex')}`;
const STREAM = 'c28d9e2e-a2a1-4f7c-8d1e-2b3c4d5e6f70';
const USDC = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const FROM = '0x7a16ff8270133f063aab6c9977183d9e72835428';
const TO = '0xd8da6bf26964af9d7eed9e03e53415d37aa96045';

const block = (ctx: SampleContext) => ({ number: '21834567', hash: ctx.id, timestamp: String(ctx.createdUnix) });
const empty = { abi: [], logs: [], txs: [], txsInternal: [], erc20Transfers: [], erc20Approvals: [], nftTokenApprovals: [], nftApprovals: { ERC721: [], ERC1155: [] }, nftTransfers: [], nativeBalances: [] };
const transferTx = (ctx: SampleContext) => ({
  hash: `0x${ctx.delivery.replace(/-/g, '').padEnd(64, '0').slice(0, 64)}`, gas: '65000', gasPrice: '23145678901', nonce: '412', input: '0xa9059cbb',
  transactionIndex: '87', fromAddress: FROM, toAddress: USDC, value: '0', type: '2', v: '1', r: '0', s: '0',
  receiptCumulativeGasUsed: '9876543', receiptGasUsed: '45021', receiptContractAddress: null, receiptRoot: null, receiptStatus: '1',
  triggered_by: [TO],
});

/** Moralis sends compact JSON (JSON.stringify). */
const sample = (event: string, description: string, body: (ctx: SampleContext) => unknown): Sample => ({
  event, description, body: (ctx) => JSON.stringify(body(ctx)),
});

const samples: Samples = {
  scheme: 'moralis',
  // The block hash: with `confirmed`, what identifies a delivery (each block comes twice).
  newId: () => hex(32),
  events: [
    sample('erc20.transfer', 'a USDC transfer to a watched address (confirmed)', (ctx) => ({
      confirmed: true, chainId: '0x1', abi: [], streamId: STREAM, tag: 'usdc-deposits', retries: ctx.attempt - 1, block: block(ctx),
      logs: [{
        logIndex: '212', transactionHash: transferTx(ctx).hash, address: USDC, data: '0x0000000000000000000000000000000000000000000000000000000005f5e100',
        topic0: '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', topic1: `0x000000000000000000000000${FROM.slice(2)}`,
        topic2: `0x000000000000000000000000${TO.slice(2)}`, topic3: null, triggered_by: [TO],
      }],
      txs: [transferTx(ctx)], txsInternal: [],
      erc20Transfers: [{
        transactionHash: transferTx(ctx).hash, logIndex: '212', contract: USDC, triggered_by: [TO], from: FROM, to: TO, value: '100000000',
        tokenName: 'USD Coin', tokenSymbol: 'USDC', tokenDecimals: '6', valueWithDecimals: '100', possibleSpam: false,
      }],
      erc20Approvals: [], nftTokenApprovals: [], nftApprovals: { ERC721: [], ERC1155: [] }, nftTransfers: [], nativeBalances: [],
    })),
    sample('erc20.transfer.unconfirmed', 'the same kind of transfer, as first seen (unconfirmed)', (ctx) => ({
      confirmed: false, chainId: '0x1', streamId: STREAM, tag: 'usdc-deposits', retries: ctx.attempt - 1, block: block(ctx),
      ...empty, txs: [transferTx(ctx)],
    })),
    sample('test', 'the test webhook Moralis sends when a stream is created or updated', (ctx) => ({
      ...empty, block: { hash: '', number: '', timestamp: '' }, chainId: '', tag: '', streamId: '', confirmed: true, retries: ctx.attempt - 1,
    })),
  ],
};

export const moralis: Scheme = {
  samples,
  name: 'moralis',
  provider: 'Moralis Streams',
  docs: 'https://docs.moralis.com/streams/security-and-reliability/webhook-security',
  checkedBy: 'docs example: the Moralis SDK\'s published vector (the verifySignature test of the streams package in MoralisWeb3/Moralis-JS-SDK); Keccak-256 against @noble/hashes',
  headers: ['x-signature'],
  algorithm: 'Keccak-256 hex, "0x" prefix, of body + secret (web3.utils.sha3; a hash, not an HMAC)',
  timestamp: null,
  secretFormat: 'the streams secret (text; the Moralis API key by default)',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'text',
  compactJson: true,

  sign: ({ body, secrets }) => ({ 'x-signature': hash(body)(secrets[0]!) }),

  verify(d: Delivery): Verdict {
    const told = (v: Verdict): Verdict => Object.assign(v, { proof: 'hash' as const, check: CHECK });
    const header = d.headers[HEADER];
    if (header === undefined) return invalid('moralis', 'missing_header', 'no x-signature header');
    const presented = header.trim().toLowerCase();
    if (!/^0x[0-9a-f]{64}$/.test(presented)) return told(malformed('moralis', 'x-signature is not "0x" and 64 hex digits', header, 'hex'));
    let matched = 'raw body';
    let index = matchSecret('moralis', [presented], d.secrets, hash(d.body));
    const c = index === -1 ? compact(d.body) : undefined;
    if (c !== undefined && !toBuffer(c).equals(d.body)) {
      matched = 'compact re-serialization of the body (what the Moralis SDK hashes)';
      index = matchSecret('moralis', [presented], d.secrets, hash(c));
    }
    if (typeof index !== 'number') return index;
    if (index === -1) return told(noMatch('moralis', c === undefined ? 'body + secret' : 'body + secret, raw or re-serialized,', d.secrets.length));
    return told({ ...valid('moralis', matched, index), message: `hash matches (Keccak-256 of the ${matched} + secret)` });
  },

  eventInfo: (_h, json) => {
    const o = json as { confirmed?: unknown; block?: { hash?: unknown } } | null;
    if (typeof o?.confirmed !== 'boolean') return {};
    const state = o.confirmed ? 'confirmed' : 'unconfirmed';
    const h = o.block?.hash;
    return { type: state, id: typeof h === 'string' && h.length > 0 ? `${h}:${state}` : undefined };
  },
};
