import { createHash } from 'node:crypto';
import { usage } from '../errors.js';
import { uuid } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { parseJsonBody, setStringField } from '../schemes/fields.js';
import { toBuffer } from '../schemes/hmac.js';
import type { Delivery, Invalid, Scheme, SignedBody, SignInput } from '../schemes/types.js';
import { checkTimestamp, invalid, noMatch, valid } from '../schemes/verdict.js';
import { base64, PLACEHOLDER_RSA, signingKey, signWith, verifyingKey, verifyWith } from './keypair.js';

/**
 * Amazon SNS HTTP(S) deliveries. The signature is in the JSON body, not a header: `Signature` is
 * the base64 RSA signature (PKCS#1 v1.5; SHA1 for `SignatureVersion` "1", SHA256 for "2") of the
 * string to sign, "name\nvalue\n" for each signed field in byte order, which depend on `Type`:
 *   Notification: Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type
 *   SubscriptionConfirmation, UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 *     Timestamp, Token, TopicArn, Type
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). Receivers
 * verify with the certificate `SigningCertURL` names; whk never fetches it: the certificate (or
 * its public key) is the secret. The `x-amz-sns-*` headers only identify the delivery.
 *
 * No timestamp tolerance of its own: AWS's validators (aws-js-sns-message-validator,
 * aws-php-sns-message-validator) check none, and SNS retries a delivery for up to an hour with
 * its first `Timestamp`. A tolerance the caller gives is enforced (past and future).
 */
const TYPES: Record<string, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};
/** Optional in the string to sign: present only when the message has it. */
const OPTIONAL = new Set(['Subject']);
const HASH: Record<string, string> = { 1: 'sha1', 2: 'sha256' };

type Message = Record<string, unknown>;

/** The string to sign, or why there is none (a sentence). */
export function stringToSign(m: Message): { text: string } | { problem: string } {
  const type = m.Type;
  if (typeof type !== 'string') return { problem: 'the body has no Type field (Notification, SubscriptionConfirmation, UnsubscribeConfirmation)' };
  const fields = TYPES[type];
  if (!fields) return { problem: `the body's Type "${type}" is not one Amazon SNS signs (Notification, SubscriptionConfirmation, UnsubscribeConfirmation)` };
  let text = '';
  for (const f of fields) {
    const v = m[f];
    if (v === undefined || v === null) {
      if (OPTIONAL.has(f)) continue;
      return { problem: `the body has no ${f} field, which a ${type} signs` };
    }
    if (typeof v !== 'string') return { problem: `the body's ${f} is not a string` };
    text += `${f}\n${v}\n`;
  }
  return { text };
}

const message = (body: Buffer): Message | undefined => {
  const v = parseJsonBody(body)?.value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Message) : undefined;
};

/** The body with `SignatureVersion` (kept, "1" when absent) and `Signature` written in. */
function signBody({ body, secrets }: SignInput): SignedBody {
  const key = signingKey(secrets[0]!, 'rsa', 'amazon-sns');
  let raw = toBuffer(body);
  const m = message(raw);
  if (!m) throw usage('not_sns_body', 'amazon-sns signs fields of its JSON body (Type, MessageId, Message, Timestamp, TopicArn...): the body is not a JSON object');
  const s = stringToSign(m);
  if ('problem' in s) throw usage('not_sns_body', `amazon-sns cannot sign this body: ${s.problem}`);
  let version = m.SignatureVersion;
  if (version === undefined) {
    version = '1';
    raw = setStringField(raw, 'SignatureVersion', '1')!;
  }
  const hash = typeof version === 'string' ? HASH[version] : undefined;
  if (!hash) throw usage('not_sns_body', `amazon-sns signs with SignatureVersion "1" (SHA1) or "2" (SHA256), not ${JSON.stringify(version)}`);
  const sig = signWith(hash, key, Buffer.from(s.text, 'utf8')).toString('base64');
  const out = setStringField(raw, 'Signature', sig)!;
  // Where the signature's text is, for the negative modes (base64 needs no JSON escape).
  const at = out.lastIndexOf(Buffer.from(`"${sig}"`)) + 1;
  return { body: out, signature: [at, at + sig.length] };
}

/** The SubscriptionArn an UnsubscribeURL carries (SNS repeats it in x-amz-sns-subscription-arn). */
const subscriptionArn = (u: unknown) => (typeof u === 'string' ? /[?&]SubscriptionArn=([^&]+)/.exec(u)?.[1] : undefined);

export const amazonSns: Scheme = {
  name: 'amazon-sns',
  provider: 'Amazon SNS (HTTP/S subscriptions)',
  docs: 'https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html',
  checkedBy: 'docs text (AWS\'s string to sign), a Python signer written from it, and the openssl CLI in both directions',
  aliases: ['sns'],
  headers: ['x-amz-sns-message-type', 'x-amz-sns-message-id', 'x-amz-sns-topic-arn'],
  detect: ['x-amz-sns-message-type'],
  algorithm: 'RSA (SHA1 for SignatureVersion 1, SHA256 for 2) over the string to sign of the body\'s fields; Signature in the body, base64',
  timestamp: null,
  secretFormat: 'sign: an RSA private key (PEM); verify: the signing certificate (PEM, what SigningCertURL serves) or its public key',
  multipleSecrets: false,
  contentType: 'text/plain; charset=UTF-8',
  keyKind: 'rsa',
  placeholderSecret: PLACEHOLDER_RSA,
  signBody,

  // The headers SNS sends with the body: they identify the delivery; nothing in them is signed.
  sign({ body, secrets }) {
    signingKey(secrets[0]!, 'rsa', 'amazon-sns');
    const m = message(toBuffer(body));
    if (!m) return {};
    const out: Record<string, string> = {};
    const put = (name: string, v: unknown) => void (typeof v === 'string' && (out[name] = v));
    put('x-amz-sns-message-type', m.Type);
    put('x-amz-sns-message-id', m.MessageId);
    put('x-amz-sns-topic-arn', m.TopicArn);
    if (m.Type === 'Notification') put('x-amz-sns-subscription-arn', subscriptionArn(m.UnsubscribeURL));
    return out;
  },

  verify(d: Delivery) {
    const keys = [];
    for (const s of d.secrets) {
      try {
        keys.push(verifyingKey(s, 'rsa', 'amazon-sns'));
      } catch (e) {
        return invalid('amazon-sns', 'bad_secret', (e as Error).message);
      }
    }
    const m = message(d.body);
    if (!m) return invalid('amazon-sns', 'malformed_header', 'the body is not a JSON object: Amazon SNS signs fields of its JSON body');
    if (m.Signature === undefined || m.Signature === '') return invalid('amazon-sns', 'missing_header', `the body has ${m.Signature === '' ? 'an empty' : 'no'} Signature field`);
    const sig = typeof m.Signature === 'string' ? base64(m.Signature) : undefined;
    if (!sig) return invalid('amazon-sns', 'malformed_header', 'the body\'s Signature is not base64');
    const hash = typeof m.SignatureVersion === 'string' ? HASH[m.SignatureVersion] : undefined;
    if (!hash) {
      return invalid('amazon-sns', 'malformed_header', m.SignatureVersion === undefined
        ? 'the body has no SignatureVersion field ("1" or "2")'
        : `the body's SignatureVersion is ${JSON.stringify(m.SignatureVersion)}, not "1" (SHA1) or "2" (SHA256)`);
    }
    const s = stringToSign(m);
    if ('problem' in s) return invalid('amazon-sns', 'malformed_header', s.problem);
    const text = Buffer.from(s.text, 'utf8');
    const t = typeof m.Timestamp === 'string' ? Date.parse(m.Timestamp) : NaN;
    const age = Number.isNaN(t) ? undefined : d.now - Math.floor(t / 1000);
    const what = `the ${m.Type} string to sign (SignatureVersion ${m.SignatureVersion}, ${hash.toUpperCase()})`;
    const index = keys.findIndex((k) => verifyWith(hash, k, text, sig));
    if (index === -1) return noMatch('amazon-sns', what, d.secrets.length, age);
    return tooOld(age, d) ?? valid('amazon-sns', what, index, age);
  },

  eventInfo: (_h, json) => {
    const m = (json ?? {}) as Message;
    return { type: typeof m.Type === 'string' ? m.Type : undefined, id: typeof m.MessageId === 'string' ? m.MessageId : undefined };
  },

  bodyNotes(body) {
    const m = message(body);
    if (!m) return ['this body is not a JSON object: Amazon SNS sends a JSON message (Type, MessageId, Message, Timestamp, TopicArn...)'];
    return m.SigningCertURL === undefined ? ['this body has no SigningCertURL: receivers that follow AWS\'s validators refuse a message without one'] : [];
  },
};

/** Only a tolerance the caller gave: SNS has none of its own. */
function tooOld(age: number | undefined, d: Delivery): Invalid | undefined {
  if (!Number.isFinite(d.tolerance)) return undefined;
  if (age === undefined) return invalid('amazon-sns', 'missing_timestamp', 'the signature matches, but the body has no ISO 8601 Timestamp to check the tolerance against');
  return checkTimestamp({ ...amazonSns, timestamp: { where: 'Timestamp in the body', tolerance: d.tolerance, direction: 'both' } }, d.now - age, d);
}

// Sample deliveries, as SNS posts them: pretty-printed with " : " between name and value.
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:order-events`;
const SUBSCRIPTION = `${TOPIC}:5f2a9c1e-7b3d-4e8a-9c6f-1d2e3f4a5b6c`;
const CERT_URL = `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`;
const UNSUBSCRIBE_URL = `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SUBSCRIPTION}`;

const snsJson = (o: Message) => JSON.stringify(o, null, 2).replace(/^( *"[^"]+"):/gm, '$1 :');

/** The fields after the signed ones; the Signature is written in when signing. */
const trailer = (version: string) => ({ SignatureVersion: version, Signature: '', SigningCertURL: CERT_URL });

const notification = (subject: string | undefined, msg: (ctx: SampleContext) => string, version = '1') => (ctx: SampleContext) => snsJson({
  Type: 'Notification',
  MessageId: ctx.id,
  TopicArn: TOPIC,
  ...(subject === undefined ? {} : { Subject: subject }),
  Message: msg(ctx),
  Timestamp: ctx.created,
  ...trailer(version),
  UnsubscribeURL: UNSUBSCRIBE_URL,
});

/** A subscription token: long hex, the same in Token and SubscribeURL. */
const token = (ctx: SampleContext) => createHash('sha512').update(`token ${ctx.id}`).digest('hex') + createHash('sha512').update(`more ${ctx.id}`).digest('hex');

/** What S3 publishes to a topic on an upload (the Message is that JSON, as a string). */
const s3Event = (ctx: SampleContext) => JSON.stringify({
  Records: [{
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: REGION, eventTime: ctx.created, eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDA6ODU5DHKWHKSAMPLE' },
    requestParameters: { sourceIPAddress: '203.0.113.24' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0', configurationId: 'orders-upload',
      bucket: { name: 'acme-orders', ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: 'arn:aws:s3:::acme-orders' },
      object: { key: 'incoming/order-6735.json', size: 1843, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0067C1F0A1B2C3D4E5' },
    },
  }],
});

/** What CloudWatch publishes when an alarm fires (the Message is that JSON, as a string). */
const alarm = (ctx: SampleContext) => JSON.stringify({
  AlarmName: 'orders-api-5xx', AlarmDescription: 'More than 5% of orders API responses are 5xx', AWSAccountId: ACCOUNT,
  AlarmConfigurationUpdatedTimestamp: '2024-11-02T09:14:51.204+0000', NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [7.3 (30/11/24 10:00:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).',
  StateChangeTime: ctx.created.replace('Z', '+0000'), Region: 'US East (N. Virginia)', AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:orders-api-5xx`,
  OldStateValue: 'OK', OKActions: [], AlarmActions: [TOPIC], InsufficientDataActions: [],
  Trigger: {
    MetricName: '5XXError', Namespace: 'AWS/ApiGateway', StatisticType: 'Statistic', Statistic: 'AVERAGE', Unit: null,
    Dimensions: [{ value: 'orders-api', name: 'ApiName' }], Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1,
    ComparisonOperator: 'GreaterThanThreshold', Threshold: 5.0, TreatMissingData: 'missing', EvaluateLowSampleCountPercentile: '',
  },
});

const samples: Samples = {
  scheme: 'amazon-sns',
  userAgent: 'Amazon Simple Notification Service Agent',
  newId: uuid,
  events: [
    {
      event: 'notification', description: 'a message published to the topic (an S3 upload event, no Subject)',
      body: notification(undefined, s3Event),
    } satisfies Sample,
    {
      event: 'subscription-confirmation', description: 'SNS asks the endpoint to confirm a new subscription (visit SubscribeURL)',
      body: (ctx) => {
        const t = token(ctx);
        return snsJson({
          Type: 'SubscriptionConfirmation',
          MessageId: ctx.id,
          Token: t,
          TopicArn: TOPIC,
          Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
          SubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${t}`,
          Timestamp: ctx.created,
          ...trailer('1'),
        });
      },
    },
    {
      event: 'notification-v2', description: 'a CloudWatch alarm (with a Subject), on a topic set to SignatureVersion 2 (SHA256)',
      body: notification('ALARM: "orders-api-5xx" in US East (N. Virginia)', alarm, '2'),
    },
  ],
};
amazonSns.samples = samples;
