/**
 * The only way the page makes elements: text always goes in as text nodes (textContent), never
 * as HTML. Everything a delivery carries (body, headers, path, method) is untrusted.
 */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k, v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A JSON value as a collapsible tree: objects and arrays are <details>, levels past `open` start closed. */
export function jsonTree(value: unknown, open = 2): HTMLElement {
  let budget = 5000;
  const node = (key: string | null, v: unknown, depth: number): HTMLElement => {
    const label = key === null ? null : h('span', { class: 'k' }, `${key}: `);
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
      const brackets = Array.isArray(v) ? `[${entries.length}]` : `{${entries.length}}`;
      const d = h('details', { open: depth < open && budget > 0 }, h('summary', {}, label, brackets));
      budget -= entries.length;
      for (const [k, x] of entries) d.appendChild(node(k, x, depth + 1));
      return d;
    }
    const cls = typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : '';
    return h('div', { class: 'leaf' }, label, h('span', { class: cls }, JSON.stringify(v)));
  };
  return h('div', { class: 'tree', role: 'tree', 'aria-label': 'Body as a tree' }, node(null, value, 0));
}

/** The first bytes of a binary body as a hex dump: offset, 16 bytes, their ASCII. */
export function hexDump(bytes: Uint8Array, max = 4096): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, max); i += 16) {
    const row = bytes.subarray(i, Math.min(i + 16, bytes.length));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > max) lines.push(`… ${bytes.length - max} more bytes`);
  return lines.join('\n');
}
