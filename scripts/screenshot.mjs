// npm run screenshot: regenerates docs/inspector.png, the README's picture of the inspector.
// Starts the built whk listen (inspector on, a scratch WHK_HOME), sends it a few deliveries
// (valid ones, a duplicate, a re-serialized body whose signature fails, an unverified one),
// opens the page in Chromium (/usr/bin/chromium, or CHROMIUM=...), selects the failed one and
// takes the picture. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { sign } from '../dist/index.js';

const SECRET = 'screenshot-s3cret';
const home = mkdtempSync(join(tmpdir(), 'whk-screenshot-'));
const out = process.argv[2] ?? 'docs/inspector.png';
const child = spawn(process.execPath, ['bin/whk.js', 'listen', '--port', '0', '--inspect', '--inspect-port', '0', '--json', '--secret', SECRET, '--path', '/webhooks'],
  { env: { ...process.env, WHK_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
const ready = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l))));
const post = (body, headers) => fetch(ready.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
const dfns = (kind, id, secret = SECRET) => {
  const body = JSON.stringify({ id, date: new Date().toISOString(), kind, data: { walletId: 'wa-1mcpo-7vi5s-9i6vl1kpsm7c1h0p', network: 'Ethereum' }, timestampSent: Math.floor(Date.now() / 1000), deliveryAttempt: 1 });
  return [body, sign('dfns', { body, secrets: [secret] })];
};
try {
  for (const [kind, id] of [['wallet.created', 'wh-1'], ['wallet.transfer.requested', 'wh-2'], ['wallet.transfer.confirmed', 'wh-3'], ['policy.triggered', 'wh-4']]) await post(...dfns(kind, id));
  await post(...dfns('wallet.created', 'wh-1')); // the same event again: a duplicate
  const [body] = dfns('wallet.transfer.failed', 'wh-5');
  const pretty = JSON.stringify(JSON.parse(body), null, 2);
  await post(body, sign('dfns', { body: pretty, secrets: [SECRET] })); // signed re-encoded, sent compact: no_match, diagnosed
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(ready.inspectUrl);
  await page.getByRole('listbox', { name: /Deliveries/ }).getByRole('option', { name: /wallet\.transfer\.failed/ }).click();
  await page.getByText('diagnosis').waitFor({ timeout: 5000 }).catch(() => undefined);
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  child.kill('SIGINT');
  rmSync(home, { recursive: true, force: true });
}
