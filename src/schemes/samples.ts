/**
 * Sample events: what a provider would POST, body bytes and headers, as plain functions of a
 * context (ids, clock, attempt). No I/O, no signing: the core signs what these build.
 */

export interface SampleContext {
  /** The id the scheme's receivers key on (the body's event id, or the delivery header's). */
  id: string;
  /** A second fresh id, for providers that send one more (GitHub hook delivery, ...). */
  delivery: string;
  /** When it is sent, Unix seconds: what the signature's timestamp says. */
  now: number;
  /** When it is sent, milliseconds. */
  nowMs: number;
  /** When the event happened, ISO 8601 (kept across retries). */
  created: string;
  /** The same instant, Unix seconds. */
  createdUnix: number;
  /** 1 for the first delivery, n + 1 for the n-th retry. */
  attempt: number;
  /** The URL it is posted to (Square and Twilio sign it; some payloads repeat it). */
  url: string;
}

export interface Sample {
  /** What `--event` takes. */
  event: string;
  /** One line for `--list-events`. */
  description: string;
  /** The exact body bytes the provider sends (its own serialization: compact, pretty, form). */
  body(ctx: SampleContext): string;
  /** Header-borne event type where the provider has one (GitHub X-GitHub-Event, Shopify X-Shopify-Topic). */
  topic?: string;
}

export interface Samples {
  /** The scheme name (whk schemes). */
  scheme: string;
  /** What the provider sends as User-Agent, where known. */
  userAgent?: string;
  /** Content-Type, when it differs from the scheme's. */
  contentType?: string;
  /** A fresh id in the provider's own format (see SampleContext.id). */
  newId(): string;
  /** Headers besides Content-Type, User-Agent and the signature (event type, delivery id, ...). */
  headers?(ctx: SampleContext, sample: Sample): Record<string, string>;
  /** The first one is the default event. */
  events: Sample[];
}
