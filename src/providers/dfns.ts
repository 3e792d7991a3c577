import { bodyNumber } from '../schemes/fields.js';
import { hmacHex, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { dfnsId } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

// A small, consistent world: one wallet on Ethereum Sepolia, one user, one policy.
const WALLET = 'wa-5pfuu-9euek-h0odgb6snva8ph3k';
const ADDRESS = '0x6dd6f0e7ea8cd73e2bb4a3e6b2b5dd0bcc2a5ba9';
const TO = '0xb282dc7cde21717f18337a596e91ded00b79b25f';
const REQUESTER = { userId: 'us-6b58p-r53sr-rlrd3l5cj3uc4ome', tokenId: 'to-202a0-cdo33-o65mbt6q758lvvnt' };
const ETH = { symbol: 'ETH', decimals: 18, verified: true, quotes: { EUR: 2987.61, USD: 3245.18 } };
const TRANSFER_ID = 'xfr-20g4k-nsdpo-mg6arrifgvid4orn';
const TX_HASH = '0x1f0a6e3e2d7c3b1f9a4d5c6b7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012';
const APPROVAL_ID = 'ap-2a9in-tt2a1-983lho480p35ejd0';
const POLICY_ID = 'plc-3o5vq-0fsl8-9bl4bu5ob2fvnr9s';

/**
 * The Dfns Webhook Event envelope, serialized compact as Dfns sends it. `timestampSent` is the
 * send time (the signed timestamp); a retry carries `deliveryAttempt` n + 1 and `retryOf`. whk
 * keeps the same `id` on retries so that receivers and `whk listen --fail-first` see one event.
 */
const envelope = (kind: string, data: (ctx: SampleContext) => unknown): Sample['body'] => (ctx) =>
  JSON.stringify({
    id: ctx.id,
    date: ctx.created,
    kind,
    data: data(ctx),
    timestampSent: ctx.now,
    deliveryAttempt: ctx.attempt,
    ...(ctx.attempt > 1 ? { retryOf: ctx.id } : {}),
  });

const transferRequest = (ctx: SampleContext, status: string, extra: Record<string, unknown> = {}) => ({
  transferRequest: {
    id: TRANSFER_ID,
    walletId: WALLET,
    network: 'EthereumSepolia',
    requester: REQUESTER,
    requestBody: { kind: 'Native', to: TO, amount: '1500000000000000000' },
    metadata: { asset: ETH },
    status,
    dateRequested: ctx.created,
    ...extra,
  },
});
const broadcasted = (ctx: SampleContext) => ({ txHash: TX_HASH, fee: '21000000000000', dateBroadcasted: ctx.created });

const policyActivity = (ctx: SampleContext) => ({ kind: 'Wallets:Sign', transferRequest: transferRequest(ctx, 'PendingApproval').transferRequest });
const evaluated = [{ policyId: POLICY_ID, triggered: true, reason: 'Transfer of 1.5 ETH (4,867.77 USD) is above the 1,000 USD limit' }];

const kind = (name: string, description: string, data: (ctx: SampleContext) => unknown): Sample => ({ event: name, description, body: envelope(name, data) });

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'dfns',
  newId: () => dfnsId('wh'),
  events: [
    kind('wallet.transfer.confirmed', 'a native ETH transfer confirmed on chain', (ctx) =>
      transferRequest(ctx, 'Confirmed', { ...broadcasted(ctx), dateConfirmed: ctx.created })),
    kind('ping', 'a test event, like the one "Ping Webhook" pushes (Dfns does not document its shape)', (ctx) => ({
      message: 'This is a test event sent by whk to check that your webhook endpoint is reachable',
      date: ctx.created,
    })),
    kind('wallet.created', 'a wallet was created', (ctx) => ({
      wallet: {
        id: WALLET,
        network: 'EthereumSepolia',
        address: ADDRESS,
        signingKey: { id: 'key-01snl-t56gb-j8ssp8jq0ll8etgn', scheme: 'ECDSA', curve: 'secp256k1', publicKey: '02a4a0f1bb5a6f02e8dd2f1b7a1bb6b4e0e9ab7b7c0b4a4d7a9a3b2d9e8e2b5f1c' },
        status: 'Active',
        dateCreated: ctx.created,
        name: 'Treasury',
        custodial: true,
        tags: [],
      },
    })),
    kind('wallet.blockchainevent.detected', 'an incoming ETH deposit seen on chain', (ctx) => ({
      walletEvent: {
        walletId: WALLET,
        network: 'EthereumSepolia',
        blockNumber: 6812345,
        timestamp: ctx.created,
        txHash: TX_HASH,
        index: '0x1f',
        kind: 'NativeTransfer',
        direction: 'In',
        value: '250000000000000000',
        fee: '21000000000000',
        from: TO,
        to: ADDRESS,
        verified: true,
        metadata: { asset: ETH },
      },
    })),
    kind('wallet.transfer.requested', 'a transfer request was created', (ctx) => transferRequest(ctx, 'Pending')),
    kind('wallet.transfer.broadcasted', 'a transfer was submitted to the mempool', (ctx) => transferRequest(ctx, 'Broadcasted', broadcasted(ctx))),
    kind('wallet.transfer.failed', 'a transfer failed to process', (ctx) =>
      transferRequest(ctx, 'Failed', { reason: 'insufficient funds for gas * price + value' })),
    kind('wallet.transfer.rejected', 'a transfer was rejected by a policy approval', (ctx) =>
      transferRequest(ctx, 'Rejected', { approvalId: APPROVAL_ID, datePolicyResolved: ctx.created })),
    kind('wallet.signature.signed', 'a signature request completed', (ctx) => ({
      signatureRequest: {
        id: 'sig-59rhs-hlu20-8r6mjpm0k6sq2ip6',
        walletId: WALLET,
        network: 'EthereumSepolia',
        requester: REQUESTER,
        requestBody: { kind: 'Message', message: '0x48656c6c6f2c20776f726c6421' },
        status: 'Signed',
        signature: {
          r: '0x8d2b7a1d3a5c9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170',
          s: '0x1c2b3a4958677685f4e3d2c1b0a9f8e7d6c5b4a3928170f6e5d4c3b2a1908f7',
          recid: 1,
        },
        dateRequested: ctx.created,
        dateSigned: ctx.created,
      },
    })),
    kind('policy.triggered', 'a policy rule matched an activity', (ctx) => ({
      policy: {
        id: POLICY_ID,
        name: 'Transfers above 1,000 USD need an approval',
        activityKind: 'Wallets:Sign',
        rule: { kind: 'TransactionAmountLimit', configuration: { limit: 1000, currency: 'USD' } },
        action: { kind: 'RequestApproval', autoRejectTimeout: 3600 },
        status: 'Active',
      },
      activity: policyActivity(ctx),
      approvalId: APPROVAL_ID,
    })),
    kind('policy.approval.pending', 'an approval is waiting for a decision', (ctx) => ({
      approval: {
        id: APPROVAL_ID,
        initiatorId: REQUESTER.userId,
        status: 'Pending',
        dateCreated: ctx.created,
        activity: policyActivity(ctx),
        evaluatedPolicies: evaluated,
        decisions: [],
      },
    })),
    kind('policy.approval.resolved', 'an approval was decided (approved)', (ctx) => ({
      approval: {
        id: APPROVAL_ID,
        initiatorId: REQUESTER.userId,
        status: 'Approved',
        dateCreated: ctx.created,
        dateResolved: ctx.created,
        activity: policyActivity(ctx),
        evaluatedPolicies: evaluated,
        decisions: [{ userId: 'us-2ahcf-0ba3u-9ghcbepa3mo6qm6s', date: ctx.created, value: 'Approved', reason: 'known counterparty' }],
      },
    })),
  ],
};

const HEADER = 'x-dfns-webhook-signature';
const expected = (body: Uint8Array | string) => (secret: Secret) => `sha256=${hmacHex('sha256', secret, body)}`;

/** `JSON.stringify(JSON.parse(raw))`, what the Dfns Node sample signs; undefined when not JSON. */
export function compactJson(raw: Buffer): string | undefined {
  try {
    return JSON.stringify(JSON.parse(raw.toString('utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Dfns: `X-DFNS-WEBHOOK-SIGNATURE: sha256=<hex HMAC-SHA256(secret, body)>`; the timestamp is the
 * payload's `timestampSent`, valid while |now - timestampSent| < 300 s.
 */
export const dfns: Scheme = {
  samples,
  docs: 'https://docs.dfns.co/',
  checkedBy: "docs example: the Node and Python samples of Dfns's \"Set up webhooks\" page, run as receivers in the tests",
  name: 'dfns',
  provider: 'Dfns',
  secretWhere: 'Dfns gives it once, when the webhook is created',
  headers: ['X-DFNS-WEBHOOK-SIGNATURE'],
  algorithm: 'HMAC-SHA256, hex, "sha256=" prefix; body = compact JSON',
  timestamp: { where: 'timestampSent in the JSON body', tolerance: 300, direction: 'both', strict: true },
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign({ body, secrets }) {
    return { 'X-DFNS-WEBHOOK-SIGNATURE': expected(body)(secrets[0]!) };
  },

  verify(d: Delivery) {
    const header = d.headers[HEADER];
    if (header === undefined) return invalid('dfns', 'missing_header', 'no X-DFNS-WEBHOOK-SIGNATURE header');
    const presented = [header.trim().toLowerCase()];
    if (!/^sha256=[0-9a-f]{64}$/.test(presented[0]!)) {
      return malformed('dfns', 'X-DFNS-WEBHOOK-SIGNATURE is not "sha256=<64 hex digits>"', header, 'hex');
    }
    let matched = 'raw body';
    let index = matchSecret('dfns', presented, d.secrets, expected(d.body));
    let compact: string | undefined;
    if (index === -1 && !(d.rawOnlyAbove !== undefined && d.body.length > d.rawOnlyAbove)) {
      // Dfns signs compact JSON. A body that reached us re-spaced still carries the signed text
      // once its insignificant whitespace is gone (big integers intact), and failing that, the
      // docs' own samples re-serialize the parsed payload.
      const stripped = stripJsonWhitespace(d.body.toString('utf8'));
      if (stripped !== undefined && !toBuffer(stripped).equals(d.body)) {
        matched = 'body without its insignificant whitespace';
        index = matchSecret('dfns', presented, d.secrets, expected(stripped));
      }
      if (index === -1 && !(stripped !== undefined && surelyCanonical(stripped)) && (compact = compactJson(d.body)) !== undefined && compact !== stripped) {
        matched = 'compact re-serialization of the body';
        index = matchSecret('dfns', presented, d.secrets, expected(compact));
      }
    }
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('dfns', compact === undefined ? 'the raw body' : 'the raw body nor its compact re-serialization', d.secrets.length);
    const ts = bodyNumber(d.body, 'timestampSent');
    if (ts === undefined) return invalid('dfns', 'missing_timestamp', 'the signature matches, but the body has no numeric timestampSent field');
    return checkTimestamp(dfns, ts, d) ?? valid('dfns', matched, index, d.now - ts);
  },

  eventInfo: (_h, json) => {
    const o = json as { kind?: unknown; id?: unknown } | null;
    return { type: typeof o?.kind === 'string' ? o.kind : undefined, id: typeof o?.id === 'string' ? o.id : undefined };
  },

  bodyTimestamp: { field: 'timestampSent', unit: 's' },
  // Dfns sends compact JSON: unusual formatting is not something its receivers must accept.
  compactJson: true,
  bodyNotes(body) {
    const compact = compactJson(body);
    return compact !== undefined && !Buffer.from(compact).equals(body)
      ? ["this body changes when re-serialized (JSON.stringify(JSON.parse(body)): spacing, escapes or integers beyond 2^53); Dfns sends compact JSON, and receivers that follow Dfns's sample code verify the re-serialization, so they will refuse it"]
      : [];
  },
  // What breaks is the re-parsing that the Dfns documentation's own samples do: WARNs. Added as
  // text, since JSON.stringify cannot write an integer beyond 2^53.
  probeChecks(raw) {
    const withMember = (member: string) => Buffer.from(raw.toString('utf8').replace(/"data":\{(\}?)/, (_m, empty: string) => `"data":{${member}${empty ? '}' : ','}`));
    return [
      {
        id: 'big-integer', title: 'integer beyond 2^53 (compact, as Dfns sends it)', warnOnly: true,
        sent: 'the event with "amount":12345678901234567890 in data, compact JSON', body: withMember('"amount":12345678901234567890'),
        explain: "your receiver re-serializes the parsed payload, like the Dfns docs' samples (JSON.stringify(JSON.parse(body))): integers beyond 2^53 lose precision and the signature no longer matches; verify the raw body",
      },
      {
        id: 'non-ascii', title: 'non-ASCII text (compact, as Dfns sends it)', warnOnly: true,
        sent: 'the event with "memo":"café ☕" in data, compact JSON', body: withMember('"memo":"café ☕"'),
        explain: "your receiver re-serializes the payload like the Dfns docs' Python sample: json.dumps escapes non-ASCII text (ensure_ascii=True), so the signature no longer matches; verify the raw body",
      },
    ];
  },
};

/**
 * JSON text with the whitespace between tokens removed (strings untouched); undefined if it ends
 * inside a string. Text with no whitespace next to a structural character (nor at either end)
 * has none between tokens and comes back as it is, at the cost of one scan: a forged compact
 * 800 KB body costs a millisecond here, not the tens a full pass takes.
 */
export function stripJsonWhitespace(text: string): string | undefined {
  if (!hasInsignificantWhitespace(text)) return text;
  let unterminated = false;
  const out = text.replace(/"(?:[^"\\]|\\[\s\S])*("?)|[ \n\r\t]+/g, (m: string, close: string | undefined) => {
    if (m.charCodeAt(0) !== 34 /* " */) return '';
    if (close === '') unterminated = true;
    return m;
  });
  return unterminated ? undefined : out;
}

/**
 * Whether compact JSON text is already what `JSON.stringify(JSON.parse(text))` gives back: no
 * escapes to rewrite and no number to normalize (a fraction or exponent). Conservative: a false
 * only means the re-serialization is tried.
 */
const surelyCanonical = (compact: string) => !compact.includes('\\') && !/\d[.eE]/.test(compact) && !/[:,[]-0(?![.\d])/.test(compact);

/** Whitespace next to a structural character or at either end (simple scans: a regular expression of alternatives is several times slower on large bodies). */
function hasInsignificantWhitespace(text: string): boolean {
  if (!/[ \n\r\t]/.test(text)) return false;
  return /[ \n\r\t][,:{}[\]]/.test(text) || /[,:{}[\]][ \n\r\t]/.test(text) || /^[ \n\r\t]/.test(text) || /[ \n\r\t]$/.test(text);
}
