/**
 * Helpers for the provider tests of gitlab, buildkite, mailgun, moralis and mandrill: the Python
 * signers of test/providers/python, a header-parser property, and whk send / probe against
 * whk listen on 127.0.0.1 (in-process).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { verify, type Scheme, type Verdict } from '../../src/index.js';
import { REASONS } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';

export { python } from './_python.js';

/** Random header values (arbitrary text and pieces of real ones): a verdict with a known reason, never a throw. */
export function headerProperty(scheme: Scheme, header: string, secrets: string[], opts: { body?: string; url?: string; extra?: Record<string, string> } = {}) {
  const piece = fc.constantFrom('timestamp=', 'signature=', ',', '=', ' ', '0x', 'v1,', 'whsec_', '\t', 'sha256=');
  const value = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.oneof(piece, fc.stringMatching(/^[0-9a-fA-F]{0,70}$/), fc.integer().map(String)), { maxLength: 6 }).map((p) => p.join('')));
  fc.assert(fc.property(value, (v) => {
    const verdict: Verdict = verify(scheme, { body: opts.body ?? '{"a":1}', headers: { ...opts.extra, [header]: v }, secrets, url: opts.url, now: 1_700_000_000 });
    expect(REASONS).toContain(verdict.reason);
    expect(verdict.valid).toBe(verdict.reason === 'ok');
    return true;
  }), { numRuns: 200 });
}

async function listen(args: string[]): Promise<{ l: InProcess; url: string }> {
  const l = startInProcess(['listen', '--port', '0', '--json', ...args]);
  const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
  return { l, url: ready.url };
}

/**
 * whk send to whk listen: a valid delivery (200), one with --wrong-secret (401), and whk probe
 * against the same listener (exit 0). A scheme that signs the URL signs the target's: the listener
 * rebuilds it from the Host header and the path.
 */
export async function sendListenProbe(scheme: string, secret: string) {
  const { l, url: target } = await listen(['--scheme', scheme, '--secret', secret]);
  try {
    const sendUrl: string[] = [];
    const ok = await whk(['send', target, '--scheme', scheme, '--secret', secret, ...sendUrl]);
    expect(ok.stdout + ok.stderr).toMatch(/200/);
    expect(ok.code).toBe(0);
    const first = JSON.parse(await l.waitFor(/"type":"event"/, 'stdout'));
    expect(first.verdict).toMatchObject({ valid: true, reason: 'ok' });
    expect(first.response.status).toBe(200);
    const bad = await whk(['send', target, '--scheme', scheme, '--secret', secret, '--wrong-secret', ...sendUrl]);
    expect(bad.code, bad.stdout + bad.stderr).toBe(0);
    const events = () => l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));
    await l.waitFor(/^\{"type":"event","seq":2,/, 'stdout');
    expect(events()[1].response.status).toBe(401);
    const probe = await whk(['probe', target, '--scheme', scheme, '--secret', secret, ...sendUrl]);
    expect(probe.code, probe.stdout + probe.stderr).toBe(0);
    return { first, probe };
  } finally {
    l.signal('SIGINT');
    await l.exited;
  }
}
