import { WhkError } from './errors.js';
import { formatDuration } from './units.js';

/**
 * The one place that turns socket and undici errors into a sentence a webhook developer can act
 * on. `hint` finishes the sentence for connection refusals ("is the listener running?").
 */
export function networkError(err: unknown, url: string, hint = 'is the server running?'): WhkError {
  const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string; name?: string };
  const code = e?.cause?.code ?? e?.code ?? '';
  const at = origin(url);
  const say = (c: string, m: string) => new WhkError(c, m, 3);
  switch (code) {
    case 'ECONNREFUSED':
      return say('connection_refused', `connection refused at ${at} — ${hint}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say('dns', `cannot resolve host ${hostOf(url)} (DNS) — check the URL`);
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return say('connection_reset', `connection reset by ${at} before it answered — the server closed the socket`);
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return say('connect_timeout', `timed out connecting to ${at} — is the host reachable and the port open?`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return say('timeout', `no answer from ${at} in time — the receiver is too slow (raise --timeout)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return say('unreachable', `host unreachable: ${at}`);
    default:
      if (/^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code) || /certificate|TLS|SSL/i.test(e?.cause?.message ?? e?.message ?? '')) {
        return say('tls', `TLS error talking to ${at}: ${e?.cause?.message ?? e?.message}`);
      }
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return say('timeout', `no answer from ${at} in time — the receiver is too slow (raise --timeout)`);
      return say('network', `network error talking to ${at}: ${e?.cause?.message ?? e?.message ?? String(err)}`);
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

const codeOf = (err: unknown): string => {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.cause?.code ?? e?.code ?? '';
};

/** The HTTP client refused the request itself (a header or method it will not send): nothing went out. */
export const isRefusal = (err: unknown): boolean => {
  const code = codeOf(err);
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED';
};

/** A request the HTTP client would not send: bad input, not a network failure (exit 2). */
export function refusedRequest(err: unknown): WhkError {
  const why = (err as Error)?.message ?? String(err);
  return new WhkError('request_refused', `the HTTP client refused to send this request: ${why}`, 2);
}

/** Codes of failures that come after the response headers: the receiver answered, incompletely. */
export const BODY_ERRORS: ReadonlySet<string> = new Set(['body_timeout', 'body_incomplete']);

/**
 * The receiver sent its status and headers, then the body did not arrive in full: it is
 * reachable (not "no answer"), and a provider counts the delivery as failed all the same (exit 1).
 * `timeoutMs` is the body's own budget (--timeout, counted again from the headers).
 */
export function bodyError(err: unknown, status: number, timeoutMs: number): WhkError {
  const code = codeOf(err);
  const e = err as { name?: string } | undefined;
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'ETIMEDOUT' || e?.name === 'TimeoutError') {
    return new WhkError('body_timeout', `the receiver answered ${status} but its body did not finish within ${formatDuration(timeoutMs)} — answer at once, before any slow work (or raise --timeout)`, 1);
  }
  const why = (err as { cause?: { message?: string }; message?: string })?.cause?.message ?? (err as Error)?.message ?? String(err);
  return new WhkError('body_incomplete', `the receiver answered ${status} but its body did not arrive in full (${why}) — the connection ended mid-answer`, 1);
}

/**
 * A port that could not be bound, as a usage error (exit 2): the listener's and the inspector's.
 * `what` names the port ("port 4000", "inspector port 4040"), `on` its host; `otherPort` is the fix
 * for a port in use.
 */
export function bindError(e: NodeJS.ErrnoException, o: { what: string; on?: string; host: string; port: number; otherPort: string }): WhkError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new WhkError('port_in_use', `${o.what} is already in use${o.on ? ` on ${o.on}` : ''}: ${o.otherPort}`, 2);
    case 'EACCES':
      return new WhkError('port_denied', `permission denied to listen on ${o.what}: use a port above 1023 (--port 0 picks a free one)`, 2);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WhkError('bad_host', `cannot listen on --host ${o.host}: no such address on this machine`, 2);
    default:
      return new WhkError('listen_failed', `cannot listen on ${o.host}:${o.port}: ${e.message}`, 2);
  }
}
