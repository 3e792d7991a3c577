/**
 * Property, for every scheme whose header carries several signatures (secret rotation): a valid
 * signature at any place among 0..4 invalid ones, with entries of versions the scheme does not
 * check mixed in, verifies; when none of them is valid, the verdict is no_match. Box (two
 * headers, one per key) has its own tests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { schemes as allSchemesList } from '../../src/index.js';


const NOW = 1_700_000_000;
const BODY = '{"type":"whk.test","id":"evt_1","data":{"note":"whk-test","name":"Zoë"}}';
const URL_ = 'https://example.com/hooks?tenant=7';
const HEX = 'ab'.repeat(32);
const B64 = Buffer.alloc(32, 5).toString('base64');
const whsec = (n: number) => `whsec_${Buffer.alloc(32, n).toString('base64')}`;

interface Row {
  scheme: string;
  /** The header holding the list. */
  header: string;
  /** What separates the entries (or whole groups) whk is given. */
  sep: ' ' | ',' | ';';
  /** Which entries are signatures (the others, such as t=, are kept as they are). */
  isSignature: RegExp;
  /** Entries of versions the scheme does not check. */
  unknown: string[];
  /** Signing secrets: the valid one is 0, the invalid ones 1..4. */
  secret: (n: number) => string;
  /** Headers to leave out of the delivery (a second header carrying the same list). */
  drop?: string[];
  /** Headers given to sign (a fixed nonce). */
  signHeaders?: Record<string, string>;
}

const text = (n: number) => `whk-list-secret-${n}`;
const svixStyle = (scheme: string, header: string): Row => ({
  scheme, header, sep: ' ', isSignature: /^v1,/, unknown: [`v2,${B64}`, `v1a,${Buffer.alloc(64, 3).toString('base64')}`], secret: scheme === 'freepik' ? text : whsec,
});
const labelled = (scheme: string, header: string, sep: Row['sep'], label: string, unknown: string[]): Row => ({
  scheme, header, sep, isSignature: new RegExp(`^${label}`), unknown, secret: text,
});

const ROWS: Row[] = [
  svixStyle('standard', 'webhook-signature'),
  svixStyle('svix', 'svix-signature'),
  svixStyle('freepik', 'webhook-signature'),
  svixStyle('clerk', 'svix-signature'),
  svixStyle('resend', 'svix-signature'),
  svixStyle('openai', 'webhook-signature'),
  svixStyle('replicate', 'webhook-signature'),
  labelled('stripe', 'Stripe-Signature', ',', 'v1=', [`v0=${HEX}`, `v2=${HEX}`]),
  labelled('wealthkernel', 'X-Webhook-Signature', ',', 'v1=', [`v2=${B64}`]),
  labelled('paddle', 'Paddle-Signature', ';', 'h1=', [`h2=${HEX}`]),
  labelled('calendly', 'Calendly-Webhook-Signature', ',', 'v1=', [`v2=${HEX}`]),
  labelled('circleci', 'circleci-signature', ',', 'v1=', [`v2=${HEX}`]),
  labelled('mux', 'Mux-Signature', ',', 'v1=', [`v2=${HEX}`]),
  labelled('orb', 'X-Orb-Signature', ' ', 'v1=', [`v2=${HEX}`, `v0=${HEX}`]),
  labelled('pagerduty', 'X-PagerDuty-Signature', ',', 'v1=', [`v2=${HEX}`]),
  labelled('revolut', 'Revolut-Signature', ',', 'v1=', [`v2=${HEX}`]),
  labelled('sanity', 'sanity-webhook-signature', ',', 'v1=', [`v2=${Buffer.alloc(32, 5).toString('base64url')}`]),
  labelled('tiktok', 'TikTok-Signature', ',', 's=', [`v1=${HEX}`]),
  // Whole t=,v1= groups are the entries here.
  labelled('persona', 'Persona-Signature', ' ', 't=', [`t=${NOW},v2=${HEX}`]),
  {
    scheme: 'plivo', header: 'X-Plivo-Signature-V3', sep: ',', isSignature: /./, unknown: [], secret: text,
    drop: ['X-Plivo-Signature-Ma-V3'], signHeaders: { 'X-Plivo-Signature-V3-Nonce': '05429567804466091622' },
  },
];

const split = (value: string, sep: Row['sep']) => (sep === ' ' ? value.trim().split(/\s+/) : value.split(sep));

/** The headers of a delivery signed with secret `n` alone: its signature entries and the rest. */
function signedWith(row: Row, n: number) {
  const headers = sign(row.scheme, { body: BODY, secrets: [row.secret(n)], timestamp: NOW, id: 'msg_list', url: URL_, headers: row.signHeaders });
  for (const h of row.drop ?? []) delete headers[h];
  const entries = split(headers[row.header]!, row.sep);
  return { headers, signatures: entries.filter((e) => row.isSignature.test(e)), rest: entries.filter((e) => !row.isSignature.test(e)) };
}

describe.each(ROWS.map((r) => [r.scheme, r] as const))('%s: a list of signatures', (_name, row) => {
  const valid = signedWith(row, 0);
  const invalid = [1, 2, 3, 4].map((n) => signedWith(row, n).signatures[0]!);
  const delivery = (signatures: string[], extras: Array<[string, number]>) => {
    const list = [...signatures];
    for (const [entry, at] of extras) list.splice(at % (list.length + 1), 0, entry);
    const value = [...valid.rest, ...list].join(row.sep);
    return verify(row.scheme, { body: BODY, headers: { ...valid.headers, [row.header]: value }, secrets: [row.secret(0)], now: NOW, url: URL_, diagnose: false });
  };
  const extras = fc.array(fc.tuple(row.unknown.length > 0 ? fc.constantFrom(...row.unknown) : fc.constant(''), fc.nat()), { maxLength: row.unknown.length > 0 ? 3 : 0 });

  it('one valid signature at any place among 0..4 invalid ones (and unknown versions) verifies', () => {
    expect(valid.signatures).toHaveLength(1);
    fc.assert(fc.property(fc.integer({ min: 0, max: 4 }), fc.nat(), extras, (n, at, more) => {
      const list = invalid.slice(0, n);
      list.splice(at % (n + 1), 0, valid.signatures[0]!);
      expect(delivery(list, more).reason).toBe('ok');
    }), { numRuns: 60 });
  });

  it('1..4 invalid signatures (and unknown versions), none valid: no_match', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), extras, (n, more) => {
      expect(delivery(invalid.slice(0, n), more).reason).toBe('no_match');
    }), { numRuns: 30 });
  });
});

describe('docusign: one X-DocuSign-Signature-<n> header per key', () => {
  const signature = (n: number) => sign('docusign', { body: BODY, secrets: [text(n)] })['X-DocuSign-Signature-1']!;
  const judge = (signatures: string[], secret = text(0)) => verify('docusign', {
    body: BODY, secrets: [secret], now: NOW, diagnose: false,
    headers: Object.fromEntries(signatures.map((s, i) => [`X-DocuSign-Signature-${i + 1}`, s])),
  });
  it('the valid one in any header among 0..4 invalid or garbled ones verifies; none valid: no_match', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4 }), fc.nat(), fc.boolean(), (n, at, garbled) => {
      const others = [1, 2, 3, 4].slice(0, n).map((i) => (garbled && i === 1 ? 'not-a-signature' : signature(i)));
      const all = [...others];
      all.splice(at % (n + 1), 0, signature(0));
      expect(judge(all).reason).toBe('ok');
      if (n > 0) expect(judge(others.map((o) => (o === 'not-a-signature' ? signature(4) : o))).reason).toBe('no_match');
    }), { numRuns: 40 });
  });
});

it('every scheme that takes several secrets at once is in the table (box and docusign: one header per key, tested apart)', () => {
  const lists = allSchemesList.filter((s) => s.multipleSecrets).map((s) => s.name).sort();
  expect(lists).toEqual([...ROWS.map((r) => r.scheme), 'box', 'docusign'].sort());
});
