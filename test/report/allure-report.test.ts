import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.ts';
import { runCommand, type RunOutcome } from '../../src/cli/run.ts';
import { videoSupport } from '../../src/report/video.ts';
import { readResults } from '../../src/report/results-store.ts';
import { namedScreenshots } from '../../src/report/screenshots.ts';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Done-when of the Allure integration: a golive run leaves Allure results, `golive report`
 * renders them to HTML and serves it on 127.0.0.1, and Chromium shows the suite, its flows,
 * the checklist items (Behaviors) and a flow's steps with their attachments. A screenshot of
 * the report is kept in test-results/allure-report.png.
 */
describe('the Allure report of a golive run', () => {
  let run: RunOutcome;
  let served: Awaited<ReturnType<typeof runReportCommand>>;
  let browser: Browser;
  let page: Page;
  const external: string[] = [];

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'golive-allure-'));
    // A partial run (items no selected flow exercises are NOT RUN); its flows and items are what matter here.
    run = await runCommand({ grep: 'order-captured|customer-rejects', workers: '2', quiet: true, out });
    served = await runReportCommand([run.runDir!], { open: true, quiet: true });
    browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on('request', (r) => {
      if (!r.url().startsWith(served.url!) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url());
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close?.();
  });

  it('leaves raw results with labels, steps and attachments in the run folder', () => {
    expect(run.runDir).toBeTruthy();
    const dir = join(run.runDir!, 'allure-results');
    const files = readdirSync(dir);
    // Once the report is rendered the results are kept compact (gzipped, attachments in the report).
    const all = readResults(dir);
    const isItem = (r: { labels: { name: string; value: string }[] }) => r.labels.some((l) => l.name === 'parentSuite' && l.value === 'golive checklist');
    const results = all.filter((r) => !isItem(r));
    // Every checklist item is a result of its own, its status as honest as its verdict.
    const items = all.filter(isItem);
    expect(items.map((r) => r.name.split(':')[0]).sort()).toEqual(run.summary!.items.map((i) => i.id).sort());
    const statusOf = Object.fromEntries(items.map((r) => [r.name.split(':')[0], r.status]));
    const expected: Record<string, string> = { PASSED: 'passed', FAILED: 'failed', WARNING: 'broken', REVIEW: 'broken', NOT_APPLICABLE: 'skipped', NOT_RUN: 'skipped' };
    for (const i of run.summary!.items) expect(statusOf[i.id], i.id).toBe(expected[i.verdict]);
    expect(results.map((r) => r.name).sort()).toEqual(['A complete order ending in CAPTURED, return page opened in a fresh browser', 'The customer rejects the payment (ABORTED) and the return page says so']);
    for (const f of ['environment.properties', 'executor.json', 'categories.json']) expect(files).toContain(f);
    const captured = results.find((r) => r.name.startsWith('A complete order'))!;
    const labels = (name: string) => captured.labels.filter((l: { name: string }) => l.name === name).map((l: { value: string }) => l.value);
    expect(labels('feature')).toContain('Flow to go live › EP-ORDER-CAPTURED: Test order ending in CAPTURED');
    expect(labels('story')).toEqual([captured.name]);
    expect(labels('severity')).toEqual(['critical']);
    expect(captured.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['MSN', 'amount', 'reference']));
    // The checkout step holds the exchanges it caused, each with its JSON and curl.
    const checkout = captured.steps.find((s: { name: string }) => s.name.startsWith('merchant.checkout'));
    const create = checkout.steps.find((s: { name: string }) => s.name.startsWith('Merchant → Vipps: POST /epayment/v1/payments → 201'));
    const names = (s: any): string[] => [...(s.attachments ?? []).map((a: { name: string }) => a.name), ...(s.steps ?? []).flatMap(names)];
    expect(names(create).some((n) => /^#\d+ exchange\.json$/.test(n))).toBe(true);
    expect(names(create).some((n) => /^#\d+ curl\.sh$/.test(n))).toBe(true);
    expect(names(create).some((n) => /^#\d+ HTTP POST \/epayment\/v1\/payments$/.test(n))).toBe(true);
    expect(checkout.steps.some((s: { name: string }) => /webhook epayments\.payment\.created\.v1 → 200 — signature valid: accepted ✓/.test(s.name))).toBe(true);
    // Sandbox-recorded exchanges keep the sandbox's numbers; golive's own requests are G1, G2… of the flow.
    const everyName = names({ steps: captured.steps });
    const merchantSteps = captured.steps.flatMap((s: any) => s.steps ?? []).filter((s: { name: string }) => s.name.startsWith('golive → Merchant:'));
    expect(merchantSteps.length).toBeGreaterThan(0);
    for (const step of merchantSteps) for (const n of names(step)) expect(n).toMatch(/^G\d+ (HTTP |exchange|curl)/);
    expect(everyName.some((n) => /^G1 (HTTP|exchange|curl)/.test(n))).toBe(true);
    expect(everyName.filter((n) => /#1\d{9}|G\d{6,}/.test(n))).toEqual([]);
    // Named as golive names flows: no spec file in the breadcrumb, no Playwright tags as Allure tags.
    expect(captured.fullName).toBe('epayment-checklist/order-captured');
    expect(captured.labels.filter((l: { name: string }) => l.name === 'tag')).toEqual([]);
    expect(JSON.stringify(results)).not.toContain('flows.spec.ts');
    // The description's verdict table: a row per judged item, the verdict cell marked for golive.css.
    expect(captured.descriptionHtml).toMatch(/^<table><thead>.*<tr><td axis="verdict-(PASSED|FAILED|WARNING|REVIEW)">\1<\/td><td><code>EP-[A-Z0-9-]+<\/code><\/td>/);
    const top = names({ steps: captured.steps.filter((s: { name: string }) => !s.name.startsWith('merchant.') && !s.name.startsWith('customer.') && !s.name.startsWith('expect.')) });
    expect(top).toContain('sequence-diagram.svg');
    if (videoSupport().enabled) expect(top.filter((n) => n.endsWith('.webm')).length).toBeGreaterThan(0);
    else expect(names({ steps: captured.steps })).toContain('video-unavailable.txt');
    // The verdict step holds one sub-step per judged item, and is as good as its worst one.
    const verdicts = captured.steps.find((s: { name: string }) => s.name === 'checklist verdicts');
    expect(verdicts.steps.length).toBeGreaterThan(0);
    for (const s of verdicts.steps) expect(s.name).toMatch(/^[A-Z][A-Z0-9-]+: (PASSED|FAILED|WARNING|REVIEW|NOT APPLICABLE|NOT RUN)$/);
    const notGreen = verdicts.steps.some((s: { status: string }) => s.status !== 'passed' && s.status !== 'skipped');
    if (notGreen) expect(verdicts.status).not.toBe('passed');
    else expect(verdicts.status).toBe('passed');
    // Every checklist item links summary.html.
    for (const item of items) expect(item.links.map((l: { url: string }) => l.url)).toContain('../summary.html');
  });

  it('keeps every screenshot a finding or page names in the run folder, attached in Allure', () => {
    const dir = run.runDir!;
    const cited = new Set<string>();
    for (const f of readdirSync(join(dir, 'flows'))) {
      const evidence = JSON.parse(readFileSync(join(dir, 'flows', f), 'utf8')) as { record: { observations: { screenshot?: string }[] } };
      for (const o of evidence.record.observations) if (o.screenshot) cited.add(o.screenshot);
    }
    for (const m of readFileSync(join(dir, 'summary.json'), 'utf8').matchAll(/screenshots\/[^\s"\\]+?\.png/g)) cited.add(m[0]);
    expect(cited.size, 'the run took screenshots').toBeGreaterThan(0);
    const attached = new Map(namedScreenshots(join(dir, 'allure-results')).map((s) => [s.name, s.stored]));
    for (const name of cited) {
      expect(existsSync(join(dir, name)), `${name} in the run folder`).toBe(true);
      expect(attached.has(name), `${name} attached in Allure`).toBe(true);
      // One stored copy: the run folder's name is a link to the report's attachment.
      expect(realpathSync(join(dir, name))).toBe(realpathSync(attached.get(name)!));
      expect(attached.get(name)!).toContain(join('allure-report', 'data', 'attachments'));
    }
  });

  it('shows an overview percentage that counts the REVIEW items against it (never a false 100 %)', async () => {
    expect(run.summary!.items.some((i) => i.verdict === 'REVIEW')).toBe(true);
    await page.goto(`${served.url}#`);
    const overview = page.locator('.widget__body').first();
    await expect.poll(() => overview.innerText(), { timeout: 10_000 }).toMatch(/\d+(\.\d+)?%/);
    const percent = Number(/(\d+(?:\.\d+)?)%/.exec(await overview.innerText())![1]);
    expect(percent).toBeLessThan(100);
  });

  it('lists every checklist item in its own suite, REVIEW and NOT RUN items not shown as passed', async () => {
    await page.goto(`${served.url}#suites`);
    await page.getByText('golive checklist', { exact: true }).first().click();
    const tree = page.locator('.side-by-side__left');
    await page.getByText('Flow to go live', { exact: true }).first().click();
    await expect.poll(() => tree.innerText()).toContain('EP-ORDER-CAPTURED: Test order ending in CAPTURED');
    // A REVIEW item's page states the verdict and what the reviewer must judge, not a pass.
    const review = run.summary!.items.find((i) => i.verdict === 'REVIEW')!;
    expect(review, 'the run has a REVIEW item').toBeDefined();
    await page.getByText(review.area, { exact: true }).first().click();
    await page.locator('a.node__leaf', { hasText: `${review.id}:` }).first().click();
    const right = page.locator('.side-by-side__right');
    await expect.poll(() => right.innerText(), { timeout: 10_000 }).toContain('REVIEW (a person must judge)');
    expect((await right.innerText()).toLowerCase()).not.toContain('passed');
    await page.goto(`${served.url}#categories`);
    await expect.poll(() => page.locator('.side-by-side__left').innerText(), { timeout: 10_000 }).toContain("Checklist: needs a person's review");
  });

  it('renders the suite and its flows under Suites', async () => {
    expect(served.exitCode).toBe(0);
    // Served from the run folder, so the report's links to ../summary.html resolve.
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/allure-report\/$/);
    await page.goto(`${served.url}#suites`);
    await page.getByText('golive: Acme Coffee Roasters', { exact: false }).first().click();
    await page.getByText('ePayment API go-live checklist', { exact: true }).click();
    await page.getByText('browser-driven flows', { exact: true }).click();
    const tree = page.locator('.side-by-side__left');
    await expect.poll(() => tree.innerText()).toContain('A complete order ending in CAPTURED');
    expect(await tree.innerText()).toContain('The customer rejects the payment (ABORTED)');
  });

  it('lists the checklist items under Behaviors', async () => {
    await page.goto(`${served.url}#behaviors`);
    await page.getByText('ePayment API go-live checklist', { exact: true }).click();
    const tree = page.locator('.side-by-side__left');
    await expect.poll(() => tree.innerText()).toContain('Flow to go live › EP-ORDER-CAPTURED: Test order ending in CAPTURED');
    const text = await tree.innerText();
    expect(text).toContain('Quality assurance › EP-STATES-ABORTED: Handle ABORTED');
    expect(text).toContain('Endpoints to integrate › EP-ENDPOINT-CREATE: Create payment: POST /epayment/v1/payments');
    await page.getByText('Flow to go live › EP-ORDER-CAPTURED: Test order ending in CAPTURED').click();
    await page.getByText('A complete order ending in CAPTURED, return page opened in a fresh browser', { exact: true }).first().click();
    await page.locator('a.node__leaf', { hasText: 'A complete order ending in CAPTURED' }).click();
  });

  it('shows a flow with its labels, steps, exchanges and attachments, and takes a screenshot', async () => {
    const right = page.locator('.side-by-side__right');
    await expect.poll(() => right.innerText(), { timeout: 10_000 }).toContain('Execution');
    const overview = await right.innerText();
    // The breadcrumb names the flow by suite and flow id, not the spec file; no tag soup.
    expect(overview).toContain('epayment-checklist/order-captured');
    expect(overview).not.toContain('flows.spec.ts');
    expect(overview).not.toMatch(/Tags:/);
    // The verdict table is a table: one row per item, five cells (verdict, id, title, reason, docs), the verdict cell coloured.
    const rows = right.locator('.description__text table tbody tr');
    expect(await rows.count()).toBeGreaterThan(1);
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(cells).toHaveLength(5);
    expect(cells[0]).toMatch(/^(PASSED|FAILED|WARNING|REVIEW)$/);
    expect(cells[1]).toMatch(/^EP-[A-Z0-9-]+$/);
    expect(cells[4]).toBe('docs');
    expect(await rows.first().locator('td').nth(4).locator('a').getAttribute('href')).toMatch(/^https:\/\/developer\.vippsmobilepay\.com\//);
    const verdictCell = right.locator('.description__text td', { hasText: /^PASSED$/ }).first();
    expect(await verdictCell.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(31, 122, 74)');
    expect(await verdictCell.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 255)');
    expect(overview).toContain('Severity: critical');
    expect(overview).toMatch(/MSN:\s*123456/);
    expect(overview).toContain('EP-ORDER-CAPTURED — docs');
    // Open the checkout step: its exchanges are sub-steps.
    await right.getByText('merchant.checkout', { exact: false }).first().click();
    const exchange = right.getByText('Merchant → Vipps: POST /epayment/v1/payments → 201', { exact: false }).first();
    await exchange.scrollIntoViewIfNeeded();
    await exchange.click();
    await expect.poll(() => right.innerText()).toMatch(/#\d+ curl\.sh/);
    expect(await right.innerText()).toMatch(/#\d+ exchange\.json/);
    // The exchange in Allure's HTTP view: method, URL, status, headers — the subscription key redacted.
    await right.getByText(/^#\d+ HTTP POST \/epayment\/v1\/payments$/).first().click();
    await expect.poll(() => right.innerText()).toMatch(/POST\s+http:\/\/127\.0\.0\.1:\d+\/epayment\/v1\/payments\s+201/);
    const http = await right.innerText();
    expect(http).toMatch(/ocp-apim-subscription-key\s+\[REDACTED:[0-9a-f]{8}\]/);
    expect(http).toMatch(/authorization\s+Bearer \[REDACTED:[0-9a-f]{8}\]/);
    // The picture: the behaviours tree, and the flow's checkout step with an exchange opened.
    await right.getByText('merchant.checkout', { exact: false }).first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results/allure-report.png') });
    // The sequence diagram opens as an image.
    const diagram = right.locator('.attachment-row', { hasText: 'sequence-diagram.svg' });
    await diagram.scrollIntoViewIfNeeded();
    await diagram.click();
    const img = right.locator('.attachment-preview_svg img').first();
    await expect.poll(async () => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(800);
    if (videoSupport().enabled) expect(await right.locator('.attachment-row', { hasText: '.webm' }).count()).toBeGreaterThan(0);
    await page.goto(`${served.url}#`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain('golive.version');
    // The overview links the printable summary (Executors widget), and the link resolves.
    const summaryLink = page.locator('a', { hasText: 'summary.html' }).first();
    const href = await summaryLink.getAttribute('href');
    expect(href).toBe('../summary.html');
    const summary = await fetch(new URL(href!, served.url));
    expect(summary.status).toBe(200);
    expect(await summary.text()).toContain('<html');
    expect(external).toEqual([]);
  }, 60_000);
});
