import { api, type Detail, type PageInfo, type ReplayResult } from './api.js';
import { bodyLines, diffHeaders, diffLines } from './diff.js';
import { $, append, h, hexDump, jsonTree } from './dom.js';
import { sessionLabel, when } from './labels.js';

export interface DetailHost {
  info: PageInfo;
  /** Where replays go (the "Replay to" field). */
  target(): string;
  select(id: number): void;
  /** A delivery to compare `d` with by default: the first of the same event, else the previous of its type. */
  peer(d: Detail): number | null;
  /** What Compare offers for `d` (ids). */
  candidates(d: Detail): number[];
  /** A delivery's name on the page: `#seq`, `↻ #seq` for a replay (labels.ts). */
  label(id: number): string;
  /** A line that tells it apart: its name, time, event type and verdict. */
  describe(id: number): string;
}

/** A JSON body re-indented to edit; other text as it is. */
function editable(text: string): string {
  try {
    return /^\s*[[{]/.test(text) ? JSON.stringify(JSON.parse(text), null, 2) : text;
  } catch {
    return text;
  }
}

const base64Bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** The detail pane of one delivery: what came, how it was judged and answered, and the actions. */
export function renderDetail(d: Detail, host: DetailHost): void {
  const r = d.record;
  const pane = $('detail');
  const out = h('div', { class: 'result', role: 'status', 'aria-label': 'Result', hidden: true });
  const show = (...nodes: Array<Node | string>) => {
    out.hidden = false;
    out.replaceChildren();
    append(out, ...nodes);
  };
  const fail = (e: unknown) => show(h('span', { class: 'bad' }, (e as Error).message));

  const replay = async (mode: 'original' | 'resign' | 'edit', edit?: { body: string; headers: Record<string, string> }) => {
    const to = host.target();
    if (!to) return show(h('span', { class: 'bad' }, 'Where to? Type a URL in "Replay to" first.'));
    show(`sending to ${to} …`);
    try {
      const res = await api<ReplayResult>(`/api/deliveries/${d.id}/replay`, { mode, url: to, ...edit });
      show(...replayResult(res, host));
    } catch (e) {
      fail(e);
    }
  };
  const copy = async (which: 'curl' | 'whkSend') => {
    const to = host.target() || r.path;
    try {
      const c = await api<{ curl: string; whkSend: string }>(`/api/deliveries/${d.id}/copy?to=${encodeURIComponent(new URL(to, location.href).href)}`);
      const text = c[which];
      const copied = await navigator.clipboard?.writeText(text).then(() => true, () => false);
      show(h('div', {}, copied ? 'Copied to the clipboard:' : 'Copy it from here:'), h('textarea', { 'aria-label': 'Command', readonly: true, rows: '4' }, text));
    } catch (e) {
      fail(e);
    }
  };
  const editor = () => {
    const body = h('textarea', { 'aria-label': 'Body', rows: '12' }, r.bodyEncoding === 'base64' ? '' : editable(r.body));
    const headers = h('textarea', { 'aria-label': 'Headers', rows: '6' }, Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n'));
    const send = () => {
      const hs: Record<string, string> = {};
      for (const line of headers.value.split('\n')) {
        const at = line.indexOf(':');
        if (at > 0) hs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      void replay('edit', { body: body.value, headers: hs });
    };
    show(h('div', {}, 'Edit, then send: the signature is made afresh.'), h('label', {}, 'Body'), body, h('label', {}, 'Headers (name: value, one a line)'), headers,
      h('div', { class: 'actions' }, h('button', { click: send }, 'Send edited'), h('button', { click: () => (out.hidden = true) }, 'Cancel')));
  };

  const facts = factsOf(d, host);

  const actions = h('div', { class: 'actions' },
    h('button', { click: () => void replay('original') }, 'Replay'),
    h('button', { click: () => void replay('resign') }, 'Re-sign & replay'),
    h('button', { click: editor }, 'Edit & replay'),
    h('button', { click: () => void copy('curl') }, 'Copy as curl'),
    h('button', { click: () => void copy('whkSend') }, 'Copy as whk send'),
    h('button', { click: () => void compare(d, host, show) }, 'Compare'));
  const resignNote = host.info.resign.ok ? '' : h('p', { class: 'dim' }, `Re-signing is off: ${host.info.resign.why}`);

  const headers = h('table', { class: 'headers', 'aria-label': 'Headers' }, ...Object.entries(r.headers).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))));
  const queue = r.queued ? queuePanel(r.queued) : '';
  pane.replaceChildren(
    h('h2', {}, `${host.label(d.id)} ${r.method} ${r.path}`),
    facts, queue, actions, resignNote, out,
    h('h3', {}, 'Headers'), headers,
    h('h3', {}, 'Body'), body(r.body, r.bodyEncoding));
}

/** What is known of a delivery, as a list of facts: when, where from, how it was judged, answered and forwarded. */
function factsOf(d: Detail, host: DetailHost): HTMLElement {
  const r = d.record;
  const status = r.response.status;
  const facts = h('dl', { class: 'facts' });
  const fact = (k: string, ...v: Array<Node | string>) => append(facts, h('dt', {}, k), h('dd', {}, ...v));
  fact('received', `${when(r.receivedAt, true)} (${r.receivedAt})`);
  if (d.session) fact('session', `${sessionLabel(d.session, host.info.session)} (${d.session})`);
  fact('provider', r.scheme ?? 'unknown');
  if (r.eventType || r.eventId) fact('event', `${r.eventType ?? ''}${r.eventId ? ` [${r.eventId}]` : ''}`);
  if (d.replay) {
    fact('replay of', h('button', { class: 'link', click: () => host.select(d.replay!.of) }, host.label(d.replay.of)), ` (${d.replay.mode}) to ${d.replay.url}`);
    fact('answer', d.replay.error ? h('span', { class: 'bad' }, d.replay.error) : `${d.replay.status} in ${d.replay.ms} ms`);
    if (d.replay.note) fact('signature', d.replay.note);
  } else {
    fact('verdict', verdict(d));
    if (r.verdict && !r.verdict.valid && r.verdict.diagnosis) fact('diagnosis', h('span', { class: 'warn' }, r.verdict.diagnosis));
    fact('answered', status === 0 ? 'nothing: the connection was dropped' : String(status), r.injected ? ` (injected: ${JSON.stringify(r.injected)})` : '');
    if (r.mount) fact('mount', r.mount);
    if (r.route !== undefined) fact('route', r.route ?? 'none matched: the fallback (--forward-to), if any');
    if (r.forwards && r.forwards.length > 1) fact('forwards', ...r.forwards.map((f) => h('div', {}, `${f.url} → ${f.state ?? f.status ?? '?'}${f.error ? ` (${f.error})` : ''}`)));
    else if (r.forward) fact('forward', 'error' in r.forward ? h('span', { class: 'bad' }, `failed: ${r.forward.error}`) : `${r.forward.status} in ${r.forward.ms} ms`);
    if (r.duplicate) fact('duplicate', `of #${r.duplicateOf} (same event id)`);
    if (r.filtered) fact('filtered', 'not in --events: answered, not forwarded');
  }
  if (d.sameEvent.length) fact('same event', ...d.sameEvent.map((id) => h('button', { class: 'link', click: () => host.select(id) }, host.label(id))));
  return facts;
}

/** A queued delivery (--queue): each target's state, with Retry and Drop; filled from the API. */
function queuePanel(id: string): HTMLElement {
  const panel = h('section', { class: 'queue', 'aria-label': 'Queue' }, h('h3', {}, `Queue ${id}`));
  const table = h('table', { 'aria-label': 'Targets' });
  const note = h('p', { class: 'dim' });
  type View = { targets: Array<{ url: string; state: string; attempts: number; status: number | null; error: string | null; next: string | null }> };
  const fill = (v: View) => table.replaceChildren(...v.targets.map((t) => h('tr', {},
    h('td', {}, t.url), h('td', { class: t.state === 'delivered' ? 'ok' : t.state === 'failed' ? 'bad' : 'warn' }, t.state),
    h('td', {}, `${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`), h('td', {}, t.error ?? (t.status === null ? '' : String(t.status))),
    h('td', {}, t.next ? `next ${when(t.next, true)}` : ''))));
  const act = (action: 'retry' | 'drop') => () => void api<View>(`/api/queue/${id}/${action}`, {}).then((v) => {
    fill(v);
    note.textContent = action === 'retry' ? 'Retrying now.' : 'Dropped: it will not be sent again.';
  }, (e: Error) => (note.textContent = e.message));
  void api<View>(`/api/queue/${id}`).then(fill, (e: Error) => (note.textContent = e.message));
  append(panel, table, h('div', { class: 'actions' }, h('button', { click: act('retry') }, 'Retry now'), h('button', { click: act('drop') }, 'Drop')), note);
  return panel;
}

function verdict(d: Detail): HTMLElement {
  const v = d.record.verdict;
  if (v === null) return h('span', { class: 'dim' }, 'not verified (no secret)');
  if (v.valid) return h('span', { class: 'ok' }, `✓ valid (${String(v.scheme ?? d.record.scheme)})`);
  return h('span', { class: 'bad' }, `✗ ${v.reason} — ${v.message}`);
}

function replayResult(res: ReplayResult, host: DetailHost): Array<Node | string> {
  const head = res.error
    ? h('div', { class: 'bad' }, res.status === null ? res.error : `${res.status}: ${res.error}`)
    : h('div', {}, `→ ${res.status} in ${res.ms} ms from ${res.url}`);
  const text = res.bodyEncoding === 'base64' ? hexDump(base64Bytes(res.body), 512) : res.body;
  return [head, res.note ? h('div', { class: 'dim' }, res.note) : '', text ? h('pre', { 'aria-label': 'Answer body' }, text) : '',
    h('button', { class: 'link', click: () => host.select(res.id) }, 'see the replay in the list')];
}

/** JSON as a tree with a raw view, other text as text, binary as hex. */
function body(text: string, encoding: 'utf8' | 'base64'): HTMLElement {
  if (encoding === 'base64') return h('pre', { 'aria-label': 'Body as hex' }, hexDump(base64Bytes(text)));
  if (text === '') return h('p', { class: 'dim' }, '(empty)');
  let parsed: unknown;
  try {
    parsed = /^\s*[[{]/.test(text) ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const raw = h('pre', { 'aria-label': 'Raw body' }, text);
  if (parsed === undefined) return raw;
  const tree = jsonTree(parsed);
  raw.hidden = true;
  const toggle = h('button', {
    click: () => {
      raw.hidden = !raw.hidden;
      tree.hidden = !raw.hidden;
      toggle.textContent = raw.hidden ? 'Raw' : 'Tree';
    },
  }, 'Raw');
  return h('div', {}, h('div', { class: 'actions' }, toggle), tree, raw);
}

/** "Compare": headers and body of `d` against another delivery, picked from a list of those near it. */
async function compare(d: Detail, host: DetailHost, show: (...n: Array<Node | string>) => void): Promise<void> {
  const choice = h('select', { 'aria-label': 'Compare with' }, ...host.candidates(d).map((id) => h('option', { value: String(id) }, host.describe(id))));
  const peer = host.peer(d);
  if (peer !== null) choice.value = String(peer);
  const result = h('div', { class: 'diff' });
  const run = async () => {
    const other = Number(choice.value);
    if (!other) return result.replaceChildren(h('p', { class: 'dim' }, 'There is no other delivery to compare with.'));
    try {
      const o = await api<Detail>(`/api/deliveries/${other}`);
      result.replaceChildren(...difference(o, d, host.label));
    } catch (e) {
      result.replaceChildren(h('p', { class: 'bad' }, (e as Error).message));
    }
  };
  choice.addEventListener('change', () => void run());
  show(h('label', {}, `Compare ${host.label(d.id)} with `, choice), result);
  await run();
}

function difference(a: Detail, b: Detail, label: (id: number) => string): HTMLElement[] {
  const changes = diffHeaders(a.record.headers, b.record.headers);
  const headers = changes.length === 0
    ? h('p', { class: 'dim' }, 'same headers')
    : h('table', { class: 'headers', 'aria-label': 'Header differences' }, ...changes.map((c) =>
      h('tr', { class: c.left === null ? 'add' : c.right === null ? 'del' : 'chg' }, h('td', {}, c.name), h('td', {}, c.left ?? '(none)'), h('td', {}, c.right ?? '(none)'))));
  const lines = diffLines(bodyLines(a.record.body, a.record.bodyEncoding), bodyLines(b.record.body, b.record.bodyEncoding));
  const bodyDiff = lines === null
    ? h('p', { class: 'dim' }, 'bodies too large to compare line by line')
    : lines.every((l) => l.op === ' ')
      ? h('p', { class: 'dim' }, 'same body')
      : h('pre', { 'aria-label': 'Body differences' }, ...lines.map((l) => h('div', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : '' }, `${l.op} ${l.text}`)));
  return [h('h3', {}, `Headers: ${label(a.id)} → ${label(b.id)}`), headers, h('h3', {}, `Body: ${label(a.id)} → ${label(b.id)}`), bodyDiff];
}
