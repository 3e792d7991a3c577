import { Command, CommanderError, Option } from "commander";
import * as F from './flags.js';
import { parseExpect } from './send/expect.js';
import { WhkError } from './errors.js';
import { registryFor } from './run-schemes.js';
import { MAX_BODY, type IO } from './io/input.js';
// The offline commands are small and their start-up is measured: they are bundled with the
// program itself. The network commands (listen, send, replay, probe) load lazily.
import { schemesCommand, showSchemeCommand } from './commands/schemes.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';

const { collect } = F;

const stdio: IO = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  stdout: process.stdout,
  stderr: process.stderr,
};

/** Flags every secret-taking command shares. */
function secretFlags(cmd: Command): Command {
  return cmd
    .option('--secret <secret>', 'signing secret (repeatable: several for rotation)', collect)
    .option('--secret-file <path>', 'read secrets from a file, one per line')
    .addHelpText('after', '\nSecrets may also come from the WHK_SECRET environment variable.');
}

/** --scheme-file, on every command that takes --scheme. */
function schemeFileFlag(cmd: Command): Command {
  return cmd.option('--scheme-file <path>', 'custom scheme definitions, JSON (repeatable; see whk schemes show github --definition)', F.schemeFile);
}

/** Commands that need a scheme and take the only one a --scheme-file defines when --scheme is not given. */
const IMPLIED_SCHEME = new Set(['sign', 'send', 'probe', 'replay']);

/**
 * Once every flag is parsed: the run's registry is built (src/run-schemes.ts: the core, the
 * catalogue where needed, --scheme-file's definitions and the config folder's where a name needs
 * them) and --scheme is resolved to a scheme's name (or a usage error naming the closest one).
 * Every command gets the registry as `registry`.
 */
async function resolveSchemes(cmd: Command): Promise<void> {
  // `schemes show` resolves its <name> argument itself.
  if (cmd.name() === 'show' || !cmd.options.some((o) => o.attributeName() === 'schemeFile')) return;
  const o = cmd.optsWithGlobals<{ scheme?: string; schemeFile?: string[]; resign?: boolean; listEvents?: boolean }>();
  const files = o.schemeFile ?? [];
  // Listing, and re-signing recorded deliveries (replay, inspect), need every scheme.
  // replay --resign also drops the signature headers of every scheme a recording carries.
  const everything = cmd.name() === 'schemes' || (cmd.name() === 'replay' && Boolean(o.resign)) ||
    (cmd.name() === 'inspect' && o.scheme === undefined) || (cmd.name() === 'send' && Boolean(o.listEvents) && o.scheme === undefined);
  const { registry, scheme: named } = await registryFor({ scheme: o.scheme, files, everything });
  let scheme = named;
  const fromFiles = registry.custom().filter((s) => s.source !== undefined && files.includes(s.source));
  if (scheme === undefined && fromFiles.length === 1 && IMPLIED_SCHEME.has(cmd.name()) && (cmd.name() !== 'replay' || o.resign)) scheme = fromFiles[0]!.name;
  if (scheme !== undefined) cmd.setOptionValue('scheme', scheme);
  cmd.setOptionValue('registry', registry);
}

/**
 * The filters of `whk history`, declared on `history export` too so that its help lists them
 * (commander gives an option of a parent to the parent, wherever it is written: the subcommands
 * read the values with optsWithGlobals).
 */
function historyFilters(cmd: Command): Command {
  return cmd
    .option('--limit <n>', 'at most this many (default 50; export: only the newest n)', F.integer('--limit', 1))
    .option('--since <duration>', 'only the last this long (30m, 1h, 7d)', F.since('--since'))
    .option('--scheme <name>', 'only this scheme (as recorded)')
    .option('--type <types>', 'only these event types (comma-separated, * matches any run)', F.events('--type'))
    .option('--invalid', 'only deliveries whose signature failed');
}

function bodyFlags(cmd: Command): Command {
  return cmd
    .option('--body <text>', 'the body, as text')
    .option('--body-file <path>', 'read the body bytes from a file ("-" for stdin)')
    .addOption(new Option('--max-body <size>', 'the largest body read from a file or stdin (more is exit 2)').argParser(F.size('--max-body')).default(MAX_BODY, '256mb'));
}

/**
 * Builds the program. Each action lazily imports its command, so `whk sign` never loads the
 * listener's or the sender's dependencies. Actions return an exit code through `done`.
 */
/** What a caller (a test running whk in-process) may give instead of the process's own. */
export interface Deps {
  io?: IO;
  listen?: import('./commands/listen.js').ListenDeps;
}

export function program(done: (code: number) => void, streams: IO = stdio, deps: Deps = {}): Command {
  const p = new Command('whk')
    .description('Receive, verify, sign and send webhooks: Dfns, Stripe, GitHub, Standard Webhooks, Svix, Typeform and more.')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    .option('--no-color', 'no colours, even on a terminal')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.out(s),
      writeErr: (s) => streams.err(s),
      outputError: (s, write) => write(`whk: ${oneLine(s)}\n`),
    })
    .hook('preAction', (_program, cmd) => resolveSchemes(cmd));
  const global = () => p.opts<{ color: boolean; debug?: boolean }>();
  const onParsed = () => {
    // Commander's errors end with the help of the command they are about.
    for (const cmd of commandsOf(p)) {
      cmd.configureOutput({ outputError: (s, write) => write(`whk: ${oneLine(s)} (see ${helpOf(cmd)})\n`) });
    }
  };

  schemeFileFlag(secretFlags(bodyFlags(p.command('sign')
    .description('print the headers a provider would send with a body (one "Name: value" per line)')
    .option('--scheme <name>', 'signature scheme (required; whk schemes lists them)', F.scheme(false)))))
    .option('--header <line>', 'a header the scheme signs, "Name: value" ({header:Name} in a definition; repeatable)', collect)
    .option('--timestamp <unix>', 'timestamp to sign, Unix seconds (default: now)', F.unixTime('--timestamp'))
    .option('--id <id>', 'message id, where the scheme has one (default: a fresh one)')
    .option('--url <url>', 'the URL the provider posts to, for schemes that sign it (square, twilio, hubspot, ...)')
    .option('--method <verb>', 'the request method, for schemes that sign it (default POST)', F.method('--method'))
    .option('--json', 'print {"scheme","headers","body"} as JSON')
    .addHelpText('after', '\nExample:\n  whk sign --scheme dfns --secret s3cret --body \'{"kind":"wallet.created"}\' > headers.txt')
    .action(async (flags) => done(await signCommand(flags, streams)));

  schemeFileFlag(secretFlags(bodyFlags(p.command('verify')
    .description('check the signature of a delivery; exit 0 valid, 1 invalid, 2 usage error')
    .option('--scheme <name>', 'signature scheme, or auto to detect it from the headers', F.scheme(true), 'auto'))))
    .option('--header <line>', 'a received header, "Name: value" (repeatable)', collect)
    .option('--headers-file <path>', 'received headers, one "Name: value" per line (what whk sign prints)')
    .option('--now <unix>', 'the current time, Unix seconds (for reproducible checks)', F.unixTime('--now'))
    .option('--tolerance <seconds>', "timestamp tolerance (default: the scheme's own)", F.integer('--tolerance'))
    .option('--url <url>', 'the URL the delivery was sent to, for schemes that sign it (square, twilio, hubspot, ...)')
    .option('--method <verb>', 'the request method of the delivery, for schemes that sign it (default POST)', F.method('--method'))
    .option('--json', 'print {"valid","scheme","reason","message","diagnosis"} as JSON')
    .addHelpText('after', '\nExample:\n  whk verify --scheme dfns --secret s3cret --headers-file headers.txt --body-file body.json')
    .action(async (flags) => done(await verifyCommand({ ...flags, color: global().color }, streams)));

  const schemes = schemeFileFlag(p.command('schemes')
    .description('list every signature scheme: headers, algorithm, timestamp rule, secret format (custom ones too)')
    .option('--json', 'print them as JSON'))
    .addHelpText('after', '\nCustom schemes: definitions (JSON) from --scheme-file and from $XDG_CONFIG_HOME/whk/schemes/*.json\n(default ~/.config/whk/schemes/). Start from a built-in one: whk schemes show github --definition')
    .action(async (flags) => done(await schemesCommand({ ...flags, color: global().color }, streams)));
  schemeFileFlag(schemes.command('show')
    .description("one scheme's rules, or with --definition its definition (JSON) to start a custom scheme from")
    .argument('<name>', 'the scheme')
    .option('--definition', 'print the definition (JSON), for the schemes that have one')
    .option('--json', 'print the scheme as JSON'))
    .addHelpText('after', '\nExample:\n  whk schemes show stripe --definition > acme.json   # then edit it, and: whk sign --scheme-file acme.json ...')
    .action(async (name: string, _flags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ json?: boolean; definition?: boolean; schemeFile?: string[] }>();
      done(await showSchemeCommand(name, { ...flags, color: global().color }, streams));
    });

  schemeFileFlag(secretFlags(p.command('listen')
    .description('run a local receiver that shows and verifies every event')
    .addOption(new Option('--port <n>', 'port to listen on (0 picks a free one)').argParser(F.port('--port')).default(4000))
    .option('--host <addr>', 'address to bind (0.0.0.0 to accept other machines)', '127.0.0.1')
    .option('--path <path>', 'path prefix to receive on', '/')
    .option('--scheme <name>', 'signature scheme, or auto to detect it from the headers (fixed by the first valid delivery)', F.scheme(true), 'auto')))
    .option('--tolerance <seconds>', "timestamp tolerance (default: the scheme's own)", F.integer('--tolerance'))
    .option('--url <url>', 'the public URL the provider posts to, for schemes that sign it (square, twilio)', F.url('--url'))
    .option('--tunnel', 'expose the listener through an ngrok tunnel')
    .addOption(new Option('--ngrok-authtoken <token>', 'ngrok authtoken (default: the ngrok config file)').env('NGROK_AUTHTOKEN'))
    .option('--tunnel-domain <domain>', 'a reserved ngrok domain')
    .addOption(new Option('--tunnel-timeout <duration>', 'give up on ngrok after this long').argParser(F.duration('--tunnel-timeout')).default(10_000, '10s'))
    .option('--forward-to <url>', "forward each accepted event to your app and answer with your app's response", F.url('--forward-to'))
    .addOption(new Option('--forward-methods <list>', 'methods passed on to --forward-to; others get 405').argParser(F.methods('--forward-methods')).default(['POST', 'GET'], 'POST,GET'))
    .addOption(new Option('--forward-timeout <duration>', 'how long your app may take to answer (504 after)').argParser(F.duration('--forward-timeout')).default(30_000, '30s'))
    .option('--events <types>', 'only these event types (comma-separated); others get 2xx and are not forwarded', F.events('--events'))
    .addOption(new Option('--status <code>', 'status to answer accepted events with').argParser(F.status('--status')).default(200))
    .option('--delay <duration>', 'wait this long before answering', F.duration('--delay'))
    .option('--fail-rate <0..1>', 'answer 500 to this fraction of deliveries', F.fraction('--fail-rate'))
    .option('--fail-first <n>', 'answer 500 to the first n deliveries of each event id, then normally', F.integer('--fail-first'))
    .option('--drop', 'close the connection without answering')
    .option('--json', 'one JSON object per line on stdout (the default when stdout is not a terminal)')
    .option('--record <file>', 'append every event as NDJSON to this file (for whk replay)')
    .option('--no-history', 'do not keep this session in the history (whk history)')
    .addOption(new Option('--compact', 'one line per delivery: time, seq, method, path, provider, type, verdict, status, forward').conflicts('json'))
    .option('--expect <n>', 'exit 0 after n valid events (1 as soon as an invalid one arrives)', F.integer('--expect', 1))
    .option('--timeout <duration>', 'with --expect: exit 1 if the events have not arrived by then', F.duration('--timeout'))
    .addOption(new Option('--max-body <size>', 'largest body accepted (413 above)').argParser(F.size('--max-body')).default(1024 * 1024, '1mb'))
    .addOption(new Option('--max-connections <n>', 'connections open at once; more are refused (and said so)').argParser(F.integer('--max-connections', 1)).default(1000))
    .addOption(new Option('--shutdown-timeout <duration>', 'on Ctrl-C or SIGTERM, how long requests in flight get to finish (a second signal stops at once)').argParser(F.duration('--shutdown-timeout')).default(10_000, '10s'))
    .option('--ready-file <path>', 'write the URL to this file once listening')
    .option('--inspect', 'serve the inspector page (on by default when stderr is a terminal, without --json or --expect)')
    .option('--no-inspect', 'no inspector page')
    .option('--inspect-port <n>', 'port of the inspector page, on 127.0.0.1 (default 4040, or the next free one up to 4050, else any; 0 picks any)', F.port('--inspect-port'))
    .addHelpText('after', '\nInvalid signatures always get 401; --status, --fail-*, --drop and --forward-to apply to the\ndeliveries that pass (or are not verified, without a secret); --delay to every answer.\n--json writes a {"type":"ready"} line, then one {"type":"event"} line per delivery ({"type":"rejected"}\nfor requests refused before that: 413, malformed, aborted). Exit codes: 0 --expect met (or --timeout\nwithout --expect and nothing invalid), 1 an invalid event with --expect, a timeout, too few events, or output that could not be written, 2 usage error\n(bad flag, no ngrok authtoken, port in use), 3 tunnel failure, 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.\n\nExamples:\n  whk listen --secret s3cret\n  whk listen --scheme stripe --secret whsec_... --forward-to http://localhost:3000/webhooks\n  whk listen --port 0 --json --secret s3cret --expect 1 --timeout 30s --ready-file url.txt\n  whk listen --tunnel --scheme dfns --secret s3cret --fail-first 2   # watch the provider retry')
    .action(async (flags) => done(await (await import('./commands/listen.js')).listenCommand({ ...flags, color: global().color }, streams, deps.listen)));

  const history = historyFilters(p.command('history')
    .description('the deliveries whk listen received, newest first, across sessions (kept by default)'))
    .option('--json', 'one JSON object per line: the --record format plus "session"')
    .addHelpText('after', [
      '',
      'History lives in $WHK_HOME/history, else $XDG_STATE_HOME/whk/history, else ~/.local/state/whk/history:',
      'one NDJSON file per listener session. Kept: the newest 200mb (WHK_HISTORY_MAX, 1mb or more) and 30 days',
      '(WHK_HISTORY_DAYS); older sessions are deleted when a listener starts and as it writes; a session that',
      'alone reaches WHK_HISTORY_MAX stops keeping deliveries, said once. whk listen --no-history keeps nothing.',
      'Exit codes: 0 ok, 1 output could not be written (or clear declined), 2 usage error.',
      '',
      'Examples:',
      '  whk history --since 1h --invalid',
      '  whk history show 3',
      '  whk history export --type \'wallet.*\' > part.ndjson && whk replay part.ndjson --to http://localhost:3000/webhooks',
    ].join('\n'))
    .action(async (flags) => done(await (await import('./commands/history.js')).historyCommand({ ...flags, color: global().color }, streams)));
  history.command('show')
    .description('one delivery in full, as the listener printed it (--json: its NDJSON line)')
    .argument('<ref>', 'a sequence number, an event id, or <session>:<seq> (as whk history prints it)')
    .option('--json', 'print its NDJSON line: the --record format plus "session"')
    .action(async (ref: string, _flags, cmd: Command) => done(await (await import('./commands/history.js')).historyShowCommand(ref, { json: cmd.optsWithGlobals().json, color: global().color }, streams)));
  historyFilters(history.command('export')
    .description('the deliveries as NDJSON, oldest first, for whk replay; takes the filters of whk history (--limit: the newest n)'))
    .addHelpText('after', "\nExample:\n  whk history export --since 1h --type 'wallet.*' > part.ndjson")
    .action(async (_flags, cmd: Command) => done(await (await import('./commands/history.js')).historyExportCommand(cmd.optsWithGlobals(), streams)));
  history.command('clear')
    .description('delete the whole history (asks on a terminal; --yes otherwise)')
    .option('--yes', 'do not ask')
    .action(async (_flags, cmd: Command) => done(await (await import('./commands/history.js')).historyClearCommand(cmd.opts(), streams)));

  schemeFileFlag(secretFlags(p.command('inspect')
    .description('the inspector page over the history of received deliveries, with no listener: browse, compare, replay')
    .option('--port <n>', 'port on 127.0.0.1 (default 4040, or the next free one up to 4050, else any; 0 picks any)', F.port('--port'))
    .option('--scheme <name>', 'scheme to re-sign replays with (default: each delivery\'s recorded one)', F.scheme(false))))
    .addHelpText('after', '\nThe secret (--secret, --secret-file, WHK_SECRET) is for Re-sign & replay; it never reaches the page.\nExit codes: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 2 usage error (port in use, bad secret).\n\nExample:\n  whk inspect --secret-file .dfns-secret   # then open the address it prints (http://127.0.0.1:4040/?key=...)')
    .action(async (flags) => done(await (await import('./commands/inspect.js')).inspectCommand(flags, streams)));

  schemeFileFlag(secretFlags(bodyFlags(p.command('send')
    .description('build, sign and POST a realistic test event, and report what the receiver answered')
    .argument('[url]', 'the receiver URL')
    .option('--scheme <name>', 'signature scheme (required; whk schemes lists them)', F.scheme(false)))))
    .option('--event <type>', 'which sample event to send (see --list-events)')
    .option('--list-events', "list the scheme's sample events")
    .option('--header <line>', 'an extra header, "Name: value" (repeatable)', collect)
    .option('--timestamp <unix>', 'timestamp to sign, Unix seconds (default: now)', F.unixTime('--timestamp'))
    .option('--id <id>', 'message / event id (default: a fresh one)')
    .option('--signed-url <url>', 'square, twilio: the URL to sign when the receiver sees another one than <url> (behind a proxy)', F.url('--signed-url'))
    .option('--expect <status>', 'statuses that count as success: 2xx, 200, 4xx, 200,201, ... (default 2xx; 4xx in a negative mode)', F.expectStatus('--expect'))
    .addOption(new Option('--timeout <duration>', 'wait this long for the response headers; the body then gets as long again').argParser(F.positiveDuration('--timeout')).default(10_000, '10s'))
    .addOption(new Option('--retries <n>', 'retry network errors and 5xx with backoff, as providers do').argParser(F.integer('--retries')).default(0))
    .option('--count <n>', 'load mode: send n individually signed events', F.integer('--count', 1))
    .addOption(new Option('--concurrency <n>', 'load mode: requests in flight at once').argParser(F.integer('--concurrency', 1)).default(1))
    .addOption(new Option('--tamper <what>', 'negative mode: corrupt the body or the signature after signing').choices(['body', 'signature']))
    .option('--stale <duration>', 'negative mode: sign with a timestamp this far in the past', F.positiveDuration('--stale'))
    .option('--future <duration>', 'negative mode: sign with a timestamp this far in the future', F.positiveDuration('--future'))
    .option('--wrong-secret', 'negative mode: sign with a different secret')
    .option('--no-signature', 'negative mode: send without the signature header(s)')
    .option('--duplicate', 'deliver the same event twice (same id, same bytes); expects 2xx both times: a receiver must accept a duplicate and skip the work')
    .option('--duplicate-rate <0..1>', 'load mode: resend this fraction of events (same id)', F.fraction('--duplicate-rate'))
    .option('--shuffle', 'load mode: deliver out of order')
    .option('--json', 'print the result (or the load summary) as JSON')
    .addHelpText('after', [
      '',
      'A body given with --body, --body-file, or piped in (cat body.json | whk send ...) is sent byte',
      "for byte; --event then only picks the provider's event headers (X-GitHub-Event, ...).",
      'Negative modes (--tamper, --stale, --future, --wrong-secret, --no-signature) expect 4xx unless',
      '--expect says otherwise; --duplicate expects 2xx both times.',
      'Exit codes: 0 within --expect, 1 outside, 2 usage error, 3 receiver unreachable (refused, DNS,',
      'timeout, TLS), 130 interrupted.',
      '',
      'Examples:',
      '  whk send http://127.0.0.1:4000/ --scheme dfns --secret s3cret',
      '  whk send http://127.0.0.1:4000/ --scheme dfns --secret s3cret --tamper body   # exit 0 only if refused',
      '  whk send http://127.0.0.1:4000/ --scheme stripe --secret whsec_x --count 1000 --concurrency 32',
      '  whk send --scheme dfns --list-events',
    ].join('\n'))
    .action(async (url, flags) => done(await (await import('./commands/send.js')).sendCommand(url, { ...flags, color: global().color }, streams)));

  p.command('replay')
    .description('send recorded events (whk listen --record) again, byte for byte')
    .argument('[file]', 'the NDJSON recording ("-" for stdin)')
    .option('--to <url>', 'where to send them (required)', F.url('--to'))
    .option('--resign', 're-sign each event with a fresh timestamp (needs a secret; --scheme defaults to the recorded one)')
    .option('--scheme <name>', 'scheme to re-sign with', F.scheme(false))
    .option('--scheme-file <path>', 'custom scheme definitions, JSON (repeatable)', F.schemeFile)
    .option('--signed-url <url>', 'with --resign, square, twilio: the URL to sign (default: the target URL)', F.url('--signed-url'))
    .option('--secret <secret>', 'secret to re-sign with (repeatable)', collect)
    .option('--secret-file <path>', 'read secrets from a file, one per line')
    .option('--only <list>', 'only these events: sequence numbers, event ids or types (comma-separated)')
    .addOption(new Option('--concurrency <n>', 'requests in flight at once').argParser(F.integer('--concurrency', 1)).default(1))
    .addOption(new Option('--expect <status>', 'statuses that count as success').argParser(F.expectStatus('--expect')).default(parseExpect('2xx'), '2xx'))
    .addOption(new Option('--timeout <duration>', 'wait this long for each answer\'s headers; the body then gets as long again').argParser(F.positiveDuration('--timeout')).default(10_000, '10s'))
    .option('--json', 'one JSON object per line per event, then a summary')
    .addHelpText('after', '\nEvery event gets a result (answered within --expect or not, no answer, or invalid in the file and not\nsent) and the summary always prints. Exit codes: 0 every event within --expect, 1 any other result,\n2 usage error (or no event to replay), 3 nothing answered at all, 130 Ctrl-C.\n\nExample:\n  whk replay events.ndjson --to http://localhost:3000/webhooks --resign --scheme dfns --secret s3cret')
    .action(async (file, flags) => done(await (await import('./commands/replay.js')).replayCommand(file, { ...flags, color: global().color }, streams)));

  schemeFileFlag(secretFlags(p.command('probe')
    .description("grade a webhook receiver: send genuine and forged deliveries, report what it accepts and refuses")
    .argument('[url]', 'the receiver URL (your app)')
    .option('--scheme <name>', 'the scheme your receiver verifies (required; whk schemes lists them)', F.scheme(false))))
    .addOption(new Option('--timeout <duration>', 'per-request timeout').argParser(F.duration('--timeout')).default(10_000, '10s'))
    .option('--json', 'print the report card as one JSON object')
    .option('--junit <file>', 'also write a JUnit XML report (for CI test tabs)')
    .addHelpText('after', '\nExit codes: 0 nothing failed, 1 a forgery was accepted or a genuine event refused, 2 usage error, 3 unreachable\n(or no answer to the first check within --timeout: the probe stops there).\n\nExample:\n  whk probe http://localhost:3000/webhooks --scheme dfns --secret-file .dfns-secret --junit probe.xml')
    .action(async (url, flags) => done(await (await import('./commands/probe.js')).probeCommand(url, { ...flags, color: global().color }, streams)));

  onParsed();
  return p;
}

/** Commander's error text on one line, with its suggestion kept. */
function oneLine(s: string): string {
  return s.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
}

/** `cmd` and every command below it. */
const commandsOf = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(commandsOf)];

/** `whk history show --help`: where the flags of `cmd` are told. */
function helpOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return `${names.join(' ')} --help`;
}

/** The command `argv` runs (the program when none), for the help a usage error points to. */
function commandIn(p: Command, argv: string[]): Command {
  let cmd = p;
  for (const arg of argv.slice(2)) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

/** Runs the CLI; the only place that decides the exit code. Never throws. */
export async function main(argv: string[], deps: Deps = {}): Promise<number> {
  const io = deps.io ?? stdio;
  let code = 0;
  const debug = argv.includes('--debug') || process.env.WHK_DEBUG === '1';
  const p = program((c) => (code = c), io, deps);
  try {
    if (argv.length <= 2) {
      p.outputHelp();
      return 0;
    }
    await p.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof WhkError) {
      // A usage error ends with the help of its command.
      io.err(`whk: ${withFlags(e)}${e.exitCode === 2 ? ` (see ${helpOf(commandIn(p, argv))})` : ''}`);
      if (debug) io.err(e.stack ?? '');
      return e.exitCode;
    }
    io.err(`whk: unexpected error: ${(e as Error)?.message ?? String(e)}${debug ? `\n${(e as Error)?.stack}` : ' (run with --debug for details)'}`);
    return 1;
  }
}

/**
 * The core's messages say what is wrong, not which flag fixes it (the library has no flags): the
 * CLI adds that here, by error code.
 */
function withFlags(e: WhkError): string {
  const m = e.message;
  switch (e.code) {
    case 'no_secret':
      return m === 'no secret' ? 'no secret: pass --secret, --secret-file or set WHK_SECRET' : m;
    case 'missing_url':
      return m.replace(/: the URL it posts to is needed$/, ': pass --url <the URL it posts to>');
    case 'missing_signed_header':
      return m.replace(/ signs the (\S+) header: give its value$/, " signs the $1 header: give its value (--header '$1: <value>')");
    case 'bad_secret':
      return m.replace(/\(the (\S+) scheme takes the secret as plain text\)/, '(use --scheme $1 to use it as plain text)');
    default:
      return m;
  }
}

const VERSION = '0.1.0';
