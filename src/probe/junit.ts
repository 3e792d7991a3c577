import type { CheckResult } from './grade.js';

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // XML 1.0 cannot carry most control characters, even escaped.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** A JUnit XML report: one testcase per check; FAIL is a <failure>, WARN is noted in <system-out>. */
export function junitReport(o: { url: string; scheme: string; results: CheckResult[]; timestamp: string }): string {
  const failures = o.results.filter((r) => r.result === 'FAIL').length;
  const seconds = (r: CheckResult) => (r.ms.reduce((a, b) => a + b, 0) / 1000).toFixed(3);
  const total = o.results.reduce((a, r) => a + Number(seconds(r)), 0).toFixed(3);
  const cases = o.results.map((r) => {
    const open = `    <testcase classname="whk.probe.${xml(o.scheme)}" name="${xml(r.title)}" time="${seconds(r)}"`;
    const detail = `sent: ${r.sent}\ngot: ${r.got}${r.explain ? `\n${r.explain}` : ''}`;
    if (r.result === 'FAIL') return `${open}>\n      <failure message="${xml(r.explain ?? r.got)}" type="${xml(r.id)}">${xml(detail)}</failure>\n    </testcase>`;
    if (r.result === 'WARN') return `${open}>\n      <system-out>${xml(`WARN: ${detail}`)}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="whk probe" tests="${o.results.length}" failures="${failures}" errors="0" time="${total}">`,
    `  <testsuite name="whk probe ${xml(o.url)} (${xml(o.scheme)})" tests="${o.results.length}" failures="${failures}" errors="0" skipped="0" timestamp="${xml(o.timestamp)}" time="${total}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
