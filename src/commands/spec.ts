/**
 * A command as data, free of any argument parser: src/cli.ts declares each on commander, and
 * src/quick.ts parses the flags of `whk sign` and `whk verify` itself (start-up is measured:
 * those two never load commander). Both read the same table, so a flag is declared once.
 */
import type { Flag } from '../flags.js';
import type { IO } from '../io/input.js';
import type { ListenDeps } from './listen.js';

/** The process's own streams: each call one write, ending with a newline. */
export const stdio: IO = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  // Read when used: Node makes each stream when first asked for it (start-up is measured).
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
};

/** What a caller (a test running whk in-process) may give instead of the process's own. */
export interface Deps {
  io?: IO;
  listen?: ListenDeps;
}

/** What a command's `run` gets once its flags are parsed. */
export interface Call {
  /** The command's argument (<url>, <file>, <ref>, <name>), for the commands that take one. */
  arg: string | undefined;
  /** The command's own flags, parsed (keys are the long names in camelCase). */
  opts<T>(): T;
  /** Its flags and those of the commands above it (`whk queue --all retry`). */
  optsWithGlobals<T>(): T;
  /** Prints the command's help. */
  help(): void;
  io: IO;
  deps: Deps;
  /** false with --no-color. */
  color: boolean;
}

/**
 * A command: its name, what it does, its argument and flags, the text its help ends with, and
 * how it runs (most import their module only then: `whk sign` loads neither the listener nor
 * the sender).
 */
export interface Spec {
  name: string;
  description: string;
  /** [name, description], e.g. ['[url]', 'the receiver URL']. */
  arg?: [string, string];
  flags: Flag[];
  /** Shown after the flags in --help, in order. */
  help?: string[];
  run: (c: Call) => Promise<number>;
  commands?: Spec[];
}

/** The examples a command's help ends with. */
export const example = (...lines: string[]) => `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
