import { sign, signDelivery } from '../schemes/core.js';
import type { Scheme, Secret, SignedHeaders } from '../schemes/types.js';
import { setBodyTimestamp } from './body-timestamp.js';
import { editBodySignature, stripSignature, tamperBody, tamperSignature, wrongSecret, type Negative } from './negative.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';
import { signatureHeaders } from '../schemes/twins.js';
import { uuid } from '../providers/ids.js';
import { compile, type Render } from './template.js';

/** One HTTP request, ready for undici: headers as a flat name/value list, in sending order. */
export interface OutRequest {
  method: string;
  /** Path and query, for the pool of the target's origin. */
  path: string;
  headers: string[];
  body: string | Buffer;
  /** The event id receivers key on (for reports). */
  id?: string;
  /** What was changed, in a negative mode ("byte 312: "5" → "6""). */
  note?: string;
  /** Every header name and value is printable ASCII (whk's own always are; --header may not be). */
  asciiHeaders?: boolean;
  /** [start, end) of the signature inside `body`, for schemes that sign inside it (Mailgun). */
  signatureSpan?: [number, number];
}

/** An event: what stays the same across its deliveries (retries, duplicates). */
export interface EventState {
  id: string;
  delivery: string;
  createdMs: number;
  created: string;
  createdUnix: number;
}

export interface BuildOptions {
  scheme: Scheme;
  provider?: Samples;
  sample?: Sample;
  /** A body of the user's: sent as given, never re-encoded. */
  body?: Buffer;
  secrets: Secret[];
  /** Where it is posted. */
  url: URL;
  /** The URL to sign, for schemes that sign it (square, twilio); the target URL by default. */
  signUrl?: string;
  /** --header lines: they override the provider's headers of the same name. */
  extraHeaders?: Record<string, string>;
  negative?: Negative;
  /** The send clock in ms (Date.now, or the fixed --timestamp). */
  clock?: () => number;
  /** --id: the event id instead of fresh ones. */
  id?: string;
  /** Used when the provider's is unknown. */
  userAgent?: string;
}

export interface Builder {
  /** A new event; `createdMs` orders events (load mode with --shuffle), now by default. */
  newEvent(createdMs?: number): EventState;
  /** A delivery of `event`, signed now: attempt 1 first, n + 1 on the n-th retry. */
  build(event: EventState, attempt?: number): OutRequest;
  /** The secret used by --wrong-secret (for reports; print it masked). */
  wrongSecret?: string;
  /** Whether the body comes from a compiled template (load mode's fast path). */
  compiled: boolean;
}

const isoCache = { ms: -1, iso: '' };
const iso = (ms: number) => (ms === isoCache.ms ? isoCache.iso : ((isoCache.ms = ms), (isoCache.iso = new Date(ms).toISOString())));

/**
 * Prepares everything that does not change between deliveries (the compiled sample, the header
 * list, the secrets), so that each `build` is a render, one signature and a flat header array.
 */
export function builder(o: BuildOptions): Builder {
  const { scheme, provider, sample } = o;
  const url = o.url.href;
  const signUrl = o.signUrl ?? url;
  const path = o.url.pathname + o.url.search;
  const clock = o.clock ?? Date.now;
  const neg = o.negative;
  const wrong = neg?.kind === 'wrong-secret' ? wrongSecret(scheme, o.secrets[0]) : undefined;
  const secrets = wrong !== undefined ? [wrong] : o.secrets;
  const contentType = provider?.contentType ?? scheme.contentType;
  const userAgent = provider?.userAgent ?? o.userAgent ?? 'whk';
  const extra = o.extraHeaders ?? {};
  const extraNames = new Set(Object.keys(extra).map((k) => k.toLowerCase()));
  const asciiHeaders = Object.entries(extra).every(([k, v]) => /^[\x20-\x7e]*$/.test(k + v));
  const extraList = Object.entries(extra).flat();
  // A header of the provider's or the signature's, unless --header replaces it.
  const add = extraNames.size === 0
    ? (list: string[], name: string, value: string) => void list.push(name, value)
    : (list: string[], name: string, value: string) => void (extraNames.has(name.toLowerCase()) || list.push(name, value));
  const fixedHeaders: string[] = [];
  add(fixedHeaders, 'Content-Type', contentType);
  add(fixedHeaders, 'User-Agent', userAgent);
  const shift = neg?.kind === 'stale' ? -neg.ms : neg?.kind === 'future' ? neg.ms : 0;
  const newId = o.id !== undefined ? () => o.id! : (provider?.newId ?? (() => `evt_${Date.now()}`));

  const ctxOf = (ev: EventState, attempt: number): SampleContext => {
    const nowMs = clock() + shift;
    return { id: ev.id, delivery: ev.delivery, created: ev.created, createdUnix: ev.createdUnix, now: Math.floor(nowMs / 1000), nowMs, attempt, url };
  };

  const { render, compiled } = compiledSample(sample, o.body, url);
  const bodyFor = (ctx: SampleContext): string | Buffer => {
    if (render) return ctx.attempt === 1 ? render(ctx) : sample!.body(ctx);
    const body = o.body ?? Buffer.alloc(0);
    // A body of the user's is sent as given, except that --stale/--future must move the timestamp
    // a scheme keeps inside it (Dfns timestampSent, Linear webhookTimestamp).
    return shift !== 0 ? setBodyTimestamp(scheme, body, ctx.now).body : body;
  };

  return {
    compiled,
    wrongSecret: wrong,
    newEvent(createdMs = clock() + shift) {
      return { id: newId(), delivery: uuid(), createdMs, created: iso(createdMs), createdUnix: Math.floor(createdMs / 1000) };
    },
    build(ev, attempt = 1) {
      const ctx = ctxOf(ev, attempt);
      const own = provider?.headers && sample ? provider.headers(ctx, sample) : undefined;
      // A scheme that signs headers besides its own ({header:Name}) signs the provider's values, or --header's.
      const input = { body: bodyFor(ctx), secrets, timestamp: ctx.now, id: ev.id, url: signUrl, headers: own ? { ...own, ...extra } : extra };
      // A scheme that signs inside the body (Mailgun) gives the body back with its signature in it.
      const d = scheme.signBody ? signDelivery(scheme, input) : undefined;
      const delivery: SignedDelivery = { body: d?.body ?? input.body, span: d?.signature, signed: d?.headers ?? sign(scheme, input) };
      const { body, span, signed, note } = neg ? negativeEdit(neg, scheme, delivery) : delivery;

      const headers = fixedHeaders.slice();
      if (own) {
        // A header the scheme signs comes back among the signed ones: sent once.
        const signedNames = new Set(Object.keys(signed).map((k) => k.toLowerCase()));
        for (const [k, v] of Object.entries(own)) if (!signedNames.has(k.toLowerCase())) add(headers, k, v);
      }
      for (const k in signed) add(headers, k, signed[k]!);
      if (extraList.length > 0) headers.push(...extraList);
      return { method: 'POST', path, headers, body, id: ev.id, note, asciiHeaders, ...(span ? { signatureSpan: span } : {}) };
    },
  };
}

/**
 * The sample's body compiled to a template (load mode's fast path: checked against two probe
 * contexts), when the body is the sample's and not the user's.
 */
function compiledSample(sample: Sample | undefined, body: Buffer | undefined, url: string): { render?: Render; compiled: boolean } {
  if (!sample || body) return { compiled: false };
  const probe = (ms: number, id: string): SampleContext => ({
    id, delivery: `${id}-d`, created: new Date(ms).toISOString(), createdUnix: Math.floor(ms / 1000), now: Math.floor(ms / 1000) + 1, nowMs: ms + 1500, attempt: 1, url,
  });
  const c = compile(sample.body, url, [probe(1_700_000_000_123, 'probe-a-1'), probe(1_800_000_000_987, 'probe-b-22')]);
  return { render: c.render, compiled: c.compiled };
}

/** A signed delivery: its body (with the signature inside, at `span`, for Mailgun) and signature headers. */
interface SignedDelivery {
  body: string | Buffer;
  span?: [number, number];
  signed: SignedHeaders;
  /** What a negative mode changed. */
  note?: string;
}

/** What a negative mode does to a signed delivery: the body changed after signing, the signature corrupted or left out. */
function negativeEdit(neg: Negative, scheme: Scheme, d: SignedDelivery): SignedDelivery {
  if (neg.kind === 'tamper-body') {
    const t = tamperBody(typeof d.body === 'string' ? Buffer.from(d.body) : d.body);
    return { ...d, body: t.body, note: `body changed after signing, ${t.change}` };
  }
  if (neg.kind === 'tamper-signature' || neg.kind === 'no-signature') {
    const signed = neg.kind === 'tamper-signature' ? tamperSignature(d.signed, signatureHeaders([scheme])) : stripSignature(d.signed, signatureHeaders([scheme]));
    if (!d.span) return { ...d, signed };
    return { ...editBodySignature(d.body as Buffer, d.span, neg.kind === 'tamper-signature' ? 'tamper' : 'strip'), signed };
  }
  return d;
}
