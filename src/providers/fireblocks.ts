import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { usage } from '../errors.js';
import { uuid } from './ids.js';
import type { SampleContext, Samples } from '../schemes/samples.js';
import { toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { invalid, noMatch, valid } from '../schemes/verdict.js';
import { base64, base64url, PLACEHOLDER_RSA, signingKey, signWith, verifyingKey, verifyWith } from './keypair.js';

const LEGACY = 'Fireblocks-Signature';
const JWS = 'Fireblocks-Webhook-Signature';

/**
 * Fireblocks webhooks carry one or both of (https://developers.fireblocks.com/reference/validating-webhooks):
 * - `Fireblocks-Signature` (legacy, static keys): base64 RSA PKCS#1 v1.5 SHA-512 signature of
 *   the raw body, verified with the public key Fireblocks publishes for the environment;
 * - `Fireblocks-Webhook-Signature` (webhooks v2, JWKS): a detached JWS `<header>..<signature>`,
 *   RS512 over `<header>.<base64url(raw body)>`, its `kid` naming a key of the environment's
 *   JWKS (keys.fireblocks.io and its EU, EU2, sandbox siblings), which rotate: whk does not fetch
 *   them; give the JWKS (JSON) or a key as PEM.
 * During the migration Fireblocks sends both; a delivery is valid when one of the signatures it
 * carries matches. No timestamp is signed.
 */

/** The legacy public keys, as Fireblocks publishes them (validating-webhooks page, legacy section). */
const PUBLISHED: ReadonlyArray<{ name: string; key: string }> = [
  {
    name: 'US production (Mainnet & Testnet)',
    key: `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA0+6wd9OJQpK60ZI7qnZG
jjQ0wNFUHfRv85Tdyek8+ahlg1Ph8uhwl4N6DZw5LwLXhNjzAbQ8LGPxt36RUZl5
YlxTru0jZNKx5lslR+H4i936A4pKBjgiMmSkVwXD9HcfKHTp70GQ812+J0Fvti/v
4nrrUpc011Wo4F6omt1QcYsi4GTI5OsEbeKQ24BtUd6Z1Nm/EP7PfPxeb4CP8KOH
clM8K7OwBUfWrip8Ptljjz9BNOZUF94iyjJ/BIzGJjyCntho64ehpUYP8UJykLVd
CGcu7sVYWnknf1ZGLuqqZQt4qt7cUUhFGielssZP9N9x7wzaAIFcT3yQ+ELDu1SZ
dE4lZsf2uMyfj58V8GDOLLE233+LRsRbJ083x+e2mW5BdAGtGgQBusFfnmv5Bxqd
HgS55hsna5725/44tvxll261TgQvjGrTxwe7e5Ia3d2Syc+e89mXQaI/+cZnylNP
SwCCvx8mOM847T0XkVRX3ZrwXtHIA25uKsPJzUtksDnAowB91j7RJkjXxJcz3Vh1
4k182UFOTPRW9jzdWNSyWQGl/vpe9oQ4c2Ly15+/toBo4YXJeDdDnZ5c/O+KKadc
IMPBpnPrH/0O97uMPuED+nI6ISGOTMLZo35xJ96gPBwyG5s2QxIkKPXIrhgcgUnk
tSM7QYNhlftT4/yVvYnk0YcCAwEAAQ==
-----END PUBLIC KEY-----
`,
  },
  {
    name: 'EU & EU2 production (Mainnet & Testnet)',
    key: `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA6hLRQL0jPf5OEuaDYGjO
xSyaYIlv08S0+4giiwgKSfV3Onc5hn03mvE0znzaUq2ReSxi9KYDdMYFfzf1uwF7
7kYy2MY0oTYGdQb+PS4Ym4R4tgZ2otuoAXt8YRKq2maWyguFiaowMcYwwAVQv8JB
afIm6Jq1nI6v1mEDVX065ePlBlAt+BGAqr6ahPxnaIz3L4eztpuNrt5nTbSxs7eF
aqQx1p56W1nl3Hl0V3tLkaXbuVtbFNR/mGMInrkPnpsG+mt35b9vmqAOvLPI0Cx1
59uVeEs62Hj1AOCRyT6SuwIaFynRj2KnD42ioQtkodHQ0xDtgdiYGsxuwQ9vTIe7
5oLsL8gBDeX5gdcTfSZhfGjZ7RggLNJ7vCAbYKMuUOdgWVMYnJfrhNLCq3zDSZPO
+H0x5m/Yeq/Hn5o7xCmLNT3qARfwDd5IHfQyXqVYB6TMU75xqH5fdSRw0iMdoPyL
ALnr9/JT0av3qssNMRdWCXr+j9Ys3NkfcbU/a49657mg8e2QGSkl9w39csEKojnr
omUz25szIL8CcXLmc5cAmnimFCe4L7UT4mvVP3+fOo+cbc/82zqA8tsSwd2Y93/6
ueGnNZD9V5rewrKjmdPfrwoI2gntzc8QJUu+nxAWhoqHV91AQeglu6WIF/DiEJC5
WPoNk2SdlAuA6RYmgB2YyikCAwEAAQ==
-----END PUBLIC KEY-----
`,
  },
  {
    name: 'Developer Sandbox',
    key: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApZE6wL2+7P1ohvVYSpCd
gSgtmyGwiLbUC1UoGJhn1zwfY7ZWbNH7Pg8Osk8OzZTZHSG/arcgE8HnGCmGKtbE
QBkf2XlBRBQ01FcCMlZuJQJ3nElCPaMl9N6fq0VKNEIlVSVUpDCgvag5kFhDKS/L
p3YYJLFR46/hDlVLn+vM84diO3xGyMc16YJGNz7Z4jb8dmSZQE5E2XaQMDXW6uxC
c2ChjWJ3X5H70MzRG35JsN0j58SQTwbf4Pxm0aJfhPuaIBn3mJuZL5etsuFihoFG
FDnT+qWRcgD/pRNulBFAFhJeUnFrE4fFTJ1iaHhjBrStBCrxJk6QI0pGznoapTgA
2QIDAQAB
-----END PUBLIC KEY-----
`,
  },
  {
    // The sandbox key of the older pages (validate-requests-v2, webhooks-notifications).
    name: 'Sandbox (earlier key)',
    key: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw+fZuC+0vDYTf8fYnCN6
71iHg98lPHBmafmqZqb+TUexn9sH6qNIBZ5SgYFxFK6dYXIuJ5uoORzihREvZVZP
8DphdeKOMUrMr6b+Cchb2qS8qz8WS7xtyLU9GnBn6M5mWfjkjQr1jbilH15Zvcpz
ECC8aPUAy2EbHpnr10if2IHkIAWLYD+0khpCjpWtsfuX+LxqzlqQVW9xc6z7tshK
eCSEa6Oh8+ia7Zlu0b+2xmy2Arb6xGl+s+Rnof4lsq9tZS6f03huc+XVTmd6H2We
WxFMfGyDCX2akEg2aAvx7231/6S0vBFGiX0C+3GbXlieHDplLGoODHUt5hxbPJnK
IwIDAQAB
-----END PUBLIC KEY-----
`,
  },
];

/** A verifying key and the JWS `kid` it answers to (undefined: any). */
interface Key {
  key: KeyObject;
  kid?: string;
}

/**
 * The keys a secret gives: a PEM public key, certificate or private key, base64 DER, a JWK, or a
 * JWKS (`{"keys": [...]}`, what the JWKS endpoints serve). Throws a bad_secret WhkError.
 */
function keysOf(secret: Secret): Key[] {
  const s = (typeof secret === 'string' ? secret : toBuffer(secret).toString('utf8')).trim();
  if (!s.startsWith('{')) return [{ key: verifyingKey(s, 'rsa', 'fireblocks') }];
  let json: unknown;
  try {
    json = JSON.parse(s);
  } catch {
    throw usage('bad_secret', 'the fireblocks key starts with "{" but is not JSON: give a JWK, a JWKS ({"keys": [...]}) or a PEM key');
  }
  const list = Array.isArray((json as { keys?: unknown }).keys) ? (json as { keys: unknown[] }).keys : [json];
  const out: Key[] = [];
  for (const jwk of list) {
    const j = jwk as { kty?: unknown; kid?: unknown };
    if (j?.kty !== 'RSA') continue;
    try {
      out.push({ key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), kid: typeof j.kid === 'string' ? j.kid : undefined });
    } catch {
      throw usage('bad_secret', `the JWK${typeof j.kid === 'string' ? ` "${j.kid}"` : ''} is not an RSA public key Node can read`);
    }
  }
  if (out.length === 0) throw usage('bad_secret', 'the JWKS has no RSA key: Fireblocks signs with RS512 (RSA)');
  return out;
}

/** RFC 7638 thumbprint of the public key: the `kid` whk's JWS carries. */
function thumbprint(key: KeyObject): string {
  const { e, n } = createPublicKey(key).export({ format: 'jwk' }) as { e: string; n: string };
  return createHash('sha256').update(`{"e":"${e}","kty":"RSA","n":"${n}"}`).digest('base64url');
}

const jwsInput = (protectedHeader: string, body: Buffer) => Buffer.from(`${protectedHeader}.${body.toString('base64url')}`);

export const fireblocks: Scheme = {
  name: 'fireblocks',
  provider: 'Fireblocks',
  docs: 'https://developers.fireblocks.com/reference/validating-webhooks',
  checkedBy: 'docs text (legacy signature and detached JWS), a Python signer written from it, and the openssl CLI in both directions',
  headers: [LEGACY, JWS],
  detect: [LEGACY, JWS],
  algorithm: 'RSA-SHA512 (PKCS#1 v1.5) over the raw body, base64; and a detached JWS (RS512) over the body',
  timestamp: null,
  secretFormat: 'sign: an RSA private key (PEM); verify: Fireblocks\' public key (PEM, its published ones by default) or the JWKS of your environment',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'rsa',
  placeholderSecret: PLACEHOLDER_RSA,
  publishedKeys: PUBLISHED,
  // Fireblocks sends compact JSON (its own sample code verifies JSON.stringify(req.body)).
  compactJson: true,

  sign({ body, secrets }) {
    const key = signingKey(secrets[0]!, 'rsa', 'fireblocks');
    const raw = toBuffer(body);
    const header = Buffer.from(JSON.stringify({ alg: 'RS512', kid: thumbprint(key) })).toString('base64url');
    return {
      [LEGACY]: signWith('sha512', key, raw).toString('base64'),
      [JWS]: `${header}..${signWith('sha512', key, jwsInput(header, raw)).toString('base64url')}`,
    };
  },

  verify(d: Delivery) {
    const keys: Array<Key & { index: number }> = [];
    for (let i = 0; i < d.secrets.length; i++) {
      try {
        for (const k of keysOf(d.secrets[i]!)) keys.push({ ...k, index: i });
      } catch (e) {
        return invalid('fireblocks', 'bad_secret', (e as Error).message);
      }
    }
    const legacy = d.headers[LEGACY.toLowerCase()];
    const jws = d.headers[JWS.toLowerCase()];
    if (legacy === undefined && jws === undefined) return invalid('fireblocks', 'missing_header', `no ${LEGACY} or ${JWS} header`);
    // No secret given: the core passed the published keys.
    const published = d.secrets.length === PUBLISHED.length && d.secrets.every((s, i) => s === PUBLISHED[i]!.key);
    const named = (i: number) => (published ? ` (Fireblocks' published ${PUBLISHED[i]!.name} key)` : '');
    const problems: string[] = [];

    if (jws !== undefined) {
      const parsed = parseJws(jws);
      if (typeof parsed === 'string') problems.push(parsed);
      else {
        const candidates = parsed.kid === undefined ? keys : keys.filter((k) => k.kid === undefined || k.kid === parsed.kid);
        const input = jwsInput(parsed.protectedHeader, d.body);
        const hit = candidates.find((k) => verifyWith('sha512', k.key, input, parsed.signature));
        if (hit) return valid('fireblocks', `raw body (${JWS}, JWS RS512)${named(hit.index)}`, hit.index);
      }
    }
    if (legacy !== undefined) {
      const sig = base64(legacy);
      if (!sig) problems.push(`${LEGACY} is not base64`);
      else {
        const hit = keys.find((k) => verifyWith('sha512', k.key, d.body, sig));
        if (hit) return valid('fireblocks', `raw body (${LEGACY}, RSA-SHA512)${named(hit.index)}`, hit.index);
      }
    }
    const carried = (legacy !== undefined ? 1 : 0) + (jws !== undefined ? 1 : 0);
    if (problems.length === carried) return invalid('fireblocks', 'malformed_header', problems.join('; '));
    const v = noMatch('fireblocks', 'the raw body', d.secrets.length);
    if (published) v.message += ` (tried Fireblocks' published keys: ${PUBLISHED.map((k) => k.name).join(', ')}; a webhooks v2 JWS needs your environment's JWKS)`;
    return v;
  },

  eventInfo: (_h, json) => {
    const o = (json ?? {}) as { eventType?: unknown; type?: unknown; id?: unknown };
    // v2: eventType and id; v1: type, and no event id.
    if (typeof o.eventType === 'string') return { type: o.eventType, id: typeof o.id === 'string' ? o.id : undefined };
    return { type: typeof o.type === 'string' ? o.type : undefined };
  },
};

/** A detached compact JWS `<header>..<signature>`, or why it is not one (a sentence). */
function parseJws(value: string): { protectedHeader: string; kid?: string; signature: Buffer } | string {
  const parts = value.trim().split('.');
  if (parts.length !== 3 || parts[1] !== '') return `${JWS} is not a detached JWS (<header>..<signature>)`;
  const header = base64url(parts[0]!);
  const signature = base64url(parts[2]!);
  if (!header || !signature) return `${JWS} is not base64url`;
  let h: { alg?: unknown; kid?: unknown };
  try {
    h = JSON.parse(header.toString('utf8'));
  } catch {
    return `the header of ${JWS} is not JSON`;
  }
  if (h === null || typeof h !== 'object' || Array.isArray(h)) return `the header of ${JWS} is not a JSON object`;
  if (h.alg !== 'RS512') return `${JWS} says alg ${JSON.stringify(h.alg)}; Fireblocks signs with RS512`;
  return { protectedHeader: parts[0]!, kid: typeof h.kid === 'string' ? h.kid : undefined, signature };
}

// Sample events: webhooks v2 notifications (id, eventType, createdAt in ms, data), compact JSON.
const WORKSPACE = '3c7e9a1f-5b2d-4f8e-a6c4-9d1b3e5f7a20';
const TX = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const transaction = (ctx: SampleContext, status: string, subStatus: string) => ({
  id: TX, createdAt: ctx.nowMs - 1500, lastUpdated: ctx.nowMs, assetId: 'ETH_TEST5',
  source: { id: '0', type: 'VAULT_ACCOUNT', name: 'Treasury', subType: '' },
  destination: { id: '', type: 'ONE_TIME_ADDRESS', name: 'N/A', subType: '' },
  amount: 0.25, networkFee: 0.000042, netAmount: 0.25,
  sourceAddress: '0x7a9f3c1e5b2d4f8e6a4c9d1b3e5f7a2011223344', destinationAddress: '0x1f2e3d4c5b6a79880f1e2d3c4b5a697887766554',
  destinationAddressDescription: '', destinationTag: '', status, txHash: status === 'COMPLETED' ? '0x9c2b7e4f1a3d5c8e0b6f2a4d7c9e1b3f5a8d0c2e4b6f8a1c3e5d7b9f0a2c4e6d' : '',
  subStatus, signedBy: [], createdBy: 'c9d1e3f5-a7b9-4c1d-8e2f-3a4b5c6d7e8f', rejectedBy: '', amountUSD: 812.4, addressType: '',
  note: 'whk sample withdrawal', exchangeTxId: '', requestedAmount: 0.25, feeCurrency: 'ETH_TEST5', operation: 'TRANSFER',
  customerRefId: null, numOfConfirmations: status === 'COMPLETED' ? 3 : 0, amountInfo: { amount: '0.25', requestedAmount: '0.25', netAmount: '0.25', amountUSD: '812.40' },
  feeInfo: { networkFee: '0.000042', gasPrice: '2' }, destinations: [], externalTxId: null, blockInfo: { blockHeight: status === 'COMPLETED' ? '7254113' : null, blockHash: null },
  signedMessages: [], assetType: 'BASE_ASSET',
});
const notification = (eventType: string, data: (ctx: SampleContext) => unknown, resource = true) => (ctx: SampleContext) => JSON.stringify({
  id: ctx.id, ...(resource ? { resourceId: TX } : {}), workspaceId: WORKSPACE, eventType, eventVersion: 1, createdAt: ctx.nowMs, data: data(ctx),
});

const samples: Samples = {
  scheme: 'fireblocks',
  newId: uuid,
  events: [
    { event: 'transaction.status.updated', description: 'a transaction completed (webhooks v2)', body: notification('transaction.status.updated', (ctx) => transaction(ctx, 'COMPLETED', 'CONFIRMED')) },
    { event: 'transaction.created', description: 'a new transaction was submitted (webhooks v2)', body: notification('transaction.created', (ctx) => transaction(ctx, 'SUBMITTED', '')) },
    {
      event: 'vault_account.asset.added', description: 'an asset wallet was added to a vault account (webhooks v2)',
      body: notification('vault_account.asset.added', () => ({ accountId: '21', accountName: 'Treasury', assetId: 'XRP_TEST' }), false),
    },
  ],
};
fireblocks.samples = samples;
