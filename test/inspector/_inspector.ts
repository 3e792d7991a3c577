/**
 * Helpers for the inspector's tests: `whk listen` with the inspector on (a scratch WHK_HOME,
 * free ports), plain HTTP requests with any Host header, and a receiver for replays.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '../../src/index.js';
import { startWhk, type Running } from '../helpers/cli.js';

export const SECRET = 'inspector-s3cret';
export const home = () => mkdtempSync(join(tmpdir(), 'whk-inspector-home-'));

/** An inspector let in: its address with the key, its base address, and what the page holds. */
export interface Opened {
  /** http://127.0.0.1:<port>/?key=<key>: what whk printed. */
  inspectUrl: string;
  /** http://127.0.0.1:<port>/ */
  base: string;
  key: string;
  /** The Cookie header the browser sends once let in. */
  auth: { cookie: string };
  /** The page's token, read from its HTML as the page does. */
  token: string;
}

export interface Listening extends Opened {
  whk: Running;
  url: string;
  stop(): Promise<void>;
}

/** Opens the printed address as a browser does: the key for a cookie (303 to /), then the page. */
export async function openInspector(inspectUrl: string): Promise<Opened> {
  const u = new URL(inspectUrl);
  const base = `${u.origin}/`;
  const key = u.searchParams.get('key') ?? '';
  const exchange = await get(inspectUrl);
  if (exchange.status !== 303) throw new Error(`${inspectUrl} answered ${exchange.status}, not 303`);
  const cookie = String(exchange.headers['set-cookie']).split(';')[0]!;
  const html = (await get(base, { cookie })).body;
  const token = /name="whk-token" content="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
  return { inspectUrl, base, key, auth: { cookie }, token };
}

/** whk listen --json --inspect on free ports; extra flags after. */
export async function listenWithInspector(extra: string[] = [], env: Record<string, string> = {}): Promise<Listening> {
  const whk = startWhk(['listen', '--port', '0', '--json', '--inspect', '--inspect-port', '0', ...extra], { env: { WHK_HOME: home(), ...env } });
  const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string; inspectUrl: string };
  return {
    whk, url: ready.url, ...(await openInspector(ready.inspectUrl)),
    async stop() {
      whk.child.kill('SIGINT');
      await whk.exited;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (Host included, when given). */
export function http(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

export const get = (url: string, headers?: Record<string, string>) => http(url, { headers });

export const postJson = (url: string, value: unknown, headers: Record<string, string> = {}) =>
  http(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });

/** Waits until the inspector lists `n` deliveries (it gets them right after the listener answers). */
export async function listed(o: { base: string; auth: Record<string, string> }, n: number): Promise<Array<Record<string, unknown>>> {
  for (;;) {
    const all = JSON.parse((await get(`${o.base}api/deliveries`, o.auth)).body) as Array<Record<string, unknown>>;
    if (all.length >= n) return all;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Where Debian puts Chromium; CHROMIUM overrides. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const browserAvailable = () => existsSync(CHROMIUM);

/**
 * A history folder holding one listener session of `records` (the format of src/history/store.ts:
 * a session line, then --record lines), for `whk inspect`. Returns the WHK_HOME to use. Given
 * `dir` (a WHK_HOME from an earlier call), `startedAt` and `pid`, it adds another session there.
 */
export function historyWith(records: object[], o: { dir?: string; startedAt?: Date; pid?: number } = {}): string {
  const dir = o.dir ?? home();
  const startedAt = o.startedAt ?? new Date(Date.now() - 60_000);
  const pid = o.pid ?? 4242;
  const id = `${startedAt.toISOString().replace(/[-:.]/g, '')}-${pid}`;
  const session = { type: 'session', session: id, startedAt: startedAt.toISOString(), url: 'http://127.0.0.1:4000/', host: '127.0.0.1', port: 4000, path: '/', pid, forwardTo: null, version: '0.1.0' };
  mkdirSync(join(dir, 'history'), { recursive: true });
  writeFileSync(join(dir, 'history', `${id}.ndjson`), [session, ...records].map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}

/** A stored GitHub delivery (valid signature, as the listener records it). */
export function githubRecord(seq: number, action: string, at = new Date(Date.now() - 50_000 + seq)) {
  const body = JSON.stringify({ action, n: seq });
  return {
    type: 'event', seq, receivedAt: at.toISOString(), method: 'POST', path: `/n/${seq}`,
    headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': `d-${seq}`, ...sign('github', { body, secrets: [SECRET] }) },
    body, bodyEncoding: 'utf8', scheme: 'github', verdict: { valid: true, scheme: 'github', reason: 'ok', message: 'valid', diagnosis: null },
    eventType: action, eventId: `d-${seq}`, duplicate: false, filtered: false, response: { status: 200 },
  };
}
