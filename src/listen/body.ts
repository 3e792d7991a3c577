import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The first step: the raw body bytes, within `--max-body`. Over the limit the sender gets a 413
 * it can read: the answer goes out with `Connection: close`, and the rest of the body is read
 * and thrown away for a moment (up to `drainBytes`) before the connection closes, because a
 * client still writing into a socket that was closed on it sees EPIPE or a reset, not the 413.
 */
export interface BodyLimits {
  maxBody: number;
  /** How much of a too-large body is read and discarded after the 413, at most (default 16× the limit, at least 64 MB; and 2 s). */
  drainBytes?: number;
}

export type BodyOutcome =
  | { kind: 'body'; body: Buffer }
  /** Over the limit: `what` says how we know ("N bytes declared", "more than N bytes sent"). */
  | { kind: 'too_large'; what: string }
  /** The client went away mid-body. */
  | { kind: 'aborted'; received: number };

/** Whether a declared Content-Length is over the limit (checked before reading anything). */
export function declaredTooLarge(req: IncomingMessage, maxBody: number): string | undefined {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > maxBody ? `${declared} bytes declared` : undefined;
}

/**
 * Reads the body; `done` is called once. On `too_large` the caller answers 413 (with
 * Connection: close) at once; the discarding of the rest is arranged here.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limits: BodyLimits, done: (o: BodyOutcome) => void): void {
  const { maxBody } = limits;
  const early = declaredTooLarge(req, maxBody);
  if (early) {
    discard(req, res, limits);
    done({ kind: 'too_large', what: early });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody) {
      finished = true;
      chunks.length = 0;
      req.off('data', onData);
      discard(req, res, limits);
      done({ kind: 'too_large', what: `more than ${maxBody} bytes sent` });
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done({ kind: 'body', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
  });
  req.on('close', () => {
    if (finished || req.complete) return;
    finished = true;
    done({ kind: 'aborted', received: size });
  });
}

/** Reads and drops the rest of a refused body, up to a bound, then closes the connection. */
function discard(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): void {
  const budget = limits.drainBytes ?? Math.max(16 * limits.maxBody, 64 * 1024 * 1024);
  const socket = req.socket;
  let dropped = 0;
  let ended = false;
  let closeAsked = false;
  // node:http ends a `Connection: close` answer with socket.destroySoon(): a close with the rest of
  // the body unread, which the sender sees as a reset (EPIPE) instead of the 413. Here the close
  // waits until the body has been read to its end (or the bound is reached).
  socket.destroySoon = () => {
    closeAsked = true;
    if (ended) socket.end();
  };
  const stop = () => socket.destroy();
  const timer = setTimeout(stop, 2_000);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > budget) stop();
  });
  req.on('end', () => {
    ended = true;
    clearTimeout(timer);
    if (closeAsked) socket.end();
  });
  req.on('close', () => clearTimeout(timer));
  req.on('error', () => undefined);
  res.on('error', () => undefined);
  req.resume();
}
