/**
 * The project config file: `whk.json` in the working folder or a parent (or `--config <file>`),
 * checked against its schema (schema.ts) with one-line errors naming the file, the key and the
 * fix, its secret references resolved (`"env:NAME"`, `"secretFile"`), and turned into the values
 * `whk listen`'s flags would have given. Loaded only when a listener starts (or `whk config`).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Errors } from '@sinclair/typebox/errors';
import { usage } from '../errors.js';
import { parseEventFilter, type EventFilter } from '../filter.js';
import { readFileFor, secretsOfFile } from '../io/input.js';
import { sentence } from '../schemes/definition/messages.js';
import { parseDuration, parseSize } from '../units.js';
import { ConfigSchema, type Config, type MountConfig } from './schema.js';

export const CONFIG_NAME = 'whk.json';

/** The whk.json of `cwd` or its nearest parent that has one. */
export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_NAME);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A mount as the listener takes it: its secrets read. */
export interface MountValues {
  path: string;
  scheme: string;
  /** Where its scheme was named, for messages: `whk.json: "mounts./stripe.scheme"` (a mount of the file). */
  schemeKey?: string;
  secrets?: string[];
  tolerance?: number;
  events?: EventFilter;
  forwardTo?: string;
  url?: string;
}

/** What the file says, as flag values (durations in ms, sizes in bytes, secrets read). */
export interface ConfigValues {
  port?: number;
  host?: string;
  path?: string;
  scheme?: string;
  /** The top-level secret(s), read. */
  configSecrets?: string[];
  tolerance?: number;
  events?: EventFilter;
  mount?: MountValues[];
  route?: Array<{ match: string; to: string[] }>;
  forwardTo?: string;
  forwardMethods?: string[];
  forwardTimeout?: number;
  queue?: boolean;
  queueMaxAge?: number;
  maxBody?: number;
  maxConnections?: number;
  shutdownTimeout?: number;
  inspect?: boolean;
  inspectPort?: number;
  history?: boolean;
  record?: string;
  tunnel?: string | boolean;
  tunnelHost?: string;
}

export interface LoadedConfig {
  file: string;
  /** The file as messages name it (relative to the working folder when below it). */
  shown: string;
  config: Config;
  values: ConfigValues;
  /** One line each: a literal secret in the file. */
  warnings: string[];
}

/** Reads and checks `file`; a usage error (exit 2), one line, for anything wrong. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  // Messages name the file as the user would: relative to the working folder when it is below it.
  const near = relative(cwd, path);
  const file = near && !near.startsWith('..') && !isAbsolute(near) ? near : path;
  const shown = file;
  const text = readFileFor(path, '--config', { bytes: 1024 ** 2, fix: 'a whk.json holds a few settings: check the path' }).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw usage('bad_config', `${shown}: not JSON (${(e as Error).message}): fix the syntax, or see whk config --help`);
  }
  const error = Errors(ConfigSchema, json).First();
  if (error) throw usage('bad_config', `${shown}: ${sentence(error, json)} (see whk config --help)`);
  const config = json as Config;
  const warnings: string[] = [];
  const values = valuesOf(config, { file, dir: dirname(path), env, warn: (w) => warnings.push(w) });
  return { file: path, shown, config, values, warnings };
}

interface Context {
  /** The file as messages name it. */
  file: string;
  /** Its folder: secretFile is relative to it. */
  dir: string;
  env: NodeJS.ProcessEnv;
  warn: (line: string) => void;
}

function valuesOf(c: Config, x: Context): ConfigValues {
  const v: ConfigValues = {};
  const copy = ['port', 'host', 'path', 'scheme', 'tolerance', 'forwardTo', 'forwardMethods', 'queue', 'maxConnections', 'inspect', 'inspectPort', 'history', 'record', 'tunnel', 'tunnelHost'] as const;
  for (const k of copy) if (c[k] !== undefined) Object.assign(v, { [k]: c[k] });
  const secrets = secretsOf(c, '', x);
  if (secrets) v.configSecrets = secrets;
  if (c.events !== undefined) v.events = eventsOf(c.events, 'events', x);
  if (c.forwardTimeout !== undefined) v.forwardTimeout = ms(c.forwardTimeout, 'forwardTimeout', x);
  if (c.queueMaxAge !== undefined) v.queueMaxAge = ms(c.queueMaxAge, 'queueMaxAge', x);
  if (c.shutdownTimeout !== undefined) v.shutdownTimeout = ms(c.shutdownTimeout, 'shutdownTimeout', x);
  if (c.maxBody !== undefined) v.maxBody = typeof c.maxBody === 'number' ? c.maxBody : parseSize(c.maxBody, `${x.file}: "maxBody"`);
  if (c.mounts) v.mount = Object.entries(c.mounts).map(([path, m]) => mountOf(path, m, x));
  if (c.routes) v.route = c.routes.map((r) => ({ match: r.match, to: typeof r.to === 'string' ? [r.to] : r.to }));
  return v;
}

function mountOf(path: string, m: MountConfig, x: Context): MountValues {
  const key = `mounts.${path}`;
  const out: MountValues = { path: path.replace(/(.)\/+$/, '$1'), scheme: m.scheme, schemeKey: `${x.file}: "${key}.scheme"` };
  const secrets = secretsOf(m, `${key}.`, x);
  if (secrets) out.secrets = secrets;
  if (m.tolerance !== undefined) out.tolerance = m.tolerance;
  if (m.events !== undefined) out.events = eventsOf(m.events, `${key}.events`, x);
  if (m.forwardTo !== undefined) out.forwardTo = m.forwardTo;
  if (m.url !== undefined) out.url = m.url;
  return out;
}

/** "secret" (a reference "env:NAME", or the secret itself, with a warning) and "secretFile". */
function secretsOf(o: { secret?: string; secretFile?: string }, prefix: string, x: Context): string[] | undefined {
  const out: string[] = [];
  if (o.secret !== undefined) {
    const ref = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(o.secret);
    if (ref) {
      const value = x.env[ref[1]!];
      if (!value) throw usage('bad_config', `${x.file}: "${prefix}secret": the environment variable ${ref[1]} is not set: export ${ref[1]}=<the secret>, or use "${prefix}secretFile"`);
      out.push(value);
    } else {
      x.warn(`${x.file}: "${prefix}secret" holds the secret itself: anyone who reads the file has it; use "env:NAME" or "${prefix}secretFile"`);
      out.push(o.secret);
    }
  }
  if (o.secretFile !== undefined) {
    const path = resolve(x.dir, o.secretFile);
    const inFile = secretsOfFile(readFileFor(path, `${x.file}: "${prefix}secretFile"`, { bytes: 1024 ** 2, fix: 'it should hold secrets only, one per line' }).toString('utf8'));
    if (inFile.length === 0) throw usage('bad_config', `${x.file}: "${prefix}secretFile": ${path} has no secret in it (one per line)`);
    out.push(...inFile);
  }
  return out.length > 0 ? out : undefined;
}

function eventsOf(e: string | string[], key: string, x: Context): EventFilter {
  return parseEventFilter(typeof e === 'string' ? e : e.join(','), `${x.file}: "${key}"`);
}

function ms(d: string | number, key: string, x: Context): number {
  return typeof d === 'number' ? d : parseDuration(d, `${x.file}: "${key}"`);
}
