/**
 * Every command with three kinds of scheme: a core one (github), one of the catalogue (hubspot,
 * which also signs the URL) and a custom one (acme, from a --scheme-file definition). sign,
 * verify, listen, send, probe, replay --resign and schemes show run in-process (main()); whk
 * inspect runs until a signal, so the built CLI runs it. `whk inspect --scheme hubspot` used to
 * stop at "unknown scheme": the catalogue was not loaded for a scheme named there.
 * Signatures are checked by hand (node:crypto) or by HubSpot's SDK, never by whk alone.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWhk } from '../helpers/cli.js';
import { listenInProcess, stop, whk } from '../helpers/in-process.js';
import { ACME_JSON, acmeHeader } from '../schemes/_acme.js';

const require = createRequire(import.meta.url);
const { Signature } = require('@hubspot/api-client/lib/src/utils/signature.js') as {
  Signature: { isValid(o: { signature: string; clientSecret: string; requestBody: string; signatureVersion: string; url: string; method: string; timestamp: number }): boolean };
};

const dir = mkdtempSync(join(tmpdir(), 'whk-every-command-'));
const acmeFile = join(dir, 'acme.json');
writeFileSync(acmeFile, ACME_JSON);

const BODY = '{"type":"invoice.paid","id":"evt_every_1"}';
const T = Math.floor(Date.now() / 1000);
const SIGNED_URL = 'https://hooks.example.com/every?portal=7';

interface Case {
  kind: string;
  name: string;
  /** How a command is told the scheme. */
  flags: string[];
  secret: string;
  /** sign and verify need the URL the provider posts to. */
  url?: string;
  /** The headers `whk sign` must print, worked out here without whk. */
  signedByHand(headers: Record<string, string>): boolean;
  /** A line of `whk schemes show` that only this scheme has. */
  shows: RegExp;
}

const CASES: Case[] = [
  {
    kind: 'core',
    name: 'github',
    flags: ['--scheme', 'github'],
    secret: 'gh-every-s3cret',
    signedByHand: (h) => h['X-Hub-Signature-256'] === `sha256=${createHmac('sha256', 'gh-every-s3cret').update(BODY).digest('hex')}`,
    shows: /^ {2}headers +X-Hub-Signature-256/m,
  },
  {
    kind: 'catalogue',
    name: 'hubspot',
    flags: ['--scheme', 'hubspot'],
    secret: 'hubspot-every-client-s3cret',
    url: SIGNED_URL,
    signedByHand: (h) => Signature.isValid({
      signature: h['X-HubSpot-Signature-v3']!, clientSecret: 'hubspot-every-client-s3cret', requestBody: BODY,
      signatureVersion: 'v3', url: SIGNED_URL, method: 'POST', timestamp: Number(h['X-HubSpot-Request-Timestamp']),
    }),
    shows: /^ {2}headers +X-HubSpot-Signature-v3/m,
  },
  {
    kind: 'custom',
    name: 'acme',
    flags: ['--scheme-file', acmeFile, '--scheme', 'acme'],
    secret: 'acme-every-s3cret',
    signedByHand: (h) => h['X-Acme-Signature'] === acmeHeader('acme-every-s3cret', T, BODY),
    shows: /^ {2}headers +X-Acme-Signature/m,
  },
];

/** "Name: value" lines, as whk sign prints them. */
const headersOf = (text: string) => Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
const events = (lines: string[]) => lines.filter((l) => l.startsWith('{"type":"event"')).map((l) => JSON.parse(l) as { scheme: string; verdict: { valid: boolean }; response: { status: number } });

describe.each(CASES)('every command with a $kind scheme ($name)', (c) => {
  const url = c.url ? ['--url', c.url] : [];
  const secret = ['--secret', c.secret];

  it('sign prints what the provider sends; verify accepts it, and refuses another body', async () => {
    const signed = await whk(['sign', ...c.flags, ...secret, ...url, '--body', BODY, '--timestamp', String(T)]);
    expect(signed.code, signed.stderr).toBe(0);
    const headers = headersOf(signed.stdout);
    expect(c.signedByHand(headers), signed.stdout).toBe(true);
    const given = Object.entries(headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const now = ['--now', String(T)];
    const ok = await whk(['verify', ...c.flags, ...secret, ...url, ...given, ...now, '--body', BODY, '--json']);
    expect([ok.code, JSON.parse(ok.stdout)]).toEqual([0, expect.objectContaining({ valid: true, scheme: c.name })]);
    const bad = await whk(['verify', ...c.flags, ...secret, ...url, ...given, ...now, '--body', `${BODY} `, '--json']);
    expect([bad.code, JSON.parse(bad.stdout)]).toEqual([1, expect.objectContaining({ valid: false, reason: 'no_match' })]);
  });

  it('listen verifies what send sends; probe passes; replay --resign is accepted again', async () => {
    const record = join(mkdtempSync(join(dir, `${c.name}-`)), 'rec.ndjson');
    const { l, url: target } = await listenInProcess([...c.flags, ...secret, '--record', record, '--no-history']);
    try {
      const sent = await whk(['send', target, ...c.flags, ...secret]);
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      await l.waitFor(/^\{"type":"event","seq":1,/, 'stdout');
      expect(events(l.stdoutLines)[0]).toMatchObject({ scheme: c.name, verdict: { valid: true }, response: { status: 200 } });

      const probe = await whk(['probe', target, ...c.flags, ...secret, '--json']);
      const report = JSON.parse(probe.stdout) as { checks: Array<{ id: string; result: string }> };
      expect(report.checks.filter((k) => k.result === 'FAIL'), probe.stdout).toEqual([]);
      expect(probe.code).toBe(0);

      // The first delivery again, re-signed: the same event id, so the listener marks it a duplicate of #1.
      const first = join(dir, `${c.name}-first.ndjson`);
      writeFileSync(first, `${readFileSync(record, 'utf8').split('\n')[0]}\n`);
      const replay = await whk(['replay', first, '--to', target, '--resign', ...c.flags, ...secret]);
      expect(replay.code, replay.stdout + replay.stderr).toBe(0);
      const again = JSON.parse(await l.waitFor(/"duplicateOf":1,/, 'stdout'));
      expect(again).toMatchObject({ scheme: c.name, verdict: { valid: true }, response: { status: 200 } });
    } finally {
      await stop(l);
    }
  });

  it('schemes show describes it', async () => {
    const r = await whk(['schemes', 'show', c.name, ...(c.kind === 'custom' ? ['--scheme-file', acmeFile] : [])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(c.shows);
  });

  it('inspect takes it for re-signing and serves until Ctrl-C (the built CLI; was: unknown scheme for hubspot)', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const inspect = startWhk(['inspect', '--port', '0', ...c.flags, ...secret], { env: { WHK_HOME: home } });
    const page = (await inspect.waitFor(/^whk inspector on http:\/\/127\.0\.0\.1:\d+\//, 'stderr')).replace('whk inspector on ', '');
    // The key exchanged for a cookie: the inspector serves (and whk is past the turn in which it starts watching for Ctrl-C).
    expect((await fetch(page, { redirect: 'manual' })).status).toBe(303);
    inspect.child.kill('SIGINT');
    const r = await inspect.exited;
    expect(r.stderr).not.toMatch(/unknown scheme/);
    expect(r.code).toBe(130);
  });
});
