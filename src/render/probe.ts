import type { CheckResult } from '../probe/grade.js';
import { termSafeLine } from './safe.js';
import type { Style } from './style.js';

export interface ProbeReport {
  url: string;
  scheme: string;
  results: CheckResult[];
}

export const probeSummary = (results: CheckResult[]) => ({
  checks: results.length,
  pass: results.filter((r) => r.result === 'PASS').length,
  fail: results.filter((r) => r.result === 'FAIL').length,
  warn: results.filter((r) => r.result === 'WARN').length,
});

/** Titles are padded to the longest one up to this width; a longer title pushes its own row only. */
const MAX_TITLE_WIDTH = 50;

/**
 * The report card: one row per check, and for each FAIL or WARN what to fix. What came back (a
 * receiver's answer, a network error) and what the rows quote of it are terminal-safe.
 */
export function renderProbe(r: ProbeReport, c: Style): string {
  const safe = r.results.map((x) => ({
    ...x, title: termSafeLine(x.title), got: termSafeLine(x.got), sent: termSafeLine(x.sent), explain: x.explain === undefined ? undefined : termSafeLine(x.explain),
  }));
  const width = Math.min(MAX_TITLE_WIDTH, Math.max(...safe.map((x) => x.title.length)));
  const mark = { PASS: c.green('PASS'), FAIL: c.red.bold('FAIL'), WARN: c.yellow('WARN') };
  const lines = [c.bold(`whk probe ${termSafeLine(r.url)} (${termSafeLine(r.scheme)})`), ''];
  for (const x of safe) {
    const expect = { accept: 'must accept', refuse: 'must refuse', duplicate: '2xx twice', info: 'info' }[x.expect];
    lines.push(`  ${mark[x.result]}  ${x.title.padEnd(width)}  ${c.dim(expect.padEnd(11))}  ← ${x.got}`);
    if (x.result !== 'PASS') {
      lines.push(c.dim(`        sent: ${x.sent}`));
      if (x.explain) lines.push(`        ${x.result === 'FAIL' ? c.red('→') : c.yellow('→')} ${x.explain}`);
    }
  }
  const s = probeSummary(r.results);
  lines.push('', `${s.checks} checks: ${c.green(`${s.pass} pass`)}, ${s.fail ? c.red.bold(`${s.fail} fail`) : '0 fail'}, ${s.warn ? c.yellow(`${s.warn} warn`) : '0 warn'}`);
  return lines.join('\n');
}

export const probeJson = (r: ProbeReport) => ({ url: r.url, scheme: r.scheme, ok: probeSummary(r.results).fail === 0, summary: probeSummary(r.results), checks: r.results });
