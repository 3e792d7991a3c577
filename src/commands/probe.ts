import { writeFileSync } from 'node:fs';
import { usage } from '../errors.js';
import type { Registry } from '../schemes/registry.js';
import { battery } from '../probe/battery.js';
import { grade, overall, type CheckResult } from '../probe/grade.js';
import { junitReport } from '../probe/junit.js';
import { probeJson, renderProbe } from '../render/probe.js';
import { loadStyle, useColor } from '../render/style.js';
import { termSafeJson } from '../render/safe.js';
import { Deliverer } from '../send/deliver.js';
import { checkSecrets, parseTarget, readSecrets, type IO } from '../io/input.js';

export interface ProbeFlags {
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  json?: boolean;
  junit?: string;
  /** ms */
  timeout: number;
  color?: boolean;
  /** The run's schemes (src/cli.ts builds it: src/run-schemes.ts). */
  registry: Registry;
}

/**
 * Network errors that mean "nothing answers", as opposed to a receiver that misbehaves: on the
 * first check, the probe stops there with `whk send`'s line and exit code (3), rather than
 * waiting out every check's --timeout.
 */
const NO_ANSWER = new Set(['connection_refused', 'dns', 'connect_timeout', 'unreachable', 'tls', 'timeout']);

/**
 * `whk probe`: sends the battery of genuine and forged deliveries to a receiver and grades its
 * answers. Exit 0 when nothing failed, 1 when a forgery was accepted or a genuine event refused,
 * 3 when the receiver cannot be reached or does not answer the first check in time.
 */
export async function probeCommand(url: string | undefined, flags: ProbeFlags, io: IO): Promise<number> {
  if (!flags.scheme) throw usage('no_scheme', 'missing --scheme <name>: the scheme your receiver verifies (whk schemes lists them)');
  const { registry } = flags;
  const scheme = registry.get(flags.scheme);
  const target = parseTarget(url, 'whk probe <url> --scheme <name> --secret <s>');
  const secrets = readSecrets(flags);
  checkSecrets([scheme], secrets, 'sign');
  const timeoutMs = flags.timeout;
  if (timeoutMs <= 0) throw usage('bad_duration', '--timeout must be more than 0');

  const checks = battery({ registry, scheme, secrets, url: target });
  const deliverer = new Deliverer(target.origin, { connections: 1, timeoutMs, keepBody: 4096, hint: 'is your app running?', preciseTimeout: true });
  const results: CheckResult[] = [];
  const bodies: string[] = [];
  try {
    for (const check of checks) {
      const outcomes = [];
      for (const req of check.requests()) {
        const o = await deliverer.send(req);
        if (!o.ok && results.length === 0 && NO_ANSWER.has(o.error.code)) throw o.error;
        if (o.ok && o.response) bodies.push(o.response.body.toString('utf8'));
        outcomes.push(o);
      }
      results.push(grade(check, outcomes));
    }
  } finally {
    await deliverer.destroy().catch(() => undefined);
  }
  results.push(...overall(results, bodies, secrets));

  const report = { url: target.href, scheme: scheme.name, results };
  if (flags.junit) {
    try {
      writeFileSync(flags.junit, junitReport({ ...report, timestamp: new Date().toISOString() }));
    } catch (e) {
      throw usage('unwritable_file', `cannot write --junit ${flags.junit}: ${(e as Error).message}`);
    }
  }
  io.out(flags.json ? termSafeJson(JSON.stringify(probeJson(report))) : renderProbe(report, await loadStyle(useColor(process.stdout, flags.color))));
  return results.some((r) => r.result === 'FAIL') ? 1 : 0;
}
