import type { Summary } from '../deliveries.js';
import { COLUMNS, Fit, type Column, type View } from './columns.js';
import { h } from './dom.js';

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
  private readonly fit = new Fit();
  private columns: Column[] = [];

  constructor(private readonly head: HTMLElement, private readonly scroller: HTMLElement, private readonly spacer: HTMLElement, private readonly rows: HTMLElement, private readonly onSelect: (id: number) => void) {
    this.refit();
    scroller.addEventListener('scroll', () => this.render());
    rows.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-id]');
      if (row) this.onSelect(Number(row.dataset.id));
    });
    window.addEventListener('resize', () => this.render());
  }

  get view(): View {
    return this.fit.view;
  }

  /** Deliveries that arrived (shown or not): the columns follow what the list holds. */
  take(arrived: Summary[]): void {
    let changed = false;
    for (const s of arrived) changed = this.fit.take(s) || changed;
    if (changed) this.refit();
  }

  /** The listener's own session ("this run"), once the page knows it. */
  setLive(session: string | null): void {
    this.fit.setLive(session);
    this.refit();
  }

  /** The header and the grid's tracks for the columns shown; the rows follow at the next paint. */
  private refit(): void {
    const v = this.fit.view;
    this.columns = COLUMNS.filter((c) => !c.shown || c.shown(v));
    this.head.parentElement!.style.setProperty('--cols', this.columns.map((c) => c.width(v)).join(' '));
    this.head.replaceChildren(...this.columns.map((c) => h('span', { title: c.title }, c.title)));
    this.render();
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
    for (let pos = first; pos < last; pos++) frag.appendChild(this.row(this.at(pos)!));
    this.rows.replaceChildren(frag);
  }

  private row(s: Summary): HTMLElement {
    return h('div', { class: `row${s.replay ? ' replay' : ''}${s.filtered ? ' filtered' : ''}`, role: 'option', 'aria-selected': String(s.id === this.selected), 'data-id': String(s.id) },
      ...this.columns.map((c) => c.cell(s, this.fit.view)));
  }
}
