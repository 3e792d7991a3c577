import type { Scheme, Verdict } from '../schemes/types.js';
import type { Style } from './style.js';

/** `✓ valid (dfns, raw body, timestamp 12 s old)` or `✗ invalid: <reason> — <sentence>` + diagnosis. */
export function renderVerdict(v: Verdict, c: Style): string {
  if (v.valid) {
    const age = v.age === undefined ? '' : `, timestamp ${formatAge(v.age)}`;
    const key = v.secretIndex > 0 ? `, secret #${v.secretIndex + 1}` : '';
    return `${c.green('✓ valid')} (${v.scheme}, ${v.matched}${age}${key})`;
  }
  const lines = [`${c.red(`✗ invalid: ${v.reason}`)} — ${v.message}`];
  if (v.diagnosis) lines.push(`  ${c.yellow('diagnosis:')} ${v.diagnosis}`);
  return lines.join('\n');
}

export const formatAge = (age: number) => (age >= 0 ? `${Math.round(age)} s old` : `${Math.round(-age)} s in the future`);

/** The machine shape of a verdict: stable keys, `diagnosis` null when there is none. */
export const verdictJson = (v: Verdict) => ({
  valid: v.valid,
  scheme: v.scheme,
  reason: v.reason,
  message: v.message,
  diagnosis: v.valid ? null : (v.diagnosis ?? null),
  ...(v.valid ? { matched: v.matched, secretIndex: v.secretIndex } : {}),
  ...(v.age === undefined ? {} : { age: Math.round(v.age) }),
});

function timestampRule(s: Scheme): string {
  const t = s.timestamp;
  if (!t) return 'none';
  const bound = t.direction === 'both' ? `±${t.tolerance} s` : `rejects older than ${t.tolerance} s`;
  return `${t.where}, ${bound}${t.strict ? ' (strict)' : ''}`;
}

export const schemeJson = (s: Scheme) => ({
  name: s.name,
  provider: s.provider,
  headers: s.headers,
  algorithm: s.algorithm,
  timestamp: s.timestamp,
  timestampRule: timestampRule(s),
  secretFormat: s.secretFormat,
  multipleSecrets: s.multipleSecrets,
  needsUrl: Boolean(s.needsUrl),
  contentType: s.contentType,
});

/** `whk schemes`: one block per scheme. */
export function renderSchemes(list: readonly Scheme[], c: Style): string {
  return list
    .map((s) => [
      `${c.bold(s.name.padEnd(14))}${c.dim(s.provider)}`,
      `  headers     ${s.headers.join(', ')}`,
      `  algorithm   ${s.algorithm}`,
      `  timestamp   ${timestampRule(s)}`,
      `  secret      ${s.secretFormat}${s.multipleSecrets ? '; several at once (rotation)' : ''}${s.needsUrl ? '; needs --url' : ''}`,
    ].join('\n'))
    .join('\n\n');
}
