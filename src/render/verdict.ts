import type { Scheme, Verdict } from '../schemes/types.js';
import { termSafeLine } from './safe.js';
import type { Style } from './style.js';

/**
 * `✓ valid (dfns, raw body, timestamp 12 s old)` or `✗ invalid: <reason> — <sentence>` + diagnosis.
 * The message and diagnosis may quote a header's contents (from the network, or a file for
 * `whk verify`), and the scheme may be a custom definition's: all terminal-safe.
 */
export function renderVerdict(v: Verdict, c: Style): string {
  // A scheme made from a definition says so: the check is the definition's, not whk's own code.
  const check = v.check ? `\n  ${c.dim(`check: ${termSafeLine(v.check)}`)}` : '';
  if (v.valid) {
    const age = v.age === undefined ? '' : `, timestamp ${formatAge(v.age)}`;
    const key = v.secretIndex > 0 ? `, secret #${v.secretIndex + 1}` : '';
    // "token matches" is not "signature valid": a token proves who sent it, not what was sent.
    const head = v.proof === 'token' ? '✓ token matches' : v.proof === 'hash' ? '✓ valid hash' : '✓ valid';
    return `${c.green(head)} (${termSafeLine(v.scheme)}, ${termSafeLine(v.matched)}${age}${key})${check}`;
  }
  const lines = [`${c.red(`✗ invalid: ${termSafeLine(v.reason)}`)} — ${termSafeLine(v.message)}`];
  if (v.diagnosis) lines.push(`  ${c.yellow('diagnosis:')} ${termSafeLine(v.diagnosis)}`);
  return lines.join('\n') + check;
}

export const formatAge = (age: number) => (age >= 0 ? `${Math.round(age)} s old` : `${Math.round(-age)} s in the future`);


function timestampRule(s: Scheme): string {
  const t = s.timestamp;
  if (!t) return 'none';
  const bound = t.direction === 'both' ? `±${t.tolerance} s` : `rejects older than ${t.tolerance} s`;
  return `${t.where}, ${bound}${t.strict ? ' (strict)' : ''}${t.basis ? ` (${t.basis})` : ''}`;
}

/**
 * The machine shape of a scheme (`whk schemes --json`). Add keys, never rename them: `builtIn`
 * is false for custom schemes, whose `source` names their file; `definition` says whether
 * `whk schemes show <name> --definition` prints one.
 */
export const schemeJson = (s: Scheme, hasDefinition = Boolean(s.definition)) => ({
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
  docs: s.docs ?? null,
  secretWhere: s.secretWhere ?? null,
  checkedBy: s.checkedBy ?? null,
  aliases: s.aliases ?? [],
  builtIn: s.source === undefined,
  source: s.source ?? null,
  definition: hasDefinition,
});

/** `whk schemes`: one block per scheme; with `definitionHint`, a line saying how to print its definition. */
export function renderSchemes(list: readonly Scheme[], c: Style, definitionHint = false): string {
  return list
    // Custom schemes come from definition files: every field terminal-safe.
    .map((s) => [
      `${c.bold(termSafeLine(s.name).padEnd(14))}${c.dim(termSafeLine(s.provider))}`,
      ...(s.aliases?.length ? [`  also        ${termSafeLine(s.aliases.join(', '))}`] : []),
      `  headers     ${termSafeLine(s.headers.join(', '))}`,
      `  algorithm   ${termSafeLine(s.algorithm)}`,
      `  timestamp   ${termSafeLine(timestampRule(s))}`,
      `  secret      ${termSafeLine(s.secretFormat)}${s.multipleSecrets ? '; several at once (rotation)' : ''}${s.needsUrl ? '; needs --url' : ''}`,
      ...(s.secretWhere ? [`  find it     ${termSafeLine(s.secretWhere)}`] : []),
      ...(s.docs ? [`  docs        ${termSafeLine(s.docs)}`] : []),
      ...(s.checkedBy ? [`  checked by  ${termSafeLine(s.checkedBy)}`] : []),
      ...(s.source ? [`  defined in  ${termSafeLine(s.source)}`] : []),
      ...(definitionHint ? [`  definition  whk schemes show ${termSafeLine(s.name)} --definition`] : []),
    ].join('\n'))
    .join('\n\n');
}
