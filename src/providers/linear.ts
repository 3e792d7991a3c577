import { bodyNumber } from '../schemes/fields.js';
import { hmacHex } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

const ORG = '5a2b1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TEAM = { id: '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9', key: 'ENG', name: 'Engineering' };
const actor = { id: '2c8e5a91-6f3b-4d7a-9e1c-5b8f2a6d4c3e', name: 'Ada Lovelace', email: 'ada@example.com', url: 'https://linear.app/whk/profiles/ada', type: 'user' };
const ISSUE_URL = 'https://linear.app/whk/issue/ENG-123/webhook-deliveries-fail-after-secret-rotation';

/**
 * Linear: compact JSON; `webhookTimestamp` (ms) is the send time and is signed with the body;
 * receivers reject it beyond 60 s. Linear-Delivery identifies the delivery.
 */
const sample = (type: string, action: string, description: string, data: (ctx: SampleContext) => unknown, url: string): Sample => ({
  event: `${type}.${action}`,
  topic: type,
  description,
  body: (ctx) => JSON.stringify({
    action, actor, createdAt: ctx.created, data: data(ctx), url, type,
    organizationId: ORG, webhookTimestamp: ctx.nowMs, webhookId: '9f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8',
  }),
});

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'linear',
  userAgent: 'Linear-Webhook',
  contentType: 'application/json; charset=utf-8',
  newId: uuid,
  headers: (ctx, s) => ({ 'Linear-Delivery': ctx.id, 'Linear-Event': s.topic ?? s.event }),
  events: [
    sample('Issue', 'create', 'an issue was created', (ctx) => ({
      id: '7d4f1e2a-9b3c-4c5d-8e6f-1a2b3c4d5e6f', createdAt: ctx.created, updatedAt: ctx.created, number: 123,
      title: 'Webhook deliveries fail after secret rotation', description: 'Every delivery gets 401 since the rotation.',
      priority: 2, priorityLabel: 'High', identifier: 'ENG-123', url: ISSUE_URL, teamId: TEAM.id, team: TEAM,
      stateId: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7', state: { id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7', color: '#e2e2e2', name: 'Todo', type: 'unstarted' },
      creatorId: actor.id, labelIds: [], subscriberIds: [actor.id], previousIdentifiers: [],
    }), ISSUE_URL),
    sample('Comment', 'create', 'a comment was added to an issue', (ctx) => ({
      id: '4b5c6d7e-8f90-4a1b-b2c3-d4e5f6a7b8c9', createdAt: ctx.created, updatedAt: ctx.created,
      body: 'Fixed by verifying the raw body.', issueId: '7d4f1e2a-9b3c-4c5d-8e6f-1a2b3c4d5e6f', userId: actor.id,
      issue: { id: '7d4f1e2a-9b3c-4c5d-8e6f-1a2b3c4d5e6f', title: 'Webhook deliveries fail after secret rotation' },
    }), `${ISSUE_URL}#comment-4b5c6d7e`),
  ],
};

const expected = (body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, body);

/**
 * Linear: `Linear-Signature: <hex HMAC-SHA256(secret, body)>`; the timestamp is `webhookTimestamp`
 * (milliseconds) inside the signed body, valid within 60 s either way.
 */
export const linear: Scheme = {
  samples,
  checkedBy: 'SDK @linear/sdk',
  bodyTimestamp: { field: 'webhookTimestamp', unit: 'ms' },
  name: 'linear',
  provider: 'Linear',
  docs: 'https://linear.app/developers/webhooks',
  secretWhere: "Linear shows it as the signing secret on the webhook's page, under Settings → API → Webhooks",
  headers: ['Linear-Signature'],
  algorithm: 'HMAC-SHA256 hex, no prefix',
  timestamp: { where: 'webhookTimestamp (ms) in the JSON body', tolerance: 60, direction: 'both' },
  secretFormat: 'the webhook signing secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json; charset=utf-8',

  sign: ({ body, secrets }) => ({ 'Linear-Signature': expected(body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['linear-signature'];
    if (header === undefined) return invalid('linear', 'missing_header', 'no Linear-Signature header');
    if (!/^[0-9a-f]{64}$/i.test(header.trim())) return malformed('linear', 'Linear-Signature is not 64 hex digits', header, 'hex');
    const index = matchSecret('linear', [header.trim().toLowerCase()], d.secrets, expected(d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('linear', 'the raw body', d.secrets.length);
    const ms = bodyNumber(d.body, 'webhookTimestamp');
    if (ms === undefined) return invalid('linear', 'missing_timestamp', 'the signature matches, but the body has no numeric webhookTimestamp (ms)');
    return checkTimestamp(linear, ms / 1000, d) ?? valid('linear', 'raw body', index, d.now - ms / 1000);
  },

  eventInfo: (h, json) => {
    const o = (json ?? {}) as { type?: unknown; action?: unknown };
    const type = typeof o.type === 'string' ? (typeof o.action === 'string' ? `${o.type}.${o.action}` : o.type) : undefined;
    return { type, id: h['linear-delivery'] };
  },
};
