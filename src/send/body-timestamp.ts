import { topLevelMembers } from '../schemes/fields.js';
import type { Scheme } from '../schemes/types.js';

// Schemes that sign a timestamp inside the JSON body rather than in a header say so
// (`Scheme.bodyTimestamp`). Re-signing such a body (replay --resign, --stale on a body of your
// own) means rewriting that field.

const isNumberChar = (c: number | undefined) => c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45);

/**
 * Replaces the number of the top-level `field` in a JSON object, in place: the smallest byte edit
 * (only the digits change; key order, spacing, escapes and every other byte stay as they were,
 * invalid UTF-8 included). Returns undefined when the body has no such top-level numeric field.
 * A scanner rather than JSON.parse + stringify, which would re-encode the whole body.
 */
export function rewriteNumberField(body: Buffer, field: string, value: number): Buffer | undefined {
  const spans: Array<[number, number]> = [];
  for (const m of topLevelMembers(body, field)) {
    let j = m.value;
    while (isNumberChar(body[j])) j++;
    if (j > m.value) spans.push([m.value, j]);
  }
  if (spans.length === 0) return undefined;
  const out: Buffer[] = [];
  let last = 0;
  for (const [from, to] of spans) {
    out.push(body.subarray(last, from), Buffer.from(String(value)));
    last = to;
  }
  out.push(body.subarray(last));
  return Buffer.concat(out);
}

/** Sets a body-borne timestamp (Unix seconds) for `scheme`; the body unchanged when the scheme has none. */
export function setBodyTimestamp(scheme: Scheme, body: Buffer, unixSeconds: number): { body: Buffer; rewritten: boolean; field?: string } {
  const rule = scheme.bodyTimestamp;
  if (!rule) return { body, rewritten: false };
  const value = rule.unit === 'ms' ? Math.round(unixSeconds * 1000) : Math.floor(unixSeconds);
  const next = rewriteNumberField(body, rule.field, value);
  return next ? { body: next, rewritten: true, field: rule.field } : { body, rewritten: false, field: rule.field };
}
