/** Signed contents a buggy sender might have assembled instead of the definition's, for diagnosis. */
import { readable, type Token } from './template.js';

/**
 * Signed contents assembled the wrong way, each with what the sender did: the parts in another
 * order, the separators left out, a leading prefix left out, the body alone.
 */
export function misassembled(tokens: Token[]): Array<[Token[], string]> {
  const out: Array<[Token[], string]> = [];
  const seen = new Set([readable(tokens)]);
  const add = (t: Token[], why: string) => {
    const r = readable(t);
    if (seen.has(r)) return;
    seen.add(r);
    out.push([t, why]);
  };
  const slots = tokens.flatMap((t, i) => ('ph' in t ? [i] : []));
  const phs = slots.map((i) => tokens[i]!);
  if (phs.length >= 2) {
    for (const order of permutations(phs.length)) {
      const t = tokens.slice();
      order.forEach((from, k) => (t[slots[k]!] = phs[from]!));
      add(t, `the sender signed "${readable(t)}": the parts are in another order`);
    }
    const between = tokens.slice(slots[0], slots[slots.length - 1]! + 1);
    if (between.some((t) => 'lit' in t)) {
      const t = [...tokens.slice(0, slots[0]), ...between.filter((x) => 'ph' in x), ...tokens.slice(slots[slots.length - 1]! + 1)];
      add(t, `the sender joined the parts without the ${[...new Set(between.flatMap((x) => ('lit' in x ? [`"${x.lit}"`] : [])))].join(' and ')} between them`);
    }
  }
  if (slots[0]! > 0) add(tokens.slice(slots[0]), `the sender left out the "${readable(tokens.slice(0, slots[0]))}" prefix`);
  if (tokens.length > 1) add([{ ph: 'body' }], 'the sender signed the body alone');
  return out;
}

/** Orders of n items other than the identity: all of them up to 3 items, adjacent swaps beyond. */
function permutations(n: number): number[][] {
  const id = Array.from({ length: n }, (_, i) => i);
  if (n > 3) {
    return id.slice(1).map((i) => {
      const p = id.slice();
      [p[i - 1], p[i]] = [p[i]!, p[i - 1]!];
      return p;
    });
  }
  const all: number[][] = [];
  const walk = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) {
      if (prefix.some((x, i) => x !== i)) all.push(prefix);
      return;
    }
    rest.forEach((x, i) => walk([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], id);
  return all;
}
