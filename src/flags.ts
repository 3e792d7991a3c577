/**
 * Flags as data, and their parsers: each flag is parsed and checked once, where it is declared
 * (the command table in src/cli.ts), and commands receive typed options. A parser throws a usage
 * WhkError (exit 2) naming the flag, the value and the fix; commander lets it through to the one
 * top-level handler.
 */
import { parseEventFilter } from './filter.js';
import { parseMountFlag, parseRouteFlag } from './listen/gateway.js';
import { usage } from './errors.js';
import { parseDuration, parseInteger, parseSize, parseUnixFlag } from './units.js';
import { parseUrl } from './io/input.js';
import { parseExpect } from './send/expect.js';
import { MAX_BODY } from './io/input.js';
import { TUNNEL_PROVIDERS } from './tunnel/types.js';

/** One flag of a command, as its help shows it (src/cli.ts makes it commander's Option; src/quick.ts reads it too). */
export interface Flag {
  /** '--port <n>', '--json', '--no-history'. */
  flags: string;
  help: string;
  /**
   * Turns the text given into the value the command gets (and checks it); `previous` is the value
   * so far, for a repeatable flag. (A method: each parser takes the `previous` of its own type.)
   */
  parse?(text: string, previous: unknown): unknown;
  default?: unknown;
  /** The default as help shows it ("10s" for 10000). */
  shownDefault?: string;
  /** An environment variable that gives the value when the flag is absent. */
  env?: string;
  /** A flag this one cannot be used with. */
  conflicts?: string;
  /** The only values allowed. */
  choices?: string[];
}

/** Repeatable flags: every value, in order. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** An integer in [min, max]. */
export const integer = (flag: string, min = 0, max = Number.MAX_SAFE_INTEGER, what = 'an integer') => (text: string) => {
  const n = parseInteger(text, flag, min);
  if (n > max) throw usage('bad_number', `${flag} ${n} is not ${what} (${min}-${max})`);
  return n;
};

export const port = (flag: string) => integer(flag, 0, 65535, 'a port; 0 picks a free one');

/** An HTTP status to answer with. */
export const status = (flag: string) => (text: string) => {
  const n = parseInteger(text, flag);
  if (n < 200 || n > 599) throw usage('bad_status', `${flag} ${n} is not an HTTP status to answer with (200-599)`);
  return n;
};

/** A duration in milliseconds ("30s", "250ms", "2m"). */
export const duration = (flag: string) => (text: string) => parseDuration(text, flag);

/**
 * How far back (`whk history --since`): a duration with its unit, days too (`7d`). A bare
 * number is refused: `--since 2` could mean 2 seconds, minutes or days.
 */
export const since = (flag: string) => (text: string) => {
  const days = /^\s*(\d+(?:\.\d+)?)\s*d\s*$/i.exec(text);
  if (days) return Math.round(Number(days[1]) * 86_400_000);
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) throw usage('bad_duration', `${flag} "${text}" has no unit: give e.g. 30m, 2h or 7d (units: ms, s, m, h, d)`);
  return parseDuration(text, flag);
};

/** A duration that must be more than 0 (a timeout). */
export const positiveDuration = (flag: string) => (text: string) => {
  const ms = parseDuration(text, flag);
  if (ms <= 0) throw usage('bad_duration', `${flag} must be more than 0`);
  return ms;
};

/** `2xx`, `200,201`, `4xx`: the statuses that count as success. */
export const expectStatus = (flag: string) => (text: string) => parseExpect(text, flag);

/** A size in bytes ("1mb", "512kb"). */
export const size = (flag: string) => (text: string) => parseSize(text, flag);

/** Unix seconds (milliseconds refused, clearly). */
export const unixTime = (flag: string) => (text: string) => parseUnixFlag(text, flag);

/** A fraction in [0, 1]. */
export const fraction = (flag: string) => (text: string) => {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n <= 1)) throw usage('bad_number', `${flag} "${text}" is not a fraction between 0 and 1 (e.g. 0.3)`);
  return n;
};

/** An http(s) URL, kept as written (checked here). */
export const url = (flag: string) => (text: string) => (parseUrl(text, flag), text);

/**
 * A scheme name (whk schemes lists them), or "auto" where detection is allowed. The name is
 * checked once every flag is parsed (src/cli.ts, preAction), when the definitions of
 * --scheme-file, which may come after it, are known.
 */
export const scheme = (allowAuto: boolean) => (text: string) => {
  if (text === 'auto' && !allowAuto) throw usage('unknown_scheme', '--scheme auto detects the scheme of a delivery, which only verify and listen do: name the scheme (whk schemes lists them)');
  return text;
};

/**
 * --scheme-file <path> (repeatable). The files are read and their definitions checked once every
 * flag is parsed (src/cli.ts, preAction), by code that loads only then: start-up stays free of it.
 */
export const schemeFile = (text: string, previous: string[] = []) => {
  if (text.trim() === '') throw usage('bad_path', '--scheme-file needs the path of a JSON file of scheme definitions');
  return [...previous, text];
};

/** `POST,GET`: HTTP method tokens, upper-cased. */
export const methods = (flag: string) => (text: string) => {
  const list = text.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  if (list.length === 0 || list.some((m) => !/^[A-Z][A-Z-]*$/.test(m))) {
    throw usage('bad_methods', `${flag} "${text}" is not a list of HTTP methods: give e.g. POST,GET`);
  }
  return list;
};

/** One HTTP method (`--method`), upper-cased. */
export const method = (flag: string) => (text: string) => {
  const m = text.trim().toUpperCase();
  if (!/^[A-Z][A-Z-]*$/.test(m)) throw usage('bad_method', `${flag} "${text}" is not an HTTP method: give e.g. POST`);
  return m;
};

/** `--mount /stripe=stripe` (repeatable): a path and the scheme it verifies. */
export const mount = (text: string, previous: unknown[] = []) => [...previous, parseMountFlag(text)];

/** `--route 'stripe:invoice.*=http://...,http://...'` (repeatable). */
export const route = (text: string, previous: unknown[] = []) => [...previous, parseRouteFlag(text)];

/** `--tunnel [provider]`: one of the tunnels whk can open, or auto (the default of a bare --tunnel). */
export const tunnel = (text: string) => {
  const t = text.trim().toLowerCase();
  if (t === 'auto' || (TUNNEL_PROVIDERS as readonly string[]).includes(t)) return t;
  throw usage('unknown_tunnel', `--tunnel "${text}" is not a tunnel whk opens: give ${TUNNEL_PROVIDERS.join(', ')} (or auto, the default)`);
};

/** `wallet.created,payment_intent.*`. */
export const events = (flag: string) => (text: string) => parseEventFilter(text, flag);

/** Flags every secret-taking command shares (with SECRET_HELP after its flags). */
export const SECRETS: Flag[] = [
  { flags: '--secret <secret>', help: 'signing secret (repeatable: several for rotation)', parse: collect },
  { flags: '--secret-file <path>', help: 'read secrets from a file, one per line' },
];
export const SECRET_HELP = '\nSecrets may also come from the WHK_SECRET environment variable.';

/** --scheme-file, on every command that takes --scheme. */
export const SCHEME_FILE: Flag = { flags: '--scheme-file <path>', help: 'custom scheme definitions, JSON (repeatable; see whk schemes show github --definition)', parse: schemeFile };

/** The body of sign and verify. */
export const BODY: Flag[] = [
  { flags: '--body <text>', help: 'the body, as text' },
  { flags: '--body-file <path>', help: 'read the body bytes from a file ("-" for stdin)' },
  { flags: '--max-body <size>', help: 'the largest body read from a file or stdin (more is exit 2)', parse: size('--max-body'), default: MAX_BODY, shownDefault: '256mb' },
];

/**
 * The filters of `whk history`, declared on `history export` too so that its help lists them
 * (commander gives an option of a parent to the parent, wherever it is written: the subcommands
 * read the values with optsWithGlobals).
 */
export const HISTORY_FILTERS: Flag[] = [
  { flags: '--limit <n>', help: 'at most this many (default 50; export: only the newest n)', parse: integer('--limit', 1) },
  { flags: '--since <duration>', help: 'only the last this long (30m, 1h, 7d)', parse: since('--since') },
  { flags: '--scheme <name>', help: 'only this scheme (as recorded)' },
  { flags: '--type <types>', help: 'only these event types (comma-separated, * matches any run)', parse: events('--type') },
  { flags: '--invalid', help: 'only deliveries whose signature failed' },
];
