import { usage } from '../errors.js';
import { closest } from './distance.js';
import { sign as signAs, signDelivery as signDeliveryAs, verifyAmong, type SignedDelivery } from './core.js';
import type { Scheme, SignedHeaders, SignInput, Verdict, VerifyInput } from './types.js';

/**
 * The schemes of one run, as a value: built once from the core's providers, the catalogue and
 * the run's custom definitions (src/run-schemes.ts for the CLI, src/index.ts for the library),
 * then handed to every command, the listener, the inspector, probe, replay and the diagnosis
 * worker. Names and aliases are case-insensitive; built-in schemes come first, then custom ones.
 */
export class Registry {
  /** The built-in schemes, then the custom ones. */
  readonly all: readonly Scheme[];
  private readonly byName = new Map<string, Scheme>();
  private readonly builtIn: ReadonlySet<Scheme>;
  private readonly memo = new Map<(list: readonly Scheme[]) => unknown, unknown>();

  /** A name given twice (a custom scheme that takes a built-in's name, say) is a usage error. */
  constructor(builtIn: readonly Scheme[], custom: readonly Scheme[] = []) {
    this.all = [...builtIn, ...custom];
    this.builtIn = new Set(builtIn);
    for (const s of this.all) {
      for (const name of [s.name, ...(s.aliases ?? [])].map((n) => n.toLowerCase())) {
        const taken = this.byName.get(name);
        if (taken) throw duplicate(name, s, taken, this.builtIn.has(taken));
        this.byName.set(name, s);
      }
    }
  }

  /** This registry with `custom` added after its schemes (a run's --scheme-file, a library user's own). */
  with(custom: readonly Scheme[]): Registry {
    return new Registry(this.all.filter((s) => this.builtIn.has(s)), [...this.custom(), ...custom]);
  }

  /** The custom schemes, in the order they were given. */
  custom(): readonly Scheme[] {
    return this.all.filter((s) => !this.builtIn.has(s));
  }

  /** Whether `name` is one of whk's own schemes (not a custom one). */
  isBuiltIn(name: string): boolean {
    const s = this.byName.get(name.toLowerCase());
    return s !== undefined && this.builtIn.has(s);
  }

  find(name: string): Scheme | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The scheme called `name`; a usage error naming the closest one otherwise. */
  get(name: string | Scheme): Scheme {
    if (typeof name !== 'string') return name;
    // Names are lower-case: most callers give one as it is, found without a copy.
    const s = this.byName.get(name) ?? this.byName.get(name.toLowerCase());
    if (s) return s;
    const guess = closest(name.toLowerCase(), [...this.byName.keys()]);
    throw usage('unknown_scheme', `unknown scheme "${name}"${guess ? `: did you mean "${guess}"?` : ''} (whk schemes lists them all)`);
  }

  /**
   * The schemes whose signature header is present, most likely first: one pass over the
   * delivery's headers, whatever the number of schemes. Schemes that share a header (standard and
   * freepik) are all returned, built-in ones before custom ones.
   */
  detect(headers: Record<string, string | string[] | undefined>): Scheme[] {
    const index = this.derive(detectionIndex);
    const found = new Set<number>();
    for (const k in headers) {
      const at = index.get(k.toLowerCase());
      if (at) for (const i of at) found.add(i);
    }
    return [...found].sort((a, b) => a - b).map((i) => this.all[i]!);
  }

  /** A value computed from the list of schemes once per registry (an index, a filtered list). */
  derive<T>(compute: (list: readonly Scheme[]) => T): T {
    if (!this.memo.has(compute)) this.memo.set(compute, compute(this.all));
    return this.memo.get(compute) as T;
  }

  /** The headers the provider would send (see core.ts). */
  sign(scheme: string | Scheme, input: SignInput): SignedHeaders {
    return signAs(this.get(scheme), input);
  }

  signDelivery(scheme: string | Scheme, input: SignInput): SignedDelivery {
    return signDeliveryAs(this.get(scheme), input);
  }

  /**
   * Judges a delivery. `scheme` may be "auto": the scheme is detected from the headers and, where
   * several share them, each is tried. Bad signatures give a verdict; only misuse throws.
   */
  verify(scheme: string | Scheme, input: VerifyInput): Verdict {
    if (scheme !== 'auto') return verifyAmong([this.get(scheme)], input);
    return verifyAmong(this.detect(input.headers), input, this.all);
  }
}

/** Lower-cased identifying header -> positions in the list of schemes. */
function detectionIndex(list: readonly Scheme[]): Map<string, number[]> {
  const byHeader = new Map<string, number[]>();
  list.forEach((s, i) => {
    for (const h of new Set((s.detect ?? s.headers.slice(0, 1)).map((x) => x.toLowerCase()))) {
      const at = byHeader.get(h);
      if (at) at.push(i);
      else byHeader.set(h, [i]);
    }
  });
  return byHeader;
}

function duplicate(name: string, s: Scheme, taken: Scheme, takenIsBuiltIn: boolean) {
  const where = (x: Scheme) => (x.source ? ` (${x.source})` : '');
  const key = name === s.name.toLowerCase() ? '"name"' : '"aliases"';
  return usage('duplicate_scheme', takenIsBuiltIn
    ? `${s.source ? `${s.source}: ` : ''}${key}: "${name}" is a built-in scheme: give yours another name`
    : `scheme "${name}"${where(s)} is defined twice: also${where(taken) || ' before'}`);
}
