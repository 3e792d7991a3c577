import { api, type Detail, type PageInfo, type Summary } from './api.js';
import { renderDetail } from './detail.js';
import { $, h } from './dom.js';
import { verdictText } from './columns.js';
import { ref, sessionLabel, when } from './labels.js';
import { DeliveryList } from './list.js';

/**
 * The inspector page: the live list (server-sent events), filters and search, the keyboard, and
 * the detail of the selected delivery. Plain DOM; every text from a delivery goes in as text.
 */
const all: Summary[] = [];
const byId = new Map<number, Summary>();
let matchIds: Set<number> | null = null;
let info: PageInfo = { mode: 'listen', listenerUrl: null, replayTo: null, resign: { ok: false, why: 'loading' } };

const filters = { provider: $<HTMLSelectElement>('f-provider'), type: $<HTMLSelectElement>('f-type'), verdict: $<HTMLSelectElement>('f-verdict'), status: $<HTMLSelectElement>('f-status') };
const search = $<HTMLInputElement>('search');
const target = $<HTMLInputElement>('replay-to');
const list = new DeliveryList($('list-head'), $('scroller'), $('spacer'), $('rows'), (id) => void select(id));

function visible(s: Summary): boolean {
  const f = filters;
  if (f.provider.value && s.provider !== f.provider.value) return false;
  if (f.type.value && s.eventType !== f.type.value) return false;
  const v = f.verdict.value;
  if (v === 'invalid' ? s.verdict === 'valid' || s.verdict === 'unverified' || s.replay !== null : v && s.verdict !== v) return false;
  const status = s.replay ? (s.replay.status ?? 0) : s.status;
  if (f.status.value && (f.status.value === '0' ? status !== 0 : String(status)[0] !== f.status.value || status === 0)) return false;
  return matchIds === null || matchIds.has(s.id);
}

function refilter(): void {
  list.replace(all.filter(visible));
  count();
}

function count(): void {
  $('count').textContent = `${list.shown.length === all.length ? '' : `${list.shown.length} shown of `}${all.length} deliveries`;
}

/** Each select lists the values seen so far. */
function offer(select: HTMLSelectElement, value: string | null, label = value): void {
  if (value === null || [...select.options].some((o) => o.value === value)) return;
  select.appendChild(h('option', { value }, label ?? value));
}

// Arrivals come in bursts (the first connection sends everything): one pass per frame.
let pending: Summary[] = [];
function arrive(s: Summary): void {
  if (byId.has(s.id)) return;
  byId.set(s.id, s);
  all.push(s);
  pending.push(s);
  if (pending.length === 1) requestAnimationFrame(flush);
}
function flush(): void {
  const batch = pending;
  pending = [];
  list.take(batch);
  for (const s of batch) {
    offer(filters.provider, s.provider);
    offer(filters.type, s.eventType);
    if (!s.replay && s.verdict !== 'valid' && s.verdict !== 'unverified') offer(filters.verdict, s.verdict, `✗ ${s.verdict}`);
  }
  list.prepend(batch.filter(visible));
  count();
  if (matchIds !== null) scheduleSearch();
}

let searchTimer = 0;
function scheduleSearch(): void {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void runSearch(), 120);
}
async function runSearch(): Promise<void> {
  const q = search.value.trim();
  if (q === '') matchIds = null;
  else matchIds = new Set((await api<{ ids: number[] }>(`/api/search?q=${encodeURIComponent(q)}`)).ids);
  refilter();
}

async function select(id: number): Promise<void> {
  list.selected = id;
  let pos = list.position(id);
  if (pos < 0 && byId.has(id)) {
    // Hidden by a filter: show everything again so that the selection is in the list.
    for (const f of Object.values(filters)) f.value = '';
    search.value = '';
    matchIds = null;
    refilter();
    pos = list.position(id);
  }
  if (pos >= 0) list.reveal(pos);
  list.render();
  // The previous delivery's buttons go at once: a quick click cannot act on it by mistake.
  $('detail').replaceChildren(h('p', { class: 'dim' }, `loading ${label(id)} …`));
  try {
    const d = await api<Detail>(`/api/deliveries/${id}`);
    if (list.selected !== id) return; // another was picked meanwhile
    renderDetail(d, { info, target: () => target.value.trim(), select: (n) => void select(n), peer, label, candidates, describe });
  } catch (e) {
    if (list.selected === id) $('detail').replaceChildren(h('p', { class: 'bad' }, (e as Error).message));
  }
}

/** Who to compare `d` with: another delivery of the same event, else the previous one of its type. */
function peer(d: Detail): number | null {
  const same = d.sameEvent.filter((id) => id !== d.id);
  if (same.length) return same[0]!;
  if (d.replay) return d.replay.of;
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i]!;
    if (s.id < d.id && !s.replay && s.eventType === d.eventType) return s.id;
  }
  return null;
}

/** How the page names a delivery, everywhere: `#seq` (`↻ #seq` for a replay), with its session when it is not this list's only one. */
function label(id: number): string {
  const s = byId.get(id);
  if (!s) return '(not in the list yet)';
  return list.view.sessions ? `${ref(s)} (${sessionLabel(s.session, info.session)})` : ref(s);
}

/** A delivery as Compare offers it: its name, time, event type and verdict. */
function describe(id: number): string {
  const s = byId.get(id);
  if (!s) return label(id);
  return [label(id), when(s.at, list.view.days), s.eventType ?? s.path, verdictText(s)].join(' · ');
}

/** What "Compare" offers for `d`: the deliveries of its event, its original and replays, then the nearest of its type, then the nearest. */
function candidates(d: Detail): number[] {
  const out = new Set<number>([...d.sameEvent, ...(d.replay ? [d.replay.of] : [])]);
  const near = all.filter((s) => s.id !== d.id).sort((a, b) => Math.abs(a.id - d.id) - Math.abs(b.id - d.id));
  for (const s of near) if (s.replay?.of === d.id || (s.eventType === d.eventType && out.size < 30)) out.add(s.id);
  for (const s of near) if (out.size < 40) out.add(s.id);
  out.delete(d.id);
  return [...out];
}

function move(step: number): void {
  if (list.shown.length === 0) return;
  const pos = list.selected === null ? -1 : list.position(list.selected);
  const next = Math.min(list.shown.length - 1, Math.max(0, pos + step));
  void select(list.at(next)!.id);
}

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) {
    if (e.key === 'Escape' && t === search) search.blur();
    return;
  }
  if (e.key === 'j') move(1);
  else if (e.key === 'k') move(-1);
  else if (e.key === '/') search.focus();
  else if (e.key === 'r') [...document.querySelectorAll<HTMLButtonElement>('#detail .actions button')].find((b) => b.textContent === 'Replay')?.click();
  else return;
  e.preventDefault();
});

for (const f of Object.values(filters)) f.addEventListener('change', refilter);
search.addEventListener('input', scheduleSearch);
target.addEventListener('change', () => localStorage.setItem('whk.replayTo', target.value.trim()));

void api<PageInfo>('/api/info').then((i) => {
  info = i;
  target.value = localStorage.getItem('whk.replayTo') || i.replayTo || '';
  $('where').textContent = i.mode === 'listen' ? `listening on ${i.listenerUrl}` : 'history';
  list.setLive(i.session ?? null);
}, (e: Error) => ($('where').textContent = e.message));

const events = new EventSource('/api/events');
events.addEventListener('delivery', (e) => arrive(JSON.parse((e as MessageEvent<string>).data) as Summary));
// A stream the server refused (too many pages open) or that whk closed is not retried by the browser: say so.
events.addEventListener('error', () => {
  if (events.readyState === EventSource.CLOSED) $('live-note').textContent = 'live updates stopped (whk stopped, or too many inspector pages are open): reload to try again';
});
count();
