import { hubSign, hubVerify } from '../schemes/hub.js';
import type { Delivery, Scheme } from '../schemes/types.js';
import { uuid } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

const HOOK_ID = '492840197';
const REPO_ID = 812345678;
const owner = {
  login: 'octo-org', id: 6811672, node_id: 'MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=', avatar_url: 'https://avatars.githubusercontent.com/u/6811672?v=4',
  html_url: 'https://github.com/octo-org', type: 'Organization', site_admin: false,
};
const sender = {
  login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
  html_url: 'https://github.com/octocat', type: 'User', site_admin: false,
};
const repository = (ctx: SampleContext) => ({
  id: REPO_ID, node_id: 'R_kgDOMGwhkQ', name: 'webhooks-demo', full_name: 'octo-org/webhooks-demo', private: false, owner,
  html_url: 'https://github.com/octo-org/webhooks-demo', description: 'Receives webhooks', fork: false,
  url: 'https://api.github.com/repos/octo-org/webhooks-demo', created_at: 1716200000, updated_at: ctx.created, pushed_at: ctx.createdUnix,
  default_branch: 'main', visibility: 'public',
});
const HEAD = 'f2c7a4e1b9d3c5a7e9f1b3d5c7a9e1f3b5d7c9a1';
const BEFORE = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const commit = (ctx: SampleContext) => ({
  id: HEAD, tree_id: '1e9b3c5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e', distinct: true, message: 'Verify webhook signatures over the raw body',
  timestamp: ctx.created, url: `https://github.com/octo-org/webhooks-demo/commit/${HEAD}`,
  author: { name: 'Mona Lisa Octocat', email: 'mona@github.com', username: 'octocat' },
  committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
  added: [], removed: [], modified: ['src/webhooks.ts'],
});

/** GitHub sends compact JSON. */
const sample = (event: string, description: string, topic: string, body: (ctx: SampleContext) => unknown): Sample => ({
  event, description, topic, body: (ctx) => JSON.stringify(body(ctx)),
});

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'github',
  userAgent: 'GitHub-Hookshot/8e03811',
  // X-GitHub-Delivery is the id receivers dedupe on: a fresh GUID per delivery (kept on redelivery).
  newId: uuid,
  headers: (ctx, s) => ({
    Accept: '*/*',
    'X-GitHub-Event': s.topic ?? s.event,
    'X-GitHub-Delivery': ctx.id,
    'X-GitHub-Hook-ID': HOOK_ID,
    'X-GitHub-Hook-Installation-Target-ID': String(REPO_ID),
    'X-GitHub-Hook-Installation-Target-Type': 'repository',
  }),
  events: [
    sample('push', 'one commit pushed to main', 'push', (ctx) => ({
      ref: 'refs/heads/main', before: BEFORE, after: HEAD, repository: repository(ctx),
      pusher: { name: 'octocat', email: 'mona@github.com' }, sender,
      created: false, deleted: false, forced: false, base_ref: null,
      compare: `https://github.com/octo-org/webhooks-demo/compare/${BEFORE.slice(0, 12)}...${HEAD.slice(0, 12)}`,
      commits: [commit(ctx)], head_commit: commit(ctx),
    })),
    sample('ping', 'the event GitHub sends when a webhook is created', 'ping', (ctx) => ({
      zen: 'Design for failure.', hook_id: Number(HOOK_ID),
      hook: {
        type: 'Repository', id: Number(HOOK_ID), name: 'web', active: true, events: ['push', 'pull_request'],
        config: { content_type: 'json', insecure_ssl: '0', url: ctx.url },
        updated_at: ctx.created, created_at: ctx.created,
      },
      repository: repository(ctx), sender,
    })),
    sample('pull_request.opened', 'a pull request was opened', 'pull_request', (ctx) => ({
      action: 'opened', number: 42,
      pull_request: {
        url: 'https://api.github.com/repos/octo-org/webhooks-demo/pulls/42', id: 1934567890, number: 42, state: 'open', locked: false,
        title: 'Reject stale webhook deliveries', user: sender, body: 'Checks the timestamp tolerance before processing.',
        created_at: ctx.created, updated_at: ctx.created, draft: false,
        head: { label: 'octocat:tolerance', ref: 'tolerance', sha: HEAD },
        base: { label: 'octo-org:main', ref: 'main', sha: BEFORE },
        merged: false, commits: 1, additions: 12, deletions: 2, changed_files: 1,
      },
      repository: repository(ctx), sender,
    })),
    sample('issues.opened', 'an issue was opened', 'issues', (ctx) => ({
      action: 'opened',
      issue: {
        url: 'https://api.github.com/repos/octo-org/webhooks-demo/issues/43', id: 2345678901, number: 43,
        title: 'Webhook deliveries fail after secret rotation', user: sender, labels: [], state: 'open',
        comments: 0, created_at: ctx.created, updated_at: ctx.created, body: 'Since rotating the secret, every delivery gets 401.',
      },
      repository: repository(ctx), sender,
    })),
  ],
};


/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` (and the legacy
 * `X-Hub-Signature: sha1=<hex>`, checked only when the SHA-256 one is absent). No timestamp.
 */
export const github: Scheme = {
  samples,
  checkedBy: "SDK @octokit/webhooks-methods, and the docs' published example",
  detect: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  name: 'github',
  provider: 'GitHub',
  docs: 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries',
  secretWhere: "it is what was typed in the webhook's Secret field under Settings → Webhooks → Edit, which GitHub does not show again",
  popular: true,
  headers: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  algorithm: 'HMAC-SHA256 hex, "sha256=" prefix (legacy SHA-1 in X-Hub-Signature)',
  timestamp: null,
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign: ({ body, secrets }) => hubSign(body, secrets[0]!),

  verify: (d: Delivery) => hubVerify('github', d, '<hex>'),

  eventInfo: (h) => ({ type: h['x-github-event'], id: h['x-github-delivery'] }),
};
