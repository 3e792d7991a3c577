/**
 * The rules of the format that a JSON Schema cannot say, checked after the schema (check.ts):
 * the placeholders of "signs" and "value", where the timestamp and the id are and that they are
 * signed, names that must differ. Each throws a one-line usage error naming the source and the key.
 */
import { valueFormat } from './header-value.js';
import type { Definition } from './schema.js';
import { count, SIGNS_PLACEHOLDERS, tokenize, type Token, VALUE_PLACEHOLDERS } from './template.js';
import { bad, quote } from './words.js';

export function checkRules(def: Definition, source: string): void {
  checkAliases(def, source);
  const signs = checkSigns(def.signs ?? '{body}', source);
  const value = checkValue(def, source);
  checkTimestamp(def, signs, value, source);
  checkId(def, signs, value, source);
  for (const t of signs) {
    if ('ph' in t && t.ph === 'header' && t.arg!.toLowerCase() === def.header.toLowerCase()) {
      throw bad(source, `"signs": {header:${t.arg}} is the signature header itself`);
    }
  }
  checkEventNames(def.samples, source);
}

function checkAliases(def: Definition, source: string): void {
  def.aliases?.forEach((a, i) => {
    if (a === def.name) throw bad(source, `"aliases[${i}]": ${quote(a)} is not another scheme name (lower-case letters, digits, ".", "-" and "_"; not "auto")`);
  });
}

/** "signs": known placeholders, {body} once, the others at most once. */
function checkSigns(text: string, source: string): Token[] {
  const signs = tokenize(text, 'signs', SIGNS_PLACEHOLDERS, source);
  if (count(signs, 'body') !== 1) {
    throw bad(source, count(signs, 'body') === 0
      ? `"signs": ${quote(text)} does not include {body}: a signature must cover the body`
      : `"signs": ${quote(text)} has {body} more than once`);
  }
  for (const ph of ['timestamp', 'id', 'url', 'method']) {
    if (count(signs, ph) > 1) throw bad(source, `"signs": ${quote(text)} has {${ph}} more than once`);
  }
  return signs;
}

/** "value": known placeholders, {signature} once, and a form whk reads (valueFormat). */
function checkValue(def: Definition, source: string): Token[] {
  const text = def.value ?? '{signature}';
  const value = tokenize(text, 'value', VALUE_PLACEHOLDERS, source);
  for (const ph of VALUE_PLACEHOLDERS) {
    const n = count(value, ph);
    if (ph === 'signature' && n === 0) throw bad(source, `"value": ${quote(text)} has no {signature}`);
    if (n > 1) throw bad(source, `"value": ${quote(text)} has {${ph}} more than once${ph === 'signature' ? ' (several signatures: "separator", or a list form such as "t={timestamp},v1={signature}" where v1 may repeat)' : ''}`);
  }
  valueFormat(value, text, def.separator, source);
  return value;
}

/** The timestamp: in one place, signed, and not in the signature header. */
function checkTimestamp(def: Definition, signs: Token[], value: Token[], source: string): void {
  const signsText = def.signs ?? '{body}';
  const inValue = count(value, 'timestamp') === 1;
  const header = def.timestamp?.header;
  const body = def.timestamp?.body;
  if (def.timestamp) {
    const places = [inValue && '{timestamp} in "value"', header && '"timestamp.header"', body && '"timestamp.body"'].filter(Boolean);
    if (places.length > 1) throw bad(source, `"timestamp": the timestamp is in one place, not ${places.join(' and ')}`);
    if (places.length === 0) {
      throw bad(source, '"timestamp": says how old a delivery may be, but not where its timestamp is: put {timestamp} in "value", or give "timestamp.header" or "timestamp.body"');
    }
  }
  const signed = count(signs, 'timestamp') === 1;
  if (signed && !inValue && !header && !body) {
    throw bad(source, `"signs": ${quote(signsText)} uses {timestamp}, but the definition does not say where the timestamp is: put {timestamp} in "value", or give "timestamp": {"header": "..."}`);
  }
  if ((inValue || header) && !signed) {
    throw bad(source, `"signs": ${quote(signsText)} does not include {timestamp}, so the timestamp ${header ? `in ${header}` : 'in "value"'} is not signed: anyone could change it; add {timestamp} to "signs"`);
  }
  if (header && header.toLowerCase() === def.header.toLowerCase()) throw bad(source, `"timestamp.header": ${quote(header)} is the signature header: put {timestamp} in "value" instead`);
}

/** The message id: in one place, known where "signs" uses it, and not in the signature header. */
function checkId(def: Definition, signs: Token[], value: Token[], source: string): void {
  const header = def.id?.header;
  if (header !== undefined) {
    if (count(value, 'id') === 1) throw bad(source, '"id": the id is in one place, not {id} in "value" and "id.header"');
    if (header.toLowerCase() === def.header.toLowerCase()) throw bad(source, `"id.header": ${quote(header)} is the signature header: put {id} in "value" instead`);
  }
  if (count(signs, 'id') === 1 && count(value, 'id') === 0 && header === undefined) {
    throw bad(source, `"signs": ${quote(def.signs ?? '{body}')} uses {id}, but the definition does not say where the id is: give "id": {"header": "..."}, or put {id} in "value"`);
  }
}

/** Each sample event has a name of its own (what --event takes). */
function checkEventNames(samples: Definition['samples'], source: string): void {
  samples?.events.forEach((e, i) => {
    if (samples.events.findIndex((x) => x.event === e.event) !== i) throw bad(source, `"samples.events[${i}].event": ${quote(e.event)} is listed twice`);
  });
}
