import { WhkError } from '../errors.js';
import { formatDuration } from '../units.js';
import { AUTHTOKEN_URL, type NgrokSettings } from './authtoken.js';
import type { TunnelAdapter } from './types.js';

export interface NgrokOptions extends NgrokSettings {
  /** A reserved domain (--tunnel-domain). */
  domain?: string;
  /** Give up after this long (--tunnel-timeout). */
  timeoutMs: number;
  /** Told when the session drops and ngrok reconnects. */
  onWarning?: (message: string) => void;
  version?: string;
}

const DEFAULT_SERVER = 'connect.ngrok-agent.com:443';

/** Minimal shape of the parts of @ngrok/ngrok that whk uses. */
interface NgrokModule {
  SessionBuilder: new () => {
    authtoken(t: string): unknown;
    serverAddr(a: string): unknown;
    clientInfo(t: string, v: string): unknown;
    handleDisconnection(h: (addr: string, error: string) => boolean): unknown;
    connect(): Promise<NgrokSession>;
  };
}
interface NgrokSession {
  httpEndpoint(): { domain(d: string): unknown; listenAndForward(url: string): Promise<NgrokListener> };
  close(): Promise<void>;
}
interface NgrokListener {
  url(): string | null;
  close(): Promise<void>;
}

/**
 * The ngrok tunnel, with the in-process agent from @ngrok/ngrok (imported only here, only when
 * --tunnel is used). Every failure becomes a WhkError with one line: a rejected authtoken or
 * domain exits 2, anything else (ngrok unreachable, no answer in time) exits 3.
 */
export function ngrokTunnel(opts: NgrokOptions): TunnelAdapter {
  let session: NgrokSession | undefined;
  let listener: NgrokListener | undefined;
  let closed = false;
  const server = opts.serverAddr ?? DEFAULT_SERVER;

  const open = async (localUrl: string): Promise<string> => {
    const mod = (await import('@ngrok/ngrok')) as unknown as NgrokModule & { default?: NgrokModule };
    const ngrok = mod.SessionBuilder ? mod : mod.default!;
    const b = new ngrok.SessionBuilder();
    b.authtoken(opts.authtoken);
    if (opts.serverAddr) b.serverAddr(opts.serverAddr);
    b.clientInfo('whk', opts.version ?? '0');
    // After the first connection, a dropped session reconnects; whk says so.
    b.handleDisconnection((_addr, error) => {
      if (session && !closed) opts.onWarning?.(`ngrok tunnel disconnected (${firstLine(error)}): reconnecting`);
      return !closed;
    });
    const s = await b.connect();
    session = s;
    if (closed) throw new Error('closed');
    const endpoint = s.httpEndpoint();
    if (opts.domain) endpoint.domain(opts.domain);
    listener = await endpoint.listenAndForward(localUrl);
    const url = listener.url();
    if (!url) throw new Error('ngrok returned no URL');
    return url.replace(/\/+$/, '');
  };

  return {
    name: 'ngrok',
    start(localUrl) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new WhkError('tunnel_timeout',
            `ngrok tunnel: no answer from ${server} within ${formatDuration(opts.timeoutMs)} — check your network (or raise --tunnel-timeout)`, 3));
        }, opts.timeoutMs);
        open(localUrl).then(
          (url) => (clearTimeout(timer), resolve(url)),
          (e) => (clearTimeout(timer), reject(tunnelError(e, server, opts))),
        );
      });
    },
    async close() {
      closed = true;
      const quietly = (p: Promise<unknown> | undefined) =>
        Promise.race([Promise.resolve(p).catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      await quietly(listener?.close());
      await quietly(session?.close());
    },
  };
}

/** One line for an ngrok failure; configuration problems exit 2, the rest 3. */
export function tunnelError(e: unknown, server: string, opts: { domain?: string; source?: string }): WhkError {
  if (e instanceof WhkError) return e;
  const err = e as { message?: string; errorCode?: string };
  const code = err?.errorCode ?? /ERR_NGROK_\d+/.exec(err?.message ?? '')?.[0];
  const msg = firstLine(err?.message ?? String(e)).replace(/[\s.,;:]*(error_code:\s*)?\bERR_NGROK_\d+\b.*$/, '').replace(/[\s,.:]+$/, '');
  const tag = code ? ` (${code})` : '';
  switch (code) {
    case 'ERR_NGROK_105':
    case 'ERR_NGROK_106':
    case 'ERR_NGROK_107':
    case 'ERR_NGROK_4018':
      return new WhkError('tunnel_authtoken', `ngrok rejected the authtoken from ${opts.source ?? 'the configuration'}${tag}: get a valid one at ${AUTHTOKEN_URL}`, 2);
    case 'ERR_NGROK_313':
    case 'ERR_NGROK_319':
    case 'ERR_NGROK_320':
    case 'ERR_NGROK_326':
      return new WhkError('tunnel_domain', `ngrok refused --tunnel-domain ${opts.domain ?? ''}${tag}: ${msg} — reserve it at https://dashboard.ngrok.com/domains`, 2);
    case 'ERR_NGROK_108':
      return new WhkError('tunnel_sessions', `ngrok: your account already runs as many agent sessions as it may${tag} — stop the other one (or ngrok agent) first`, 3);
    default:
      return new WhkError(code ? 'tunnel_failed' : 'tunnel_unreachable', `cannot open the ngrok tunnel via ${server}${tag}: ${msg}`, 3);
  }
}

const firstLine = (s: string) => (s.split('\n')[0] ?? '').trim().slice(0, 300);
