import { Command, CommanderError, Option } from 'commander';
import * as F from './flags.js';
import { BODY, HISTORY_FILTERS, SCHEME_FILE, SECRET_HELP, SECRETS, collect, type Flag } from './flags.js';
import { parseExpect } from './send/expect.js';
import { WhkError, usage } from './errors.js';
import { failed } from './commands/outcome.js';
import { registryFor } from './run-schemes.js';
import type { IO } from './io/input.js';
import type { Registry } from './schemes/registry.js';
import type { HistoryFlags } from './commands/history.js';
import type { InspectFlags } from './commands/inspect.js';
import type { ListenFlags } from './commands/listen.js';
import type { ProbeFlags } from './commands/probe.js';
import type { ReplayFlags } from './commands/replay.js';
import type { SendFlags } from './commands/send.js';
import { SIGN } from './commands/sign.js';
import { VERIFY } from './commands/verify.js';
import { example, stdio, type Deps, type Spec } from './commands/spec.js';

export type { Deps } from './commands/spec.js';

/** --config: whk.json elsewhere than here or in a parent; --no-config: none at all. */
const CONFIG_FLAG: F.Flag = { flags: '--config <file>', help: 'the project config file (default: whk.json here or in a parent folder)' };
const NO_CONFIG_FLAG: F.Flag = { flags: '--no-config', help: 'ignore whk.json' };

const SCHEMES: Spec = {
  name: 'schemes',
  description: 'list every signature scheme: headers, algorithm, timestamp rule, secret format (custom ones too)',
  flags: [{ flags: '--json', help: 'print them as JSON' }, SCHEME_FILE],
  help: ['\nCustom schemes: definitions (JSON) from --scheme-file and from $XDG_CONFIG_HOME/whk/schemes/*.json\n(default ~/.config/whk/schemes/). Start from a built-in one: whk schemes show github --definition'],
  run: async (c) => (await import('./commands/schemes.js')).schemesCommand({ ...c.opts<{ registry: Registry; json?: boolean }>(), color: c.color }, c.io),
  commands: [{
    name: 'show',
    description: "one scheme's rules, or with --definition its definition (JSON) to start a custom scheme from",
    arg: ['<name>', 'the scheme'],
    flags: [
      { flags: '--definition', help: 'print the definition (JSON), for the schemes that have one' },
      { flags: '--json', help: 'print the scheme as JSON' },
      SCHEME_FILE,
    ],
    help: [example('whk schemes show stripe --definition > acme.json   # then edit it, and: whk sign --scheme-file acme.json ...')],
    run: async (c) => {
      const flags = c.optsWithGlobals<{ json?: boolean; definition?: boolean; schemeFile?: string[] }>();
      return (await import('./commands/schemes.js')).showSchemeCommand(c.arg!, { ...flags, color: c.color }, c.io);
    },
  }],
};

const LISTEN: Spec = {
  name: 'listen',
  description: 'run a local receiver that shows and verifies every event',
  flags: [
    { flags: '--port <n>', help: 'port to listen on (0 picks a free one)', parse: F.port('--port'), default: 4000 },
    { flags: '--host <addr>', help: 'address to bind (0.0.0.0 to accept other machines)', default: '127.0.0.1' },
    { flags: '--path <path>', help: 'path prefix to receive on', default: '/' },
    { flags: '--scheme <name>', help: 'signature scheme, or auto to detect it from the headers (fixed by the first valid delivery)', parse: F.scheme(true), default: 'auto' },
    ...SECRETS, SCHEME_FILE,
    { flags: '--tolerance <seconds>', help: "timestamp tolerance (default: the scheme's own)", parse: F.integer('--tolerance') },
    { flags: '--url <url>', help: 'the public URL the provider posts to, for schemes that sign it (square, twilio)', parse: F.url('--url') },
    { flags: '--tunnel [provider]', help: 'expose the listener on a public URL: ngrok, ssh, localtunnel, cloudflared, or auto (the default: ngrok with an authtoken, else ssh, else localtunnel)', parse: F.tunnel },
    { flags: '--no-tunnel', help: 'no tunnel, even when whk.json names one' },
    { flags: '--tunnel-host <host>', help: 'ssh: the service, [user@]host[:port] (default localhost.run; a.pinggy.io); localtunnel: the server URL (default https://localtunnel.me)' },
    { flags: '--no-tunnel-check', help: 'skip the self-check (a delivery through the public URL that must arrive byte for byte)' },
    { flags: '--ngrok-authtoken <token>', help: 'ngrok authtoken (default: the ngrok config file)', env: 'NGROK_AUTHTOKEN' },
    { flags: '--tunnel-domain <domain>', help: 'a reserved ngrok domain' },
    { flags: '--tunnel-timeout <duration>', help: 'give up on the tunnel (and on its self-check) after this long', parse: F.duration('--tunnel-timeout'), default: 10_000, shownDefault: '10s' },
    { flags: '--forward-to <url>', help: "forward each accepted event to your app and answer with your app's response (the fallback of --route)", parse: F.url('--forward-to') },
    { flags: '--mount <path=scheme>', help: 'serve this path prefix with its own scheme (repeatable: several providers on one listener; secrets from whk.json or --secret)', parse: F.mount },
    { flags: '--route <match=url,...>', help: 'send events of a type to these URLs: [<mount or scheme>:]<event-type glob>=<url>[,<url>...] (repeatable; first match wins)', parse: F.route },
    { flags: '--queue', help: 'journal each verified delivery, answer 2xx at once, and deliver it to your app with retries (none lost while it is down)' },
    { flags: '--no-queue', help: 'no queue, even when whk.json has "queue": true' },
    { flags: '--queue-max-age <duration>', help: 'how long a queued delivery is retried before it is marked failed (and kept)', parse: F.positiveDuration('--queue-max-age'), default: 24 * 3_600_000, shownDefault: '24h' },
    CONFIG_FLAG, NO_CONFIG_FLAG,
    { flags: '--forward-methods <list>', help: 'methods passed on to --forward-to; others get 405', parse: F.methods('--forward-methods'), default: ['POST', 'GET'], shownDefault: 'POST,GET' },
    { flags: '--forward-timeout <duration>', help: 'how long your app may take to answer (504 after)', parse: F.duration('--forward-timeout'), default: 30_000, shownDefault: '30s' },
    { flags: '--events <types>', help: 'only these event types (comma-separated); others get 2xx and are not forwarded', parse: F.events('--events') },
    { flags: '--status <code>', help: 'status to answer accepted events with', parse: F.status('--status'), default: 200 },
    { flags: '--delay <duration>', help: 'wait this long before answering', parse: F.duration('--delay') },
    { flags: '--fail-rate <0..1>', help: 'answer 500 to this fraction of deliveries', parse: F.fraction('--fail-rate') },
    { flags: '--fail-first <n>', help: 'answer 500 to the first n deliveries of each event id, then normally', parse: F.integer('--fail-first') },
    { flags: '--drop', help: 'close the connection without answering' },
    { flags: '--json', help: 'one JSON object per line on stdout (the default when stdout is not a terminal)' },
    { flags: '--record <file>', help: 'append every event as NDJSON to this file (for whk replay)' },
    { flags: '--history', help: 'keep this session in the history (the default; wins over "history": false in whk.json)' },
    { flags: '--no-history', help: 'do not keep this session in the history (whk history)' },
    { flags: '--compact', help: 'one line per delivery: time, seq, method, path, provider, type, verdict, status, forward', conflicts: 'json' },
    { flags: '--expect <n>', help: 'exit 0 after n valid events (1 as soon as an invalid one arrives)', parse: F.integer('--expect', 1) },
    { flags: '--timeout <duration>', help: 'with --expect: exit 1 if the events have not arrived by then', parse: F.duration('--timeout') },
    { flags: '--max-body <size>', help: 'largest body accepted (413 above)', parse: F.size('--max-body'), default: 1024 * 1024, shownDefault: '1mb' },
    { flags: '--max-connections <n>', help: 'connections open at once; more are refused (and said so)', parse: F.integer('--max-connections', 1), default: 1000 },
    { flags: '--shutdown-timeout <duration>', help: 'on Ctrl-C or SIGTERM, how long requests in flight get to finish (a second signal stops at once)', parse: F.duration('--shutdown-timeout'), default: 10_000, shownDefault: '10s' },
    { flags: '--ready-file <path>', help: 'write the URL to this file once listening' },
    { flags: '--inspect', help: 'serve the inspector page (on by default when stderr is a terminal, without --json or --expect)' },
    { flags: '--no-inspect', help: 'no inspector page' },
    { flags: '--inspect-port <n>', help: 'port of the inspector page, on 127.0.0.1 (default 4040, or the next free one up to 4050, else any; 0 picks any)', parse: F.port('--inspect-port') },
  ],
  help: [SECRET_HELP, [
    '',
    'Invalid signatures always get 401; --status, --fail-*, --drop and --forward-to apply to the',
    'deliveries that pass (or are not verified, without a secret); --delay to every answer.',
    '--json writes a {"type":"ready"} line, then one {"type":"event"} line per delivery ({"type":"rejected"}',
    'for requests refused before that: 413, malformed, aborted). Exit codes: 0 --expect met (or --timeout',
    'without --expect and nothing invalid), 1 an invalid event with --expect, a timeout, too few events, or output that could not be written, 2 usage error',
    '(bad flag, no ngrok authtoken, no ssh or cloudflared for --tunnel ssh/cloudflared, port in use), 3 tunnel failure',
    '(a self-check that failed, a host key that changed), 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.',
    example(
      'whk listen --secret s3cret',
      'whk listen --scheme stripe --secret whsec_... --forward-to http://localhost:3000/webhooks',
      'whk listen --port 0 --json --secret s3cret --expect 1 --timeout 30s --ready-file url.txt',
      'whk listen --tunnel --scheme dfns --secret s3cret --fail-first 2   # watch the provider retry',
      'whk listen --tunnel ssh --tunnel-host a.pinggy.io --secret s3cret   # no account: Pinggy over ssh',
      'whk listen --mount /stripe=stripe --mount /gh=github --route \'github:push=http://127.0.0.1:5000/ci\' --forward-to http://127.0.0.1:3000/webhooks --queue',
    ),
  ].join('\n')],
  run: async (c) => (await import('./commands/listen.js')).listenCommand({ ...c.opts<ListenFlags>(), color: c.color }, c.io, c.deps.listen),
};

const HISTORY: Spec = {
  name: 'history',
  description: 'the deliveries whk listen received, newest first, across sessions (kept by default)',
  flags: [...HISTORY_FILTERS, { flags: '--json', help: 'one JSON object per line: the --record format plus "session"' }],
  help: [[
    '',
    'History lives in $WHK_HOME/history, else $XDG_STATE_HOME/whk/history, else ~/.local/state/whk/history:',
    'one NDJSON file per listener session. Kept: the newest 200mb (WHK_HISTORY_MAX, 1mb or more) and 30 days',
    '(WHK_HISTORY_DAYS); older sessions are deleted when a listener starts and as it writes; a session that',
    'alone reaches WHK_HISTORY_MAX stops keeping deliveries, said once. whk listen --no-history keeps nothing.',
    'Exit codes: 0 ok, 1 output could not be written (or clear declined), 2 usage error.',
    example(
      'whk history --since 1h --invalid',
      'whk history show 3',
      "whk history export --type 'wallet.*' > part.ndjson && whk replay part.ndjson --to http://localhost:3000/webhooks",
    ),
  ].join('\n')],
  run: async (c) => (await import('./commands/history.js')).historyCommand({ ...c.opts<HistoryFlags>(), color: c.color }, c.io),
  commands: [
    {
      name: 'show',
      description: 'one delivery in full, as the listener printed it (--json: its NDJSON line)',
      arg: ['<ref>', 'a sequence number, an event id, or <session>:<seq> (as whk history prints it)'],
      flags: [{ flags: '--json', help: 'print its NDJSON line: the --record format plus "session"' }],
      run: async (c) => (await import('./commands/history.js')).historyShowCommand(c.arg!, { json: c.optsWithGlobals<{ json?: boolean }>().json, color: c.color }, c.io),
    },
    {
      name: 'export',
      description: 'the deliveries as NDJSON, oldest first, for whk replay; takes the filters of whk history (--limit: the newest n)',
      flags: HISTORY_FILTERS,
      help: [example("whk history export --since 1h --type 'wallet.*' > part.ndjson")],
      run: async (c) => (await import('./commands/history.js')).historyExportCommand(c.optsWithGlobals<HistoryFlags>(), c.io),
    },
    {
      name: 'clear',
      description: 'delete the whole history (asks on a terminal; --yes otherwise)',
      flags: [{ flags: '--yes', help: 'do not ask' }],
      run: async (c) => (await import('./commands/history.js')).historyClearCommand(c.opts<{ yes?: boolean }>(), c.io),
    },
  ],
};

const INSPECT: Spec = {
  name: 'inspect',
  description: 'the inspector page over the history of received deliveries, with no listener: browse, compare, replay',
  flags: [
    { flags: '--port <n>', help: 'port on 127.0.0.1 (default 4040, or the next free one up to 4050, else any; 0 picks any)', parse: F.port('--port') },
    { flags: '--scheme <name>', help: "scheme to re-sign replays with (default: each delivery's recorded one)", parse: F.scheme(false) },
    ...SECRETS, SCHEME_FILE,
  ],
  help: [SECRET_HELP, [
    '',
    'The secret (--secret, --secret-file, WHK_SECRET) is for Re-sign & replay; it never reaches the page.',
    'Exit codes: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 2 usage error (port in use, bad secret).',
    example('whk inspect --secret-file .dfns-secret   # then open the address it prints (http://127.0.0.1:4040/?key=...)'),
  ].join('\n')],
  run: async (c) => (await import('./commands/inspect.js')).inspectCommand(c.opts<InspectFlags>(), c.io),
};

const SEND: Spec = {
  name: 'send',
  description: 'build, sign and POST a realistic test event, and report what the receiver answered',
  arg: ['[url]', 'the receiver URL'],
  flags: [
    { flags: '--scheme <name>', help: 'signature scheme (required; whk schemes lists them)', parse: F.scheme(false) },
    ...BODY, ...SECRETS, SCHEME_FILE,
    { flags: '--event <type>', help: 'which sample event to send (see --list-events)' },
    { flags: '--list-events', help: "list the scheme's sample events" },
    { flags: '--header <line>', help: 'an extra header, "Name: value" (repeatable)', parse: collect },
    { flags: '--timestamp <unix>', help: 'timestamp to sign, Unix seconds (default: now)', parse: F.unixTime('--timestamp') },
    { flags: '--id <id>', help: 'message / event id (default: a fresh one)' },
    { flags: '--signed-url <url>', help: 'square, twilio: the URL to sign when the receiver sees another one than <url> (behind a proxy)', parse: F.url('--signed-url') },
    { flags: '--expect <status>', help: 'statuses that count as success: 2xx, 200, 4xx, 200,201, ... (default 2xx; 4xx in a negative mode)', parse: F.expectStatus('--expect') },
    { flags: '--timeout <duration>', help: 'wait this long for the response headers; the body then gets as long again', parse: F.positiveDuration('--timeout'), default: 10_000, shownDefault: '10s' },
    { flags: '--retries <n>', help: 'retry network errors and 5xx with backoff, as providers do', parse: F.integer('--retries'), default: 0 },
    { flags: '--count <n>', help: 'load mode: send n individually signed events', parse: F.integer('--count', 1) },
    { flags: '--concurrency <n>', help: 'load mode: requests in flight at once', parse: F.integer('--concurrency', 1), default: 1 },
    { flags: '--tamper <what>', help: 'negative mode: corrupt the body or the signature after signing', choices: ['body', 'signature'] },
    { flags: '--stale <duration>', help: 'negative mode: sign with a timestamp this far in the past', parse: F.positiveDuration('--stale') },
    { flags: '--future <duration>', help: 'negative mode: sign with a timestamp this far in the future', parse: F.positiveDuration('--future') },
    { flags: '--wrong-secret', help: 'negative mode: sign with a different secret' },
    { flags: '--no-signature', help: 'negative mode: send without the signature header(s)' },
    { flags: '--duplicate', help: 'deliver the same event twice (same id, same bytes); expects 2xx both times: a receiver must accept a duplicate and skip the work' },
    { flags: '--duplicate-rate <0..1>', help: 'load mode: resend this fraction of events (same id)', parse: F.fraction('--duplicate-rate') },
    { flags: '--shuffle', help: 'load mode: deliver out of order' },
    { flags: '--json', help: 'print the result (or the load summary) as JSON' },
  ],
  help: [SECRET_HELP, [
    '',
    'A body given with --body, --body-file, or piped in (cat body.json | whk send ...) is sent byte',
    "for byte; --event then only picks the provider's event headers (X-GitHub-Event, ...).",
    'Negative modes (--tamper, --stale, --future, --wrong-secret, --no-signature) expect 4xx unless',
    '--expect says otherwise; --duplicate expects 2xx both times.',
    'Exit codes: 0 within --expect, 1 outside, 2 usage error, 3 receiver unreachable (refused, DNS,',
    'timeout, TLS), 130 interrupted.',
    example(
      'whk send http://127.0.0.1:4000/ --scheme dfns --secret s3cret',
      'whk send http://127.0.0.1:4000/ --scheme dfns --secret s3cret --tamper body   # exit 0 only if refused',
      'whk send http://127.0.0.1:4000/ --scheme stripe --secret whsec_x --count 1000 --concurrency 32',
      'whk send --scheme dfns --list-events',
    ),
  ].join('\n')],
  run: async (c) => (await import('./commands/send.js')).sendCommand(c.arg, { ...c.opts<SendFlags>(), color: c.color }, c.io),
};

const REPLAY: Spec = {
  name: 'replay',
  description: 'send recorded events (whk listen --record) again, byte for byte',
  arg: ['[file]', 'the NDJSON recording ("-" for stdin)'],
  flags: [
    { flags: '--to <url>', help: 'where to send them (required)', parse: F.url('--to') },
    { flags: '--resign', help: 're-sign each event with a fresh timestamp (needs a secret; --scheme defaults to the recorded one)' },
    { flags: '--scheme <name>', help: 'scheme to re-sign with', parse: F.scheme(false) },
    { flags: '--scheme-file <path>', help: 'custom scheme definitions, JSON (repeatable)', parse: F.schemeFile },
    { flags: '--signed-url <url>', help: 'with --resign, square, twilio: the URL to sign (default: the target URL)', parse: F.url('--signed-url') },
    { flags: '--secret <secret>', help: 'secret to re-sign with (repeatable)', parse: collect },
    { flags: '--secret-file <path>', help: 'read secrets from a file, one per line' },
    { flags: '--only <list>', help: 'only these events: sequence numbers, event ids or types (comma-separated)' },
    { flags: '--concurrency <n>', help: 'requests in flight at once', parse: F.integer('--concurrency', 1), default: 1 },
    { flags: '--expect <status>', help: 'statuses that count as success', parse: F.expectStatus('--expect'), default: parseExpect('2xx'), shownDefault: '2xx' },
    { flags: '--timeout <duration>', help: "wait this long for each answer's headers; the body then gets as long again", parse: F.positiveDuration('--timeout'), default: 10_000, shownDefault: '10s' },
    { flags: '--json', help: 'one JSON object per line per event, then a summary' },
  ],
  help: [[
    '',
    'Every event gets a result (answered within --expect or not, no answer, or invalid in the file and not',
    'sent) and the summary always prints. Exit codes: 0 every event within --expect, 1 any other result,',
    '2 usage error (or no event to replay), 3 nothing answered at all, 130 Ctrl-C.',
    example('whk replay events.ndjson --to http://localhost:3000/webhooks --resign --scheme dfns --secret s3cret'),
  ].join('\n')],
  run: async (c) => (await import('./commands/replay.js')).replayCommand(c.arg, { ...c.opts<ReplayFlags>(), color: c.color }, c.io),
};

const PROBE: Spec = {
  name: 'probe',
  description: 'grade a webhook receiver: send genuine and forged deliveries, report what it accepts and refuses',
  arg: ['[url]', 'the receiver URL (your app)'],
  flags: [
    { flags: '--scheme <name>', help: 'the scheme your receiver verifies (required; whk schemes lists them)', parse: F.scheme(false) },
    ...SECRETS, SCHEME_FILE,
    { flags: '--timeout <duration>', help: 'per-request timeout', parse: F.duration('--timeout'), default: 10_000, shownDefault: '10s' },
    { flags: '--json', help: 'print the report card as one JSON object' },
    { flags: '--junit <file>', help: 'also write a JUnit XML report (for CI test tabs)' },
  ],
  help: [SECRET_HELP, [
    '',
    'Exit codes: 0 nothing failed, 1 a forgery was accepted or a genuine event refused, 2 usage error, 3 unreachable',
    '(or no answer to the first check within --timeout: the probe stops there).',
    example('whk probe http://localhost:3000/webhooks --scheme dfns --secret-file .dfns-secret --junit probe.xml'),
  ].join('\n')],
  run: async (c) => (await import('./commands/probe.js')).probeCommand(c.arg, { ...c.opts<ProbeFlags>(), color: c.color }, c.io),
};

const CONFIG: Spec = {
  name: 'config',
  description: 'the project config file (whk.json here or in a parent) and the settings whk listen takes from it, secrets masked',
  flags: [CONFIG_FLAG, { flags: '--json', help: 'print {"file","settings"} as JSON' }],
  help: [[
    '',
    'whk.json holds what the flags of whk listen hold, keys in camelCase; "mounts" maps a path to its',
    'settings; secrets are references: "secret": "env:STRIPE_WEBHOOK_SECRET", or "secretFile". Flags win.',
    'Its JSON Schema ships with whk: "$schema": "./node_modules/whk/whk.schema.json". A bad file: one line naming',
    'the file, the key and the fix, exit 2.',
    example('whk config', 'whk config --config ./ci/whk.json --json'),
  ].join('\n')],
  run: async (c) => (await import('./commands/config.js')).configCommand(c.opts<{ config?: string; json?: boolean }>(), c.io),
};

const ROUTES: Spec = {
  name: 'routes',
  description: 'check where deliveries go through the listener the flags and whk.json describe',
  flags: [],
  run: async (c) => {
    c.help();
    return 0;
  },
  commands: [{
    name: 'test',
    description: 'print which mount, route and targets a recorded delivery would take; sends nothing',
    arg: ['<delivery>', 'a file with one recorded event (whk listen --record, whk history export), or a history id'],
    flags: LISTEN.flags.filter((f) => /^--(path|scheme |scheme-file|secret|tolerance|url|forward-to|mount|route|events|config|no-config)/.test(f.flags)).concat({ flags: '--json', help: 'print the decision as JSON' }),
    help: [SECRET_HELP, '\nExit codes: 0 it would be forwarded, 1 it would not (refused, filtered, no target), 2 usage error.', example("whk routes test events.ndjson --mount /gh=github --route 'github:push=http://127.0.0.1:5000/ci'")],
    run: async (c) => (await import('./commands/routes.js')).routesTestCommand(c.arg!, c.opts<ListenFlags & { json?: boolean }>(), c.io),
  }],
};

const QUEUE: Spec = {
  name: 'queue',
  description: 'the forwarding queue of whk listen --queue: pending and failed deliveries, per target',
  flags: [{ flags: '--json', help: 'a JSON array, one object per delivery and target' }, { flags: '--all', help: 'delivered and dropped ones too' }],
  help: [example('whk queue', 'whk queue retry q-m1abc-3', 'whk queue retry --all', 'whk queue drop q-m1abc-3')],
  run: async (c) => (await import('./commands/queue.js')).queueListCommand(c.opts<{ json?: boolean; all?: boolean }>(), c.io),
  commands: [
    {
      name: 'retry', description: 'deliver a failed (or waiting) delivery again now; --all: every failed one', arg: ['[id]', 'its queue id (whk queue lists them)'],
      flags: [{ flags: '--all', help: 'every failed delivery' }],
      // `whk queue` has an --all of its own (list everything): commander gives it the flag, wherever it is.
      run: async (c) => (await import('./commands/queue.js')).queueActCommand('retry', c.arg, c.optsWithGlobals<{ all?: boolean }>(), c.io),
    },
    {
      name: 'drop', description: 'remove a delivery from the queue (it is not sent again)', arg: ['<id>', 'its queue id'], flags: [],
      run: async (c) => (await import('./commands/queue.js')).queueActCommand('drop', c.arg, {}, c.io),
    },
  ],
};

const COMPLETION: Spec = {
  name: 'completion',
  description: 'print the shell completion script (bash, zsh or fish): commands, flags, scheme names and their events',
  arg: ['[shell]', 'bash, zsh or fish (default: the one $SHELL names)'],
  flags: [],
  help: [[
    '',
    'Install it: bash: source <(whk completion bash) in ~/.bashrc; zsh: source <(whk completion zsh) after',
    'compinit in ~/.zshrc; fish: whk completion fish > ~/.config/fish/completions/whk.fish. The scheme names',
    'and events are written into the script: generate it again after upgrading whk or adding schemes.',
    'Exit codes: 0 ok, 2 no shell or an unknown one.',
    example('whk completion bash > ~/.local/share/bash-completion/completions/whk'),
  ].join('\n')],
  run: async (c) => (await import('./commands/completion.js')).completionCommand(c.arg, program(() => undefined, c.io), c.io),
};

/** Every command, in the order `whk --help` lists them. */
const COMMANDS: Spec[] = [SIGN, VERIFY, SCHEMES, LISTEN, HISTORY, INSPECT, SEND, REPLAY, PROBE, CONFIG, ROUTES, QUEUE, COMPLETION];

/** What every command's action needs from the program that runs it. */
interface Runner {
  done: (code: number) => void;
  io: IO;
  deps: Deps;
  color: () => boolean;
}

/** Commander's Option for `f`. */
export function option(f: Flag): Option {
  const o = new Option(f.flags, f.help);
  if (f.parse) o.argParser(f.parse);
  if (f.default !== undefined) o.default(f.default, f.shownDefault);
  if (f.env) o.env(f.env);
  if (f.conflicts) o.conflicts(f.conflicts);
  if (f.choices) o.choices(f.choices);
  return o;
}

/** Declares `spec` (and the commands below it) on `parent`: the one place a Spec becomes a commander Command. */
function declare(parent: Command, spec: Spec, runner: Runner): void {
  const cmd = parent.command(spec.name).description(spec.description);
  if (spec.arg) cmd.argument(...spec.arg);
  for (const f of spec.flags) cmd.addOption(option(f));
  for (const text of spec.help ?? []) cmd.addHelpText('after', text);
  cmd.action(async (...given: unknown[]) => {
    const self = given[given.length - 1] as Command;
    const arg = spec.arg ? (given[0] as string | undefined) : undefined;
    runner.done(await spec.run({
      arg,
      opts: <T>() => self.opts<T & object>(),
      optsWithGlobals: <T>() => self.optsWithGlobals<T & object>(),
      help: () => self.outputHelp(),
      io: runner.io,
      deps: runner.deps,
      color: runner.color(),
    }));
  });
  for (const sub of spec.commands ?? []) declare(cmd, sub, runner);
}

/**
 * whk.json, for the commands that take --config (listen, routes test): found here or in a parent
 * (or --config), checked, and what it says given to the options the command line left alone.
 */
async function withConfig(cmd: Command, io: IO): Promise<void> {
  if (cmd.name() === 'config' || !cmd.options.some((o) => o.long === '--config')) return;
  const o = cmd.opts<{ config?: string | false }>();
  if (o.config === false) return;
  const { findConfig, loadConfig } = await import('./config/load.js');
  const file = o.config ?? findConfig(process.cwd());
  if (!file) return;
  const loaded = loadConfig(file);
  for (const w of loaded.warnings) io.err(`whk: ${w}`);
  const { applyConfig } = await import('./config/apply.js');
  const given = (key: string) => ['cli', 'env'].includes(cmd.getOptionValueSource(key) ?? '');
  applyConfig(loaded.values, { given, get: (k) => cmd.getOptionValue(k), set: (k, v) => cmd.setOptionValueWithSource(k, v, 'config') });
  configShown.set(cmd, loaded.shown);
}

/** The config file each command took values from, as messages name it. */
const configShown = new WeakMap<Command, string>();

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
  const { registry, scheme: named } = await registryFor({ scheme: o.scheme, files, everything }).catch((e: unknown) => {
    // A scheme named by whk.json: the message says where.
    if (e instanceof WhkError && e.code === 'unknown_scheme' && cmd.getOptionValueSource('scheme') === 'config') {
      throw usage('unknown_scheme', `${configShown.get(cmd)}: "scheme": ${e.message}`);
    }
    throw e;
  });
  let scheme = named;
  const fromFiles = registry.custom().filter((s) => s.source !== undefined && files.includes(s.source));
  if (scheme === undefined && fromFiles.length === 1 && IMPLIED_SCHEME.has(cmd.name()) && (cmd.name() !== 'replay' || o.resign)) scheme = fromFiles[0]!.name;
  if (scheme !== undefined) cmd.setOptionValue('scheme', scheme);
  cmd.setOptionValue('registry', registry);
}

/**
 * Builds the program from COMMANDS. Each command imports its module when it runs, so `whk sign`
 * never loads the listener's or the sender's dependencies. Actions return an exit code through `done`.
 * Start-up is measured: when `argv` starts with a command's name, only that command is declared
 * (commander then looks at nothing else); otherwise (help, a global flag first, an unknown
 * command) every command is, for the list and the suggestions.
 */
export function program(done: (code: number) => void, streams: IO = stdio, deps: Deps = {}, argv: string[] = []): Command {
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
    .hook('preAction', async (_program, cmd) => {
      await withConfig(cmd, streams);
      await resolveSchemes(cmd);
    });
  const runner: Runner = { done, io: streams, deps, color: () => p.opts<{ color: boolean }>().color };
  const named = COMMANDS.find((spec) => spec.name === argv[2]);
  for (const spec of named ? [named] : COMMANDS) declare(p, spec, runner);
  // Commander's errors end with the help of the command they are about.
  for (const cmd of commandsOf(p)) {
    cmd.configureOutput({ outputError: (s, write) => write(`whk: ${oneLine(s)} (see ${helpOf(cmd)})\n`) });
  }
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
  const p = program((c) => (code = c), io, deps, argv);
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
    return failed(e, io, debug, helpOf(commandIn(p, argv)));
  }
}

const VERSION = '0.1.0';
