import { uuid } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { toBuffer, whsecKey } from '../schemes/hmac.js';
import { standardFamily } from '../schemes/standard.js';
import type { Delivery, Scheme, Secret, Valid, Verdict } from '../schemes/types.js';
import { invalid, matchSecret, valid } from '../schemes/verdict.js';

/**
 * GitLab webhooks (https://docs.gitlab.com/user/project/integrations/webhooks/), two ways to
 * check a delivery, whichever it carries:
 * - The secret token: sent as it is in `X-Gitlab-Token` and compared (constant time) with the
 *   token configured on the webhook. It proves who sent the delivery, not what: the body is not
 *   signed, and a captured delivery can be replayed (no timestamp).
 * - The signing token (GitLab 19.0, "Secure webhooks with HMAC signing tokens"; merge request
 *   gitlab-org/gitlab!230944): Standard Webhooks headers `webhook-id` (the Idempotency-Key),
 *   `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>`,
 *   keyed with the decoded `whsec_<base64>` token (32 bytes). Checked as the Standard Webhooks
 *   library does: 300 s either way.
 * A secret that starts with `whsec_` is a signing token; any other is a secret token. Given both,
 * a delivery that carries a signature is judged by it.
 * Other headers: `X-Gitlab-Event` ("Push Hook"), `X-Gitlab-Event-UUID`, `X-Gitlab-Webhook-UUID`,
 * `X-Gitlab-Instance`, `Idempotency-Key` (kept across retries: the id receivers dedupe on),
 * `User-Agent: GitLab/<version>`. The body is compact JSON with `object_kind`.
 */

const SIGNING = /^whsec_/;
const isSigning = (s: Secret) => typeof s === 'string' && SIGNING.test(s.trim());
const TOKEN = 'X-Gitlab-Token';
const SIG = 'webhook-signature';
const TOKEN_MESSAGE = 'token matches (the body is not signed)';
const TOKEN_CHECK = 'X-Gitlab-Token compared with the secret token: it proves who sent the delivery, not what (GitLab does not sign the body with a secret token)';

const PROJECT = {
  id: 61412345, name: 'webhooks-demo', description: 'Receives webhooks', web_url: 'https://gitlab.com/acme-dev/webhooks-demo', avatar_url: null,
  git_ssh_url: 'git@gitlab.com:acme-dev/webhooks-demo.git', git_http_url: 'https://gitlab.com/acme-dev/webhooks-demo.git', namespace: 'acme-dev',
  visibility_level: 0, path_with_namespace: 'acme-dev/webhooks-demo', default_branch: 'main', ci_config_path: '',
  homepage: 'https://gitlab.com/acme-dev/webhooks-demo', url: 'git@gitlab.com:acme-dev/webhooks-demo.git',
  ssh_url: 'git@gitlab.com:acme-dev/webhooks-demo.git', http_url: 'https://gitlab.com/acme-dev/webhooks-demo.git',
};
const USER = { id: 4108712, name: 'Jordan Smith', username: 'jsmith', avatar_url: 'https://secure.gravatar.com/avatar/8a1f0c2d?s=80&d=identicon', email: '[REDACTED]' };
const HEAD = '9f2d5c1e7a3b8d4f6e0c2a4b6d8f0e1c3a5b7d9f';
const BEFORE = '4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a';
const REPOSITORY = {
  name: 'webhooks-demo', url: 'git@gitlab.com:acme-dev/webhooks-demo.git', description: 'Receives webhooks',
  homepage: 'https://gitlab.com/acme-dev/webhooks-demo', git_http_url: 'https://gitlab.com/acme-dev/webhooks-demo.git',
  git_ssh_url: 'git@gitlab.com:acme-dev/webhooks-demo.git', visibility_level: 0,
};
/** GitLab's times in payloads: "2025-06-02 09:41:17 UTC". */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** GitLab sends compact JSON (`to_json`). */
const sample = (event: string, description: string, topic: string, body: (ctx: SampleContext) => unknown): Sample => ({
  event, description, topic, body: (ctx) => JSON.stringify(body(ctx)),
});

const samples: Samples = {
  scheme: 'gitlab',
  userAgent: 'GitLab/18.2.0-ee',
  // Idempotency-Key: the same on every retry of one delivery, what receivers dedupe on.
  newId: uuid,
  headers: (ctx, s) => ({
    'X-Gitlab-Event': s.topic ?? 'Push Hook',
    'X-Gitlab-Webhook-UUID': uuid(),
    'X-Gitlab-Event-UUID': ctx.delivery,
    'X-Gitlab-Instance': 'https://gitlab.com',
    'Idempotency-Key': ctx.id,
  }),
  events: [
    sample('push', 'one commit pushed to main', 'Push Hook', (ctx) => ({
      object_kind: 'push', event_name: 'push', before: BEFORE, after: HEAD, ref: 'refs/heads/main', ref_protected: true, checkout_sha: HEAD,
      message: null, user_id: USER.id, user_name: USER.name, user_username: USER.username, user_email: '', user_avatar: USER.avatar_url,
      project_id: PROJECT.id, project: PROJECT,
      commits: [{
        id: HEAD, message: 'Verify the X-Gitlab-Token header\n', title: 'Verify the X-Gitlab-Token header', timestamp: ctx.created.replace(/\.\d+Z$/, '+00:00'),
        url: `https://gitlab.com/acme-dev/webhooks-demo/-/commit/${HEAD}`, author: { name: USER.name, email: 'jsmith@example.com' },
        added: [], modified: ['app/webhooks.rb'], removed: [],
      }],
      total_commits_count: 1, push_options: {}, repository: REPOSITORY,
    })),
    sample('merge_request.open', 'a merge request was opened', 'Merge Request Hook', (ctx) => ({
      object_kind: 'merge_request', event_type: 'merge_request', user: USER, project: PROJECT,
      object_attributes: {
        id: 312345678, iid: 42, title: 'Reject deliveries without a valid token', description: 'Compares the token in constant time.',
        source_branch: 'token-check', target_branch: 'main', source_project_id: PROJECT.id, target_project_id: PROJECT.id,
        author_id: USER.id, state: 'opened', merge_status: 'checking', detailed_merge_status: 'checking', draft: false,
        created_at: utc(ctx.created), updated_at: utc(ctx.created), url: 'https://gitlab.com/acme-dev/webhooks-demo/-/merge_requests/42',
        last_commit: { id: HEAD, message: 'Reject deliveries without a valid token\n', title: 'Reject deliveries without a valid token', timestamp: ctx.created.replace(/\.\d+Z$/, '+00:00'), url: `https://gitlab.com/acme-dev/webhooks-demo/-/commit/${HEAD}`, author: { name: USER.name, email: 'jsmith@example.com' } },
        action: 'open',
      },
      labels: [], changes: {}, repository: REPOSITORY,
    })),
    sample('pipeline.failed', 'a pipeline on main failed', 'Pipeline Hook', (ctx) => ({
      object_kind: 'pipeline',
      object_attributes: {
        id: 1834567890, iid: 318, name: null, ref: 'main', tag: false, sha: HEAD, before_sha: BEFORE, source: 'push', status: 'failed',
        detailed_status: 'failed', stages: ['build', 'test'], created_at: utc(ctx.created), finished_at: utc(ctx.created), duration: 214, queued_duration: 3,
        variables: [], url: 'https://gitlab.com/acme-dev/webhooks-demo/-/pipelines/1834567890',
      },
      merge_request: null, user: USER, project: PROJECT,
      commit: { id: HEAD, message: 'Verify the X-Gitlab-Token header\n', title: 'Verify the X-Gitlab-Token header', timestamp: ctx.created.replace(/\.\d+Z$/, '+00:00'), url: `https://gitlab.com/acme-dev/webhooks-demo/-/commit/${HEAD}`, author: { name: USER.name, email: 'jsmith@example.com' } },
      builds: [],
    })),
  ],
};

/** The signing-token check: Standard Webhooks with GitLab's headers. */
const signing = standardFamily({
  name: 'gitlab', provider: 'GitLab', prefix: 'webhook', key: whsecKey,
  secretFormat: 'a GitLab signing token, whsec_<base64>',
});

const tokenText = (s: Secret) => (typeof s === 'string' ? s : toBuffer(s).toString('utf8'));

/** A secret token's verdict: what was compared is a token, not a signature. */
const tokenVerdict = (v: Verdict): Verdict => Object.assign(v, { proof: 'token' as const, check: TOKEN_CHECK });

export const gitlab: Scheme = {
  samples,
  name: 'gitlab',
  provider: 'GitLab',
  secretWhere: "it is the Secret token typed in the webhook's settings, under Settings → Webhooks",
  docs: 'https://docs.gitlab.com/user/project/integrations/webhooks/#validate-payloads-by-using-a-secret-token',
  checkedBy: 'docs text https://docs.gitlab.com/user/project/integrations/webhooks/ (secret token); SDK standardwebhooks (signing token, GitLab 19.0)',
  headers: [TOKEN, SIG, 'webhook-id', 'webhook-timestamp'],
  detect: [TOKEN, 'X-Gitlab-Event'],
  algorithm: 'secret token compared as it is (X-Gitlab-Token: the body is not signed); or, with a signing token, Standard Webhooks HMAC-SHA256 base64 "v1,<sig>" over "id.timestamp.body"',
  // The secret token has none; a signing token's webhook-timestamp is checked at 300 s either
  // way (below), unless a tolerance is given.
  timestamp: null,
  secretFormat: 'the webhook\'s secret token (text), or its signing token whsec_<base64>',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'token',
  placeholderSecret: 'whk-placeholder-gitlab-token',
  // A token says nothing of the body; a signing token signs it.
  signsBody: (secrets) => secrets.some(isSigning),

  sign(input) {
    const secret = input.secrets[0]!;
    if (isSigning(secret)) return signing.sign({ ...input, secrets: [secret] });
    return { [TOKEN]: tokenText(secret) };
  },

  verify(d: Delivery): Verdict {
    const token = d.headers['x-gitlab-token'];
    const signature = d.headers[SIG];
    const signingSecrets = d.secrets.map((s, i) => [s, i] as const).filter(([s]) => isSigning(s));
    if (signature !== undefined && signingSecrets.length > 0) {
      const v = signing.verify({ ...d, secrets: signingSecrets.map(([s]) => s), tolerance: Number.isFinite(d.tolerance) ? d.tolerance : 300 });
      if (v.valid) return { ...v, secretIndex: signingSecrets[v.secretIndex]![1], matched: 'raw body (signing token)' } satisfies Valid;
      return v;
    }
    if (token === undefined) {
      if (signature !== undefined) {
        return invalid('gitlab', 'bad_secret', 'the delivery is signed with a GitLab signing token (webhook-signature) and carries no X-Gitlab-Token: the secret must be that signing token, whsec_<base64>');
      }
      return tokenVerdict(invalid('gitlab', 'missing_header', 'no X-Gitlab-Token header: the webhook has no secret token (nor a signing token)'));
    }
    if (token.length === 0) return tokenVerdict(invalid('gitlab', 'malformed_header', 'X-Gitlab-Token is empty'));
    const index = matchSecret('gitlab', [token], d.secrets, tokenText);
    if (typeof index !== 'number') return index;
    if (index === -1) {
      const n = d.secrets.length;
      return tokenVerdict(invalid('gitlab', 'no_match', `X-Gitlab-Token does not match ${n === 1 ? 'the secret token' : `any of the ${n} secrets`} (a token is compared as it is: the body is not signed)`));
    }
    const also = signature !== undefined ? '; the delivery also carries a webhook-signature: give the signing token (whsec_…) to check the body too' : '';
    return tokenVerdict({ ...valid('gitlab', 'token (the body is not signed)', index), message: TOKEN_MESSAGE + also });
  },

  eventInfo: (h, json) => {
    const kind = (json as { object_kind?: unknown } | null)?.object_kind;
    return { type: typeof kind === 'string' ? kind : h['x-gitlab-event'], id: h['idempotency-key'] ?? h['x-gitlab-event-uuid'] };
  },
};
