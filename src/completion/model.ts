/**
 * What shell completion knows about whk, as plain data read from the commander program (its
 * commands, their flags and arguments, as `--help` shows them) and from the registry (scheme
 * names and their sample events). The generators (bash.ts, zsh.ts, fish.ts) turn it into a
 * script; nothing here is written by hand per command, so a flag added to the Spec table is
 * completed with no change to this folder.
 */
import type { Argument, Command, Option } from 'commander';
import { samplesOf } from '../providers/samples.js';
import type { Scheme } from '../schemes/types.js';

/**
 * What a flag's value (or a command's argument) is, for completion:
 * - `file`: a path (a flag whose placeholder is <file> or whose name ends in -file);
 * - `scheme`: a scheme name (`--scheme`), `auto` too where it is the flag's default;
 * - `event`: a sample event of the scheme named by `--scheme` (`--event`);
 * - `choice`: one of the values commander knows (`.choices()`);
 * - `text`: anything (a URL, a number, a secret): nothing to offer.
 */
export type Value =
  | { kind: 'file' }
  | { kind: 'scheme'; auto: boolean }
  | { kind: 'event' }
  | { kind: 'choice'; choices: string[] }
  | { kind: 'text' };

/** The shells `whk completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface FlagModel {
  /** '--scheme', '-v'. */
  names: string[];
  help: string;
  /** Undefined for a flag that takes no value. */
  value?: Value;
  /** What its help calls the value: 'n' for `--port <n>`. */
  placeholder?: string;
  /** Whether the flag may be given more than once (its help says "repeatable"). */
  repeatable: boolean;
}

export interface ArgumentModel {
  name: string;
  required: boolean;
  value: Value;
}

export interface CommandModel {
  /** ['whk'], ['whk', 'schemes', 'show']. */
  path: string[];
  help: string;
  flags: FlagModel[];
  argument?: ArgumentModel;
  commands: CommandModel[];
}

export interface SchemeModel {
  name: string;
  aliases: string[];
  /** Its sample events' names (what `whk send --event` takes), the default one first. */
  events: string[];
}

export interface CompletionModel {
  program: CommandModel;
  schemes: SchemeModel[];
  /** Who generated it ("whk 0.1.0"), for the script's first lines. */
  generator: string;
}

/** What a flag's value is (see Value), from its commander Option; undefined for a flag without one. */
export function flagValue(o: Option): Value | undefined {
  if (!o.required && !o.optional) return undefined;
  if (o.argChoices) return { kind: 'choice', choices: [...o.argChoices] };
  if (o.long === '--scheme') return { kind: 'scheme', auto: o.defaultValue === 'auto' };
  if (o.long === '--event') return { kind: 'event' };
  if (/<file>|\[file\]/.test(o.flags) || o.long?.endsWith('-file')) return { kind: 'file' };
  return { kind: 'text' };
}

/**
 * What a command's argument is, where completion can offer something: its choices, the scheme of
 * `schemes show`, the shell of `completion`, the command of `help`, files where it is a file.
 */
function argumentValue(cmd: Command, arg: Argument, siblings: string[]): Value {
  if (arg.argChoices) return { kind: 'choice', choices: [...arg.argChoices] };
  if (cmd.name() === 'show' && cmd.parent?.name() === 'schemes') return { kind: 'scheme', auto: false };
  if (cmd.name() === 'completion') return { kind: 'choice', choices: [...SHELLS] };
  if (cmd.name() === 'help' && arg.name() === 'command') return { kind: 'choice', choices: siblings.filter((s) => s !== 'help') };
  if (arg.name() === 'file' || /\bfile\b/.test(arg.description)) return { kind: 'file' };
  return { kind: 'text' };
}

/** One line of help text, for a completion menu. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `cmd` and the commands below it, as `--help` shows them (hidden ones left out, help included). */
export function describeCommand(cmd: Command, parentPath: string[] = [], siblings: string[] = []): CommandModel {
  const help = cmd.createHelp();
  const path = [...parentPath, cmd.name()];
  const flags = help.visibleOptions(cmd).map((o): FlagModel => ({
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    help: oneLine(o.description),
    value: flagValue(o),
    placeholder: /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1],
    repeatable: /\brepeatable\b/.test(o.description),
  }));
  const subs = help.visibleCommands(cmd);
  const names = subs.map((c) => c.name());
  const arg = cmd.registeredArguments[0];
  return {
    path,
    help: oneLine(cmd.description()),
    flags,
    argument: arg && { name: arg.name(), required: arg.required, value: argumentValue(cmd, arg, siblings) },
    commands: subs.map((c) => describeCommand(c, path, names)),
  };
}

/** `model` and every command below it, parents first. */
export const allCommands = (model: CommandModel): CommandModel[] => [model, ...model.commands.flatMap(allCommands)];

/** Names a shell can take as one word (no whitespace, no control character): what a script may list. */
export const isWord = (name: string) => /^[^\s\u0000-\u001f\u007f]+$/.test(name);

/** The schemes of a run, for completion: names, aliases and sample events (samplesOf: whk send's own). */
export function schemeModels(schemes: readonly Scheme[]): SchemeModel[] {
  return schemes.map((s) => ({ name: s.name, aliases: [...(s.aliases ?? [])], events: samplesOf(s)?.events.map((e) => e.event) ?? [] }));
}
