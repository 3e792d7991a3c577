import type { ServerResponse } from 'node:http';
import type { Verdict } from '../schemes/types.js';
import type { ForwardResult } from './forward.js';
import type { InjectOptions, Injected } from './inject.js';

/**
 * The answering step: what the sender gets. Writes nothing once the client is gone; never
 * throws (a failed write ends in a destroyed socket).
 */
export function answer(res: ServerResponse, status: number, body: string | Buffer | undefined, seq: number, opts: { close?: boolean; headers?: string[]; contentType?: string } = {}): void {
  if (res.headersSent || res.destroyed) return;
  const h: string[] = ['x-whk-seq', String(seq)];
  if (body !== undefined) h.push('content-type', opts.contentType ?? 'text/plain; charset=utf-8');
  // Every answer says its length (not a chunked body): smaller, and what providers expect. Not a
  // 204 or 304 answer, which has no body and must not say it has a length (RFC 9110).
  if (status !== 204 && status !== 304) h.push('content-length', String(body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  if (opts.close) h.push('connection', 'close');
  if (opts.headers) h.push(...opts.headers);
  try {
    res.writeHead(status, h);
    res.end(body);
  } catch {
    res.destroy();
  }
}

/** What the forward target answered, streamed to the sender; resolves with a preview of its body once done. */
export function relay(res: ServerResponse, r: Extract<ForwardResult, { ok: true }>, seq: number, signal?: AbortSignal): Promise<{ preview: string; bytes: number; error?: string }> {
  return new Promise((resolve) => {
    let preview = Buffer.alloc(0);
    let bytes = 0;
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ preview: preview.toString('utf8'), bytes, ...(error ? { error } : {}) });
    };
    if (res.headersSent || res.destroyed) {
      r.body.destroy();
      return done('the sender was gone before your app answered');
    }
    try {
      res.writeHead(r.status, ['x-whk-seq', String(seq), ...r.headers]);
    } catch (e) {
      r.body.destroy();
      res.destroy();
      return done(`your app's answer could not be relayed: ${(e as Error).message}`);
    }
    r.body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (preview.length < 512) preview = Buffer.concat([preview, chunk.subarray(0, 512 - preview.length)]);
      if (!res.write(chunk)) {
        r.body.pause();
        res.once('drain', () => r.body.resume());
      }
    });
    r.body.on('end', () => {
      res.end();
      done();
    });
    r.body.on('error', (e) => {
      res.destroy();
      done(`your app's answer broke off after ${bytes} bytes: ${e.message}`);
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        r.body.destroy();
        done(`the sender closed the connection while your app's answer was relayed (${bytes} bytes)`);
      }
    });
    signal?.addEventListener('abort', () => {
      if (signal.reason !== 'shutdown' || res.writableFinished) return;
      r.body.destroy();
      res.destroy();
      done(`whk shut down while your app's answer was relayed (${bytes} bytes): the shutdown grace ended first`);
    }, { once: true });
  });
}

export const invalidText = (v: Verdict) => `whk: invalid signature (${v.reason}): ${v.message.replace(/[\r\n]+/g, ' ')}\n`;

export function failText(i: Injected, o: InjectOptions): string {
  return i.fail === 'fail-first'
    ? `whk: injected failure (--fail-first ${o.failFirst}): delivery ${i.attempt} of this event\n`
    : `whk: injected failure (--fail-rate ${o.failRate})\n`;
}
