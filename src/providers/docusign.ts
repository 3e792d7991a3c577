import { compileDefinition } from '../schemes/definition/compile.js';
import type { Definition } from '../schemes/definition/schema.js';
import type { Delivery, Scheme, SignInput, Verdict } from '../schemes/types.js';
import definition from './definitions/docusign.json' with { type: 'json' };

/**
 * DocuSign Connect (HMAC), https://developers.docusign.com/platform/webhooks/connect/validate/:
 * one header per active Connect key (up to 100), X-DocuSign-Signature-1 for the first key, -2 for
 * the second, ..., each the base64 HMAC-SHA256 of the whole body with that key's text. The
 * definition says the HMAC of one header; this module signs one header per secret and accepts a
 * delivery when any of its headers matches any secret, as a receiver holding any one key does.
 */
const one = compileDefinition(definition as unknown as Definition);
const FIRST = 'x-docusign-signature-1';
const NUMBERED = /^x-docusign-signature-([1-9]\d?|100)$/;
const MAX_KEYS = 100;

const number = (h: string) => Number(NUMBERED.exec(h)![1]);

/** The delivery's X-DocuSign-Signature-<n> headers (lower-cased), in their number's order. */
const signatureHeaders = (headers: Record<string, string>) =>
  Object.keys(headers).filter((h) => NUMBERED.test(h)).sort((a, b) => number(a) - number(b));

export const docusign: Scheme = {
  ...one,
  algorithm: `${one.algorithm}; one X-DocuSign-Signature-<n> header per Connect key`,
  multipleSecrets: true,

  sign(input: SignInput) {
    return Object.fromEntries(input.secrets.slice(0, MAX_KEYS).map((s, i) => [`X-DocuSign-Signature-${i + 1}`, one.sign({ ...input, secrets: [s] })['X-DocuSign-Signature-1']!]));
  },

  verify(d: Delivery): Verdict {
    const names = signatureHeaders(d.headers);
    if (names.length === 0 || (names.length === 1 && names[0] === FIRST)) return one.verify(d);
    // Each header in turn where the definition reads the first: the most telling failure is kept.
    let failed: Verdict | undefined;
    for (const h of names) {
      const v = one.verify({ ...d, headers: { ...d.headers, [FIRST]: d.headers[h]! } });
      if (v.valid) return h === FIRST ? v : { ...v, matched: `${v.matched}, X-DocuSign-Signature-${number(h)}` };
      if (!failed || (failed.reason === 'malformed_header' && v.reason === 'no_match')) failed = v;
    }
    return failed!;
  },
};
