import { uuid } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { hmacHex, nowSeconds, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret, Verdict } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, parseUnix, valid } from '../schemes/verdict.js';

/**
 * Buildkite Pipelines webhooks (https://buildkite.com/docs/apis/webhooks/pipelines, sections
 * "Webhook token", "Webhook signature", "Verifying HMAC signatures", "Defending against replay
 * attacks"). The webhook's Token setting chooses one of two headers, and every delivery carries
 * one of them; this scheme checks whichever it finds:
 * - `X-Buildkite-Signature: timestamp=<unix s>,signature=<hex HMAC-SHA256>`, keyed with the token's
 *   text, over `<timestamp>.<raw body>` (the docs' Ruby sample splits the header on "," and each
 *   part on the first "=", trimmed). The timestamp is when the request was dispatched; the docs
 *   leave the window to the receiver ("for example, 5 minutes"): 300 s either way here.
 * - `X-Buildkite-Token: <token>`: the token in clear text, compared as it is (constant time). It
 *   proves who sent the delivery, not what: the body is not signed, and there is no timestamp.
 * `whk sign` and `whk send` make the signature (the docs call it the more secure method).
 * The event name is the `X-Buildkite-Event` header and the body's `event`; Buildkite sends no
 * delivery id. The docs' example header value ("...6ldb768f1d40e0edbn6e43f0") is not a real
 * digest (it has "l" and "n"), so the check is a signer written from the docs' text
 * (test/providers/python/buildkite.py) and its vectors.
 * (This module replaces the research's definition buildkite.json, which could say the signature
 * mode only.)
 */

const SIG = 'X-Buildkite-Signature';
const TOKEN = 'X-Buildkite-Token';
const TOKEN_CHECK = 'X-Buildkite-Token compared with the webhook token: it proves who sent the delivery, not what (in token mode Buildkite does not sign the body)';

const content = (ts: string | number, body: Uint8Array | string) => Buffer.concat([Buffer.from(`${ts}.`), toBuffer(body)]);
const tokenText = (s: Secret) => (typeof s === 'string' ? s : toBuffer(s).toString('utf8'));

/** The `key=value` pairs of the header: split on ",", each on its first "=", trimmed. */
function pairs(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

const ORG = 'acme-inc';
const PIPELINE = () => ({
  id: '0190a4b2-1c2d-4e3f-8a9b-0c1d2e3f4a5b', graphql_id: 'UGlwZWxpbmUtLS0wMTkwYTRiMi0xYzJk', url: `https://api.buildkite.com/v2/organizations/${ORG}/pipelines/webapp`,
  web_url: `https://buildkite.com/${ORG}/webapp`, name: 'webapp', description: 'The web application', slug: 'webapp',
  repository: 'git@github.com:acme-inc/webapp.git', cluster_id: '0190a4b2-5e6f-4a7b-9c8d-1e2f3a4b5c6d', branch_configuration: null, default_branch: 'main',
  skip_queued_branch_builds: false, cancel_running_branch_builds: false, provider: { id: 'github', settings: { trigger_mode: 'code' } },
  builds_url: `https://api.buildkite.com/v2/organizations/${ORG}/pipelines/webapp/builds`, badge_url: 'https://badge.buildkite.com/5c1e9a7b3d2f.svg',
  created_at: '2024-03-11T09:12:40.000Z', archived_at: null, visibility: 'private', tags: null, steps: [],
  created_by: { id: '0188c2e1-7a6b-4c5d-9e8f-0a1b2c3d4e5f', name: 'Dana Lee', email: 'dana@acme.example', created_at: '2023-06-01T10:00:00.000Z' },
  env: null, scheduled_builds_count: 0, running_builds_count: 0, scheduled_jobs_count: 0, running_jobs_count: 0, waiting_jobs_count: 0,
});
const SENDER = { id: '8d5f0a1e-2b3c-4d5e-9f60-718293a4b5c6', name: 'Dana Lee' };
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const build = (ctx: SampleContext, state: string, finished: boolean) => ({
  id: ctx.id, graphql_id: `QnVpbGQtLS0${ctx.id.replace(/-/g, '').slice(0, 16)}`, url: `https://api.buildkite.com/v2/organizations/${ORG}/pipelines/webapp/builds/128`,
  web_url: `https://buildkite.com/${ORG}/webapp/builds/128`, number: 128, state, cancel_reason: null, blocked: false, blocked_state: '',
  message: 'Verify webhook signatures', commit: COMMIT, branch: 'main', tag: null, env: {}, source: 'webhook',
  author: { username: 'danalee', name: 'Dana Lee', email: 'dana@acme.example' },
  creator: { id: SENDER.id, graphql_id: 'VXNlci0tLThkNWYwYTFl', name: 'Dana Lee', email: 'dana@acme.example', avatar_url: 'https://www.gravatar.com/avatar/4f3c2a1b', created_at: '2023-06-01T10:00:00.000Z' },
  created_at: ctx.created, scheduled_at: ctx.created, started_at: ctx.created, finished_at: finished ? ctx.created : null,
  meta_data: {}, pull_request: null, rebuilt_from: null, cluster_id: '0190a4b2-5e6f-4a7b-9c8d-1e2f3a4b5c6d',
});

/** Buildkite sends compact JSON; the event name is in the body and the X-Buildkite-Event header. */
const sample = (event: string, description: string, body: (ctx: SampleContext) => unknown): Sample => ({
  event, description, topic: event, body: (ctx) => JSON.stringify(body(ctx)),
});

const samples: Samples = {
  scheme: 'buildkite',
  // The build id: Buildkite sends no delivery id, and the build's UUID is what a receiver keys on.
  newId: uuid,
  headers: (_ctx, s) => ({ 'X-Buildkite-Event': s.topic ?? s.event }),
  events: [
    sample('build.finished', 'a build on main passed', (ctx) => ({ event: 'build.finished', build: build(ctx, 'passed', true), pipeline: PIPELINE(), sender: SENDER })),
    sample('build.failing', 'a build started failing', (ctx) => ({ event: 'build.failing', build: build(ctx, 'failing', false), pipeline: PIPELINE(), sender: SENDER })),
    sample('ping', 'the webhook\'s settings changed', () => ({
      event: 'ping',
      service: { id: '0190a4b2-7a8b-4c9d-8e0f-1a2b3c4d5e6f', provider: 'webhook', settings: { url: 'https://hooks.acme.example/buildkite' } },
      organization: { id: '0188c2e1-1111-4a2b-8c3d-4e5f6a7b8c9d', graphql_id: 'T3JnYW5pemF0aW9uLS0t', url: `https://api.buildkite.com/v2/organizations/${ORG}`, web_url: `https://buildkite.com/${ORG}`, name: 'Acme Inc', slug: ORG },
      sender: SENDER,
    })),
  ],
};

const expected = (ts: string | number, body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, content(ts, body));

export const buildkite: Scheme = {
  samples,
  name: 'buildkite',
  provider: 'Buildkite (Pipelines webhooks)',
  docs: 'https://buildkite.com/docs/apis/webhooks/pipelines#webhook-signature',
  checkedBy: 'docs text https://buildkite.com/docs/apis/webhooks/pipelines#webhook-signature (a Python signer written from it)',
  headers: [SIG, TOKEN],
  detect: [SIG, TOKEN],
  algorithm: 'HMAC-SHA256 hex over "timestamp.body" in X-Buildkite-Signature (timestamp=,signature=); or the token in clear in X-Buildkite-Token (the body is not signed)',
  timestamp: { where: 'timestamp= in X-Buildkite-Signature (token mode has none)', tolerance: 300, direction: 'both' },
  secretFormat: 'the webhook\'s Token (text): the HMAC key in signature mode, compared as it is in token mode',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'text',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    return { [SIG]: `timestamp=${timestamp},signature=${expected(timestamp, body)(secrets[0]!)}` };
  },

  verify(d: Delivery): Verdict {
    const header = d.headers['x-buildkite-signature'];
    if (header === undefined) return tokenMode(d);
    const p = pairs(header);
    const tsText = p.get('timestamp');
    const sig = p.get('signature');
    if (sig === undefined) return invalid('buildkite', 'malformed_header', 'X-Buildkite-Signature has no signature= part ("timestamp=<unix s>,signature=<hex>")');
    if (tsText === undefined) return invalid('buildkite', 'missing_timestamp', 'X-Buildkite-Signature has no timestamp= part ("timestamp=<unix s>,signature=<hex>")');
    const ts = parseUnix(tsText);
    if (Number.isNaN(ts)) return invalid('buildkite', 'malformed_header', `the timestamp= of X-Buildkite-Signature is not a Unix timestamp in seconds`);
    if (!/^[0-9a-f]{64}$/i.test(sig)) return malformed('buildkite', 'the signature= of X-Buildkite-Signature is not 64 hex digits', sig, 'hex');
    const index = matchSecret('buildkite', [sig.toLowerCase()], d.secrets, expected(tsText, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('buildkite', '"timestamp.body"', d.secrets.length, d.now - ts);
    return checkTimestamp(buildkite, ts, d) ?? valid('buildkite', 'raw body', index, d.now - ts);
  },

  misassemblies(d) {
    const p = pairs(d.headers['x-buildkite-signature'] ?? '');
    const [ts, sig] = [p.get('timestamp') ?? '', (p.get('signature') ?? '').toLowerCase()];
    const wrong: Array<[Buffer, string]> = [
      [toBuffer(d.body), 'the sender signed the body alone: sign "timestamp.body"'],
      [Buffer.concat([Buffer.from(ts), d.body]), 'the sender joined timestamp and body without the "." separator'],
    ];
    return wrong.map(([c, explain]) => ({ explain, matches: d.secrets.some((s) => hmacHex('sha256', s, c) === sig) }));
  },

  eventInfo: (h, json) => {
    const o = json as { event?: unknown; build?: { id?: unknown } } | null;
    const type = typeof o?.event === 'string' ? o.event : h['x-buildkite-event'];
    return { type, id: typeof o?.build?.id === 'string' ? o.build.id : undefined };
  },
};

/** A delivery without a signature: the token mode, or neither header. */
function tokenMode(d: Delivery): Verdict {
  const token = d.headers['x-buildkite-token'];
  const told = (v: Verdict): Verdict => Object.assign(v, { proof: 'token' as const, check: TOKEN_CHECK });
  if (token === undefined) return invalid('buildkite', 'missing_header', 'no X-Buildkite-Signature header (nor X-Buildkite-Token)');
  if (token.length === 0) return told(invalid('buildkite', 'malformed_header', 'X-Buildkite-Token is empty'));
  const index = matchSecret('buildkite', [token], d.secrets, tokenText);
  if (typeof index !== 'number') return index;
  if (index === -1) {
    const n = d.secrets.length;
    return told(invalid('buildkite', 'no_match', `X-Buildkite-Token does not match ${n === 1 ? 'the webhook token' : `any of the ${n} secrets`} (token mode: the token is compared as it is, the body is not signed)`));
  }
  return told({ ...valid('buildkite', 'token (the body is not signed)', index), message: 'token matches (the body is not signed)' });
}
