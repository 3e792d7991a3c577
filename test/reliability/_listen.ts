/**
 * Helpers for the reliability tests: whk listen in a shell pipeline (real pipes, real signals),
 * and deliveries signed by the core.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '../../src/index.js';
import { WHK } from '../helpers/cli.js';

export const SECRET = 'reliability-s3cret';
export const tmp = (name: string) => mkdtempSync(join(tmpdir(), `whk-rel-${name}-`));

/** A valid GitHub delivery (no timestamp: valid whenever it is sent). */
export const github = (body = `{"action":"opened","n":${Math.random()}}`) => ({ body, headers: { 'content-type': 'application/json', 'x-github-event': 'issues', ...sign('github', { body, secrets: [SECRET] }) } });

/** A Dfns delivery, `ageSeconds` old. */
export function dfns(ageSeconds = 0, id = `wh-${Math.random().toString(36).slice(2)}`) {
  const body = JSON.stringify({ id, kind: 'wallet.created', date: new Date().toISOString(), data: {}, timestampSent: Math.floor(Date.now() / 1000) - ageSeconds });
  return { body, headers: { 'content-type': 'application/json', ...sign('dfns', { body, secrets: [SECRET] }) } };
}

export const post = async (url: string, d: { body: string | Buffer; headers?: Record<string, string> }, method = 'POST') => {
  const r = await fetch(url, { method, body: typeof d.body === 'string' ? d.body : new Uint8Array(d.body), headers: d.headers });
  return { status: r.status, text: await r.text(), headers: r.headers };
};

/** Waits for a file to exist and have content (the ready file), polling at the pace of file events. */
export async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8').trim();
      if (text) return text;
    }
    if (Date.now() > until) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `bash -c script` with WHK set to the CLI; resolves with its exit code and output. */
export function shell(script: string, env: Record<string, string> = {}) {
  const child = spawn('bash', ['-c', script], { env: { ...process.env, NO_COLOR: '1', WHK: `${process.execPath} ${WHK}`, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}
