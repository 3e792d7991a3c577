import { WhkError } from './schemes/errors.js';

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
