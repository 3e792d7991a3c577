import type { Summary } from '../deliveries.js';
import { clock, h } from './dom.js';

export const ROW_HEIGHT = 26;

/**
 * The list of deliveries, newest first, virtualized: only the rows on screen (and a few more)
 * exist in the DOM, so 10,000 deliveries cost what 40 do. `shown` is oldest first; row 0 on
 * screen is its last element.
 */
export class DeliveryList {
  shown: Summary[] = [];
  selected: number | null = null;
  private frame = 0;

  constructor(private readonly scroller: HTMLElement, private readonly spacer: HTMLElement, private readonly rows: HTMLElement, private readonly onSelect: (id: number) => void) {
    scroller.addEventListener('scroll', () => this.render());
    rows.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-id]');
      if (row) this.onSelect(Number(row.dataset.id));
    });
    window.addEventListener('resize', () => this.render());
  }

  /** New deliveries at the top; a reader scrolled down keeps their place. */
  prepend(added: Summary[]): void {
    this.shown.push(...added);
    if (this.scroller.scrollTop > 0) this.scroller.scrollTop += added.length * ROW_HEIGHT;
    this.render();
  }

  replace(all: Summary[]): void {
    this.shown = all;
    this.render();
  }

  /** Coalesced to one paint per frame: a burst of arrivals renders once. */
  render(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  position(id: number): number {
    for (let i = this.shown.length - 1; i >= 0; i--) if (this.shown[i]!.id === id) return this.shown.length - 1 - i;
    return -1;
  }

  at(pos: number): Summary | undefined {
    return this.shown[this.shown.length - 1 - pos];
  }

  /** Scrolls so that row `pos` is on screen. */
  reveal(pos: number): void {
    const top = pos * ROW_HEIGHT;
    const s = this.scroller;
    if (top < s.scrollTop) s.scrollTop = top;
    else if (top + ROW_HEIGHT > s.scrollTop + s.clientHeight) s.scrollTop = top + ROW_HEIGHT - s.clientHeight;
    this.render();
  }

  private paint(): void {
    const n = this.shown.length;
    this.spacer.style.height = `${n * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(n, first + Math.ceil(this.scroller.clientHeight / ROW_HEIGHT) + 10);
    this.rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const frag = document.createDocumentFragment();
    for (let pos = first; pos < last; pos++) frag.appendChild(row(this.at(pos)!, this.selected));
    this.rows.replaceChildren(frag);
  }
}

function verdictCell(s: Summary): HTMLElement {
  if (s.replay) return h('span', { class: 'dim' }, 'replay');
  if (s.verdict === 'valid') return h('span', { class: 'ok' }, '✓ valid');
  if (s.verdict === 'unverified') return h('span', { class: 'dim' }, '· not verified');
  return h('span', { class: 'bad' }, `✗ ${s.verdict}`);
}

function statusCell(status: number): HTMLElement {
  return h('span', { class: status === 0 || status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok' }, status === 0 ? 'drop' : String(status));
}

function marks(s: Summary): string {
  if (s.replay) return `↻ of #${s.replay.of}`;
  return [s.duplicateOf !== null ? `dup of #${s.duplicateOf}` : '', s.filtered ? 'filtered' : ''].filter(Boolean).join(' ');
}

function row(s: Summary, selected: number | null): HTMLElement {
  const status = s.replay ? (s.replay.status ?? 0) : s.status;
  return h('div', { class: `row${s.replay ? ' replay' : ''}${s.filtered ? ' filtered' : ''}`, role: 'option', 'aria-selected': String(s.id === selected), 'data-id': String(s.id) },
    h('span', {}, clock(s.at)),
    h('span', {}, s.method),
    h('span', { title: s.path }, s.path),
    h('span', {}, s.provider ?? '?'),
    h('span', {}, s.eventType ?? ''),
    verdictCell(s),
    statusCell(status),
    h('span', { class: 'dim' }, marks(s)),
    h('span', { class: s.forward?.startsWith('failed') ? 'bad' : 'dim' }, s.forward ?? ''));
}
