/**
 * The inspector in a real browser: playwright-core driving Debian's Chromium (/usr/bin/chromium,
 * or CHROMIUM=...). Without it the tests are skipped with one line saying so, unless
 * WHK_BROWSER_TESTS=required (CI), which makes a missing browser a failure. Screenshots go to
 * test/artifacts/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { runWhk, startWhk, type Running } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../send/_receiver.js';
import { CHROMIUM, SECRET, browserAvailable, githubRecord, historyWith, listed, listenWithInspector, openInspector, type Listening } from './_inspector.js';

const required = process.env.WHK_BROWSER_TESTS === 'required';
const run = browserAvailable() || required;
if (!run) {
  process.stderr.write(`\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM=/path/to/chromium; WHK_BROWSER_TESTS=required makes a missing browser fail. !!!\n\n`);
}
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const githubHeaders = (body: string, extra: Record<string, string> = {}, secret = SECRET) =>
  ({ 'content-type': 'application/json', 'x-github-event': 'issues', ...extra, ...sign('github', { body, secrets: [secret] }) });
const deliver = (url: string, body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers }).then(async (r) => (await r.text(), r.status));

describe.runIf(run)('the inspector in Chromium', () => {
  let browser: Browser;
  let l: Listening;
  let app: Receiver;
  let page: Page;
  /** What the page's console said was wrong, and the requests it made that failed: nothing, ever. */
  const problems: string[] = [];
  const list = () => page.getByRole('listbox', { name: /Deliveries/ });
  const row = (name: RegExp) => list().getByRole('option', { name });
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png` });

  beforeAll(async () => {
    if (!browserAvailable()) throw new Error(`WHK_BROWSER_TESTS=required and there is no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(ARTIFACTS, { recursive: true });
    // evil.test resolves to this machine: a DNS-rebinding page, as far as the browser can tell.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--host-resolver-rules=MAP evil.test 127.0.0.1'] });
    app = await startReceiver(() => 202);
    l = await listenWithInspector(['--scheme', 'github', '--secret', SECRET, '--forward-to', `${app.url}/app`]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(l.inspectUrl).origin });
    page = await context.newPage();
    page.setDefaultTimeout(5000); // an action that cannot happen fails with its reason, not the test's timeout
    page.on('pageerror', (e) => {
      throw e;
    });
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('response', (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`)));
    page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`)));
    await page.goto(l.inspectUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await l?.stop();
    await app?.close();
  });

  it('opens the address whk printed: its key becomes an HttpOnly, SameSite=Strict cookie and leaves the address bar', async () => {
    expect(page.url()).toBe(l.base);
    const port = new URL(l.base).port;
    expect(await page.context().cookies()).toEqual([expect.objectContaining({ name: `whk_inspector_${port}`, value: l.key, httpOnly: true, sameSite: 'Strict', path: '/' })]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // Another browser, given only the base address: the page says where the key is, and shows nothing else.
    const stranger = await browser.newPage();
    const r = await stranger.goto(l.base);
    expect(r!.status()).toBe(401);
    expect(await stranger.locator('body').textContent()).toMatch(/answers only to the address whk printed when it started/);
    expect(await stranger.locator('[role=listbox]').count()).toBe(0);
    await stranger.close();
  });

  it('shows each delivery live, newest first, within moments of the answer (median printed)', async () => {
    // When each row appears, seen from the page (same machine clock as the sender's).
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('#rows [role=option]')) {
          const m = /\/live\/(\d+)/.exec(el.textContent ?? '');
          if (m && !(m[1]! in seen)) seen[m[1]!] = Date.now();
        }
      }).observe(document.getElementById('rows')!, { childList: true, subtree: true });
    });
    const answered: number[] = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify({ action: 'opened', i });
      // The answer's status line and headers are in: that is the listener's answer.
      const r = await fetch(`${l.url}live/${i}`, { method: 'POST', body, headers: githubHeaders(body) });
      answered.push(Date.now());
      await r.text();
      await page.waitForFunction((n) => String(n) in (window as unknown as { seen: Record<string, number> }).seen, i);
    }
    const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
    const delays = answered.map((t, i) => seen[String(i)]! - t).sort((a, b) => a - b);
    const median = (delays[9]! + delays[10]!) / 2;
    // The two clocks are one machine's, read in two processes: a row may even be seen before the sender's fetch resolves.
    console.log(`inspector: median delay from the listener's answer to the row on the page: ${median} ms (min ${delays[0]}, max ${delays[19]}, 20 deliveries)`);
    await expect.poll(() => list().getByRole('option').first().textContent()).toContain('/live/19');
    await shot('live');
  });

  it('shows a failed signature with its diagnosis, and what was answered and forwarded', async () => {
    const body = JSON.stringify({ action: 'reencoded', deep: { a: 1 } });
    // Signed over the re-encoded form, sent compact: the signature matches a re-serialization.
    const status = await deliver(`${l.url}bad`, body, { 'content-type': 'application/json', 'x-github-event': 'issues', ...sign('github', { body: JSON.stringify(JSON.parse(body), null, 2), secrets: [SECRET] }) });
    expect(status).toBe(401);
    await row(/\/bad/).click();
    const detail = page.getByRole('region', { name: 'Delivery' });
    await expect.poll(() => detail.textContent()).toContain('✗ no_match');
    expect(await detail.textContent()).toMatch(/re-serialized as JSON with 2-space indentation/);
    expect(await detail.textContent()).toContain('answered401');
    await row(/\/live\/3\b/).click();
    await expect.poll(() => detail.textContent()).toMatch(/forward202 in \d+ ms/);
    // JSON as a tree, with the raw bytes one click away.
    expect(await detail.getByRole('tree').textContent()).toContain('action: "opened"');
    await detail.getByRole('button', { name: 'Raw' }).click();
    expect(await detail.getByLabel('Raw body').textContent()).toBe('{"action":"opened","i":3}');
    await shot('diagnosis');
  });

  it('filters by provider, event type, verdict and status, and searches headers and bodies', async () => {
    const count = () => list().getByRole('option').count();
    await page.getByLabel('Verdict').selectOption('invalid');
    await expect.poll(count).toBe(1);
    await page.getByLabel('Verdict').selectOption('no_match');
    await expect.poll(count).toBe(1);
    await page.getByLabel('Verdict').selectOption('');
    await page.getByLabel('Status').selectOption('4');
    await expect.poll(count).toBe(1);
    await page.getByLabel('Status').selectOption('2');
    await expect.poll(count).toBe(20);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Provider').selectOption('github');
    await page.getByLabel('Event type').selectOption('issues');
    await expect.poll(count).toBe(21);
    await page.getByLabel('Provider').selectOption('');
    await page.getByLabel('Event type').selectOption('');

    await page.getByRole('searchbox', { name: 'Search' }).fill('"i":7}');
    await expect.poll(count).toBe(1);
    expect(await list().getByRole('option').textContent()).toContain('/live/7');
    await page.getByRole('searchbox', { name: 'Search' }).fill('x-github-event');
    await expect.poll(count).toBe(21);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(count).toBe(21);
  });

  it('compares a retry with its original: headers and body', async () => {
    const first = JSON.stringify({ action: 'retry', attempt: 1 });
    const second = JSON.stringify({ action: 'retry', attempt: 2 });
    await deliver(`${l.url}retry`, first, githubHeaders(first, { 'x-github-delivery': 'same-delivery' }));
    await deliver(`${l.url}retry`, second, githubHeaders(second, { 'x-github-delivery': 'same-delivery', 'x-retry': '1' }));
    // One numbering: the listener's (20 live ones and /bad came first), in the list, the detail, "same event" and Compare.
    expect(await row(/dup of #22/).locator('span').first().textContent()).toBe('#23');
    await row(/dup of #22/).click();
    const detail = page.getByRole('region', { name: 'Delivery' });
    await expect.poll(() => detail.textContent()).toContain('same event#22');
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe('#23 POST /retry');
    await detail.getByRole('button', { name: 'Compare' }).click();
    expect(await detail.getByLabel('Compare with').locator('option:checked').textContent()).toMatch(/^#22 · \d\d:\d\d:\d\d · issues · ✓ valid$/);
    await expect.poll(() => detail.getByRole('heading', { level: 3, name: /^Headers: / }).textContent()).toBe('Headers: #22 → #23');
    const headers = detail.getByRole('table', { name: 'Header differences' });
    await expect.poll(() => headers.textContent()).toContain('x-retry(none)1');
    expect(await headers.textContent()).toContain('x-hub-signature-256');
    const body = await detail.getByLabel('Body differences').textContent();
    expect(body).toContain('-   "attempt": 1');
    expect(body).toContain('+   "attempt": 2');
    await shot('compare');
  });

  it('Replay sends the original bytes and headers to --forward-to', async () => {
    await row(/\/live\/5\b/).click();
    const before = app.got.length;
    const detail = page.getByRole('region', { name: 'Delivery' });
    await detail.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect.poll(() => detail.getByRole('status', { name: 'Result' }).textContent()).toMatch(/→ 202 in \d+ ms/);
    const got = app.got[before]!;
    expect(got.path).toBe('/app/live/5');
    expect(got.body.toString()).toBe('{"action":"opened","i":5}');
    expect(got.headers['x-hub-signature-256']).toBe(app.got.find((g) => g.body.toString() === '{"action":"opened","i":5}')!.headers['x-hub-signature-256']);
    // The replay joins the list, marked as one, under the number of the delivery it replays.
    const replayRow = list().getByRole('option').first();
    await expect.poll(() => replayRow.textContent()).toMatch(/replay.*↻ of #6/);
    expect(await replayRow.locator('span').first().textContent()).toBe('↻ #6');
    await replayRow.click();
    await expect.poll(() => detail.textContent()).toMatch(/replay of#6 \(original\)/);
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe('↻ #6 POST /app/live/5');
  });

  it('Re-sign & replay sends a delivery that verifies with whk verify', async () => {
    await row(/\/live\/6\b/).click();
    const before = app.got.length;
    const detail = page.getByRole('region', { name: 'Delivery' });
    await detail.getByRole('button', { name: 'Re-sign & replay' }).click();
    await expect.poll(() => detail.getByRole('status', { name: 'Result' }).textContent()).toMatch(/→ 202 .*re-signed as github/);
    const got = app.got[before]!;
    const v = await runWhk(['verify', '--scheme', 'github', '--secret', SECRET, '--body', got.body.toString(), '--header', `X-Hub-Signature-256: ${got.headers['x-hub-signature-256']}`]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('Edit & replay sends the edited body, signed afresh', async () => {
    await row(/\/live\/8\b/).click();
    const before = app.got.length;
    const detail = page.getByRole('region', { name: 'Delivery' });
    await detail.getByRole('button', { name: 'Edit & replay' }).click();
    // The body to edit is pretty-printed (the replay is signed afresh: its bytes need not be the recorded ones).
    expect(await detail.getByLabel('Body', { exact: true }).inputValue()).toBe('{\n  "action": "opened",\n  "i": 8\n}');
    await detail.getByLabel('Body', { exact: true }).fill('{"action":"edited by hand"}');
    await detail.getByRole('button', { name: 'Send edited' }).click();
    await expect.poll(() => detail.getByRole('status', { name: 'Result' }).textContent()).toMatch(/→ 202/);
    const got = app.got[before]!;
    expect(got.body.toString()).toBe('{"action":"edited by hand"}');
    const v = await runWhk(['verify', '--scheme', 'github', '--secret', SECRET, '--body', got.body.toString(), '--header', `X-Hub-Signature-256: ${got.headers['x-hub-signature-256']}`]);
    expect(v.code).toBe(0);
    await shot('edit-replay');
  });

  it('Copy as curl and Copy as whk send put a working command on the clipboard', async () => {
    await row(/\/live\/9\b/).click();
    const detail = page.getByRole('region', { name: 'Delivery' });
    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^curl -X POST '.*\/app\/live\/9' .*--data-binary '\{"action":"opened","i":9\}'$/);
    expect(await detail.getByLabel('Command').inputValue()).toMatch(/^curl /);
    await detail.getByRole('button', { name: 'Copy as whk send' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^whk send '.*\/app\/live\/9' --scheme github --body '\{"action":"opened","i":9\}'/);
  });

  it('moves with j and k, searches with /, replays with r', async () => {
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await row(/\/live\/15\b/).click();
    const selected = () => list().locator('[aria-selected="true"]').textContent();
    await page.locator('body').press('j');
    await expect.poll(selected).toContain('/live/14');
    await page.locator('body').press('j');
    await page.locator('body').press('k');
    await expect.poll(selected).toContain('/live/14');
    // r clicks the Replay button of the delivery shown: wait until 14's is shown (after j and k it
    // may still be rendering; a press before that did nothing once, in a loaded CI run).
    const detail = page.getByRole('region', { name: 'Delivery' });
    await expect.poll(() => detail.textContent()).toContain('/live/14');
    await detail.getByRole('button', { name: 'Replay', exact: true }).waitFor();
    const before = app.got.length;
    await page.locator('body').press('r');
    await expect.poll(() => app.got.length).toBe(before + 1);
    expect(app.got[before]!.body.toString()).toBe('{"action":"opened","i":14}');
    await page.locator('body').press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search');
  });

  it('shows markup in a delivery as text: nothing in it runs', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>';
    const body = JSON.stringify({ action: hostile });
    await deliver(`${l.url}xss/<img src=x onerror=window.pwned=3>`, body, githubHeaders(body, { 'x-evil': '<img src=x onerror=window.pwned=4>' }));
    await deliver(`${l.url}xss-text`, hostile, { 'content-type': 'text/html', ...sign('github', { body: hostile, secrets: [SECRET] }) });
    await row(/xss\//).click();
    const detail = page.getByRole('region', { name: 'Delivery' });
    await expect.poll(() => detail.textContent()).toContain(hostile.replace(/"/g, '\\"'));
    await row(/xss-text/).click();
    await expect.poll(() => detail.textContent()).toContain(hostile);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('#detail img, #detail script, #detail b, #rows img').count()).toBe(0);
    await shot('markup-as-text');
  });

  it('a page on another origin, or under another host name, can neither read nor act', async () => {
    const port = new URL(l.inspectUrl).port;
    // DNS rebinding: evil.test resolves to 127.0.0.1, but the Host header gives it away.
    const other = await browser.newPage();
    const rebound = await other.goto(`http://evil.test:${port}/`);
    expect(rebound!.status()).toBe(403);
    // A page from another origin (the receiver's): no CORS, so it reads nothing; without the token it sends nothing.
    await other.goto(app.url);
    const posts = () => app.got.filter((g) => g.method === 'POST').length; // (the page itself and its favicon are GETs)
    const before = posts();
    const outcome = await other.evaluate(async (inspect) => {
      const read = await fetch(`${inspect}api/deliveries`).then(() => 'read', () => 'blocked');
      const act = await fetch(`${inspect}api/deliveries/1/replay`, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ mode: 'original', url: location.origin }) }).then(() => 'sent', () => 'blocked');
      return { read, act };
    }, l.base);
    expect(outcome.read).toBe('blocked');
    expect(posts()).toBe(before); // no replay arrived
    await other.close();
  });

  it('works at 760 px: the delivery below the list, nothing wider than the window, event types and verdicts in full', async () => {
    const body = '{"action":"created"}';
    await deliver(`${l.url}long`, body, githubHeaders(body, { 'x-github-event': 'pull_request_review_thread' }));
    await deliver(`${l.url}unsigned`, body, { 'content-type': 'application/json', 'x-github-event': 'issues' });
    const context = await browser.newContext({ viewport: { width: 760, height: 900 } });
    const narrow = await context.newPage();
    await narrow.goto(l.inspectUrl);
    const rows = narrow.getByRole('listbox', { name: /Deliveries/ }).getByRole('option');
    await expect.poll(() => rows.first().textContent()).toContain('/unsigned');
    await rows.nth(1).click();
    await expect.poll(() => narrow.getByRole('region', { name: 'Delivery' }).textContent()).toContain('pull_request_review_thread');
    const layout = await narrow.evaluate(() => {
      const box = (id: string) => document.getElementById(id)!.getBoundingClientRect();
      const scroller = document.getElementById('scroller')!;
      const cells = [...document.querySelectorAll<HTMLElement>('#rows [role=option]')].slice(0, 12).flatMap((r) => [r.children[4], r.children[5]] as HTMLElement[]);
      return {
        page: document.documentElement.scrollWidth - innerWidth,
        list: scroller.scrollWidth - scroller.clientWidth,
        detail: document.getElementById('detail')!.scrollWidth - document.getElementById('detail')!.clientWidth,
        below: box('detail').top >= box('list').bottom - 1,
        cut: cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
        shown: cells.map((c) => c.textContent),
      };
    });
    expect(layout).toMatchObject({ page: 0, list: 0, detail: 0, below: true, cut: [] });
    expect(layout.shown).toEqual(expect.arrayContaining(['pull_request_review_thread', '✗ missing_header', 'issues', '✓ valid']));
    await narrow.screenshot({ path: `${ARTIFACTS}760px.png` });
    await context.close();
  });

  it('puts nothing in the console and asks for nothing that fails (the tab\'s icon included)', async () => {
    // The browser asks for the tab's icon once a page has loaded (a headed one asks for /favicon.ico without a link: it got 404).
    const icon = page.waitForResponse((r) => /\/favicon\.(ico|svg)$/.test(r.url()));
    await page.reload();
    expect((await icon).status()).toBe(200);
    expect(problems).toEqual([]);
  });
});

describe.runIf(run)('the inspector with 10,000 deliveries (whk inspect)', () => {
  let browser: Browser;
  let whk: Running;

  beforeAll(async () => {
    if (!browserAvailable()) throw new Error(`WHK_BROWSER_TESTS=required and there is no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    const start = Date.now() - 3_600_000;
    const records = Array.from({ length: 10_000 }, (_, i) => githubRecord(i + 1, i % 10 === 0 ? 'closed' : 'opened', new Date(start + i * 100)));
    whk = startWhk(['inspect', '--port', '0'], { env: { WHK_HOME: historyWith(records) } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    whk?.child.kill('SIGINT');
    await whk?.exited;
  });

  it('lists them all, renders only the rows on screen, and stays usable', async () => {
    const url = (await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', '');
    await listed(await openInspector(url), 10_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 }).toBe('10000 deliveries');
    const rows = page.getByRole('listbox', { name: /Deliveries/ }).getByRole('option');
    expect(await rows.count()).toBeLessThan(80);
    // The list renders after the count: the newest on top once it has.
    await expect.poll(() => rows.first().textContent()).toContain('/n/10000');
    // To the oldest, at the bottom of the list.
    await page.locator('#scroller').evaluate((s) => (s.scrollTop = s.scrollHeight));
    await expect.poll(() => rows.last().textContent()).toContain('/n/1');
    expect(await rows.count()).toBeLessThan(80);
    await rows.last().click();
    await page.locator('body').press('k');
    await expect.poll(() => page.locator('[aria-selected="true"]').textContent()).toContain('/n/2');
    await page.getByLabel('Event type').selectOption('closed');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('1000 shown of 10000 deliveries');
    await page.getByRole('searchbox', { name: 'Search' }).fill('"n":4321}');
    await page.getByLabel('Event type').selectOption('');
    await expect.poll(() => rows.count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}10000-rows.png` });
  });
});

describe.runIf(run)('the inspector over two sessions, days apart (whk inspect)', () => {
  let browser: Browser;
  let whk: Running;
  const older = new Date(Date.now() - 2 * 86_400_000);
  const newer = new Date(Date.now() - 3_600_000);
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  /** A session's label as a reader expects it: its start, local time (Chromium and Node share the zone). */
  const started = (d: Date) => `${MONTHS[d.getMonth()]} ${d.getDate()} ${two(d.getHours())}:${two(d.getMinutes())}`;

  beforeAll(async () => {
    if (!browserAvailable()) throw new Error(`WHK_BROWSER_TESTS=required and there is no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    const dir = historyWith([githubRecord(1, 'opened', new Date(older.getTime() + 1000)), githubRecord(2, 'closed', new Date(older.getTime() + 2000))], { startedAt: older, pid: 1111 });
    // The newer session's #1 is a retry of the older one's #1 (same delivery id, d-1).
    historyWith([githubRecord(1, 'opened', new Date(newer.getTime() + 1000))], { dir, startedAt: newer, pid: 2222 });
    whk = startWhk(['inspect', '--port', '0'], { env: { WHK_HOME: dir } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    whk?.child.kill('SIGINT');
    await whk?.exited;
  });

  it('dates every time, labels each row with its session, and names deliveries with it where numbers repeat', async () => {
    const url = (await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', '');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    const rows = page.getByRole('listbox', { name: /Deliveries/ }).getByRole('option');
    await expect.poll(() => rows.count()).toBe(3);
    const cells = await rows.evaluateAll((rs) => rs.map((r) => [...r.children].slice(0, 3).map((c) => c.textContent)));
    expect(cells).toEqual([
      ['#1', expect.stringMatching(new RegExp(`^${MONTHS[newer.getMonth()]} ${newer.getDate()} \\d\\d:\\d\\d:\\d\\d$`)), started(newer)],
      ['#2', expect.stringMatching(new RegExp(`^${MONTHS[older.getMonth()]} ${older.getDate()} \\d\\d:\\d\\d:\\d\\d$`)), started(older)],
      ['#1', expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2} /), started(older)],
    ]);
    expect(await page.locator('#list-head').textContent()).toBe('#timesessionrequestprovidereventtypeverdictstatusmarks'.replace('eventtype', 'event type'));
    await rows.first().click();
    const detail = page.getByRole('region', { name: 'Delivery' });
    await expect.poll(() => detail.textContent()).toContain(`same event#1 (${started(older)})`);
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe(`#1 (${started(newer)}) POST /n/1`);
    expect(await detail.textContent()).toContain(`session${started(newer)} (`);
    await page.screenshot({ path: `${ARTIFACTS}sessions.png` });
  });
});
