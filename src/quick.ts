/**
 * The quick path of `whk sign` and `whk verify`, which bin/whk.js tries before the program.
 *
 * Start-up is measured (`npm run bench`: at most 1.20× `node -e ''`). On Node 20, loading an ES
 * module entry costs about 0.1× of that on its own, and commander about as much again, so these
 * two commands are also built as one CommonJS script (dist/bin/quick.cjs, scripts/bundle.mjs)
 * that parses their flags with node:util's parseArgs, from the same table commander reads
 * (SIGN and VERIFY). It runs the same command code and reports errors the same way.
 *
 * It takes a run only when it gives exactly what the program would: every flag is one it
 * knows, each flag's parser accepts its value, and --scheme names a core scheme (the registry
 * of such a run is the core alone). Anything else (help, a wrong flag or value, --scheme auto,
 * a catalogue or custom scheme, a global flag before the command) it leaves untouched to the
 * program, whose answer (commander's errors, the catalogue) is then the only one.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SIGN } from './commands/sign.js';
import { VERIFY } from './commands/verify.js';
import { failed } from './commands/outcome.js';
import { stdio, type Deps, type Spec } from './commands/spec.js';
import { coreScheme } from './providers/core.js';
import { Registry } from './schemes/registry.js';
import type { Scheme } from './schemes/types.js';
import type { Flag } from './flags.js';

const QUICK: Record<string, Spec> = { sign: SIGN, verify: VERIFY };

/** The program's own flags (src/cli.ts), which commander takes after the command's name too. */
const GLOBAL = ['debug', 'no-color'];

/** A run's flags as commander would give them: keys are the long names in camelCase. */
interface Parsed {
  opts: Record<string, unknown>;
  color: boolean;
}

/** `--secret-file` → `secretFile`, as commander names an option's value. */
const attribute = (long: string) => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The long name and whether it takes a value, for the flags this path parses; else undefined. */
function shape(f: Flag): { long: string; value: boolean } | undefined {
  const m = /^--([a-z][a-z0-9-]*)( <[^>]+>)?$/.exec(f.flags);
  if (!m || m[1]!.startsWith('no-') || f.env || f.conflicts || f.choices) return undefined;
  return { long: m[1]!, value: m[2] !== undefined };
}

/**
 * The flags of `args` for `spec`, parsed as commander would (defaults first, then each
 * occurrence in order through its flag's parser, which gets the value so far); undefined when
 * anything is not plain (commander then says what it says).
 */
function parseQuick(spec: Spec, args: string[]): Parsed | undefined {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const g of GLOBAL) options[g] = { type: 'boolean', multiple: true };
  const byLong = new Map<string, Flag>();
  const opts: Record<string, unknown> = {};
  for (const f of spec.flags) {
    const s = shape(f);
    if (!s) return undefined;
    options[s.long] = { type: s.value ? 'string' : 'boolean', multiple: true };
    byLong.set(s.long, f);
    if (f.default !== undefined) opts[attribute(s.long)] = f.default;
  }
  let color = true;
  try {
    const { tokens } = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
    for (const t of tokens) {
      if (t.kind !== 'option') return undefined;
      if (GLOBAL.includes(t.name)) {
        if (t.name === 'no-color') color = false;
        continue;
      }
      const f = byLong.get(t.name)!;
      const key = attribute(t.name);
      opts[key] = t.value === undefined ? true : f.parse ? f.parse(t.value, opts[key]) : t.value;
    }
  } catch {
    return undefined;
  }
  return { opts, color };
}

/** Runs `whk sign` or `whk verify` when this path can (see above); undefined leaves it to the program. */
export function quick(argv: string[], deps: Deps = {}): Promise<number> | undefined {
  const spec = QUICK[argv[2] ?? ''];
  if (!spec) return undefined;
  const parsed = parseQuick(spec, argv.slice(3));
  const name = parsed?.opts.scheme;
  const scheme = typeof name === 'string' && parsed?.opts.schemeFile === undefined ? coreScheme(name) : undefined;
  if (!parsed || !scheme) return undefined;
  return run(spec, parsed, scheme, deps, argv.includes('--debug') || process.env.WHK_DEBUG === '1');
}

/**
 * The command, with a registry of the named scheme alone: a core name is never looked for in
 * the catalogue or the config folder (src/run-schemes.ts), and sign and verify with a named
 * scheme use that scheme only (a test compares every core scheme's answers with the program's).
 */
async function run(spec: Spec, { opts, color }: Parsed, scheme: Scheme, deps: Deps, debug: boolean): Promise<number> {
  const io = deps.io ?? stdio;
  const help = `whk ${spec.name} --help`;
  try {
    const all = { ...opts, scheme: scheme.name, registry: new Registry([scheme]) };
    return await spec.run({
      arg: undefined,
      opts: <T>() => all as T,
      optsWithGlobals: <T>() => ({ color, ...all }) as T,
      help: () => io.out(`see ${help}`),
      io,
      deps,
      color,
    });
  } catch (e) {
    return failed(e, io, debug, help);
  }
}
