/**
 * Screenshots of a run's evidence, as a reviewer sees it: the Allure overview, the checklist
 * suite (an item that needs a person's review opened), a flow page with its verdict table, and
 * the first printed page of summary.html. Written as PNGs into docs/evidence/ (or --out).
 *
 *   node bin/run-ts.mjs scripts/evidence-screenshots.ts                 # a default run first (~1 min)
 *   node bin/run-ts.mjs scripts/evidence-screenshots.ts reports/latest  # an existing run folder
 *
 * The report is served on 127.0.0.1 by `golive report --open`'s server (src/cli/report.ts);
 * Chromium is /usr/bin/chromium (or GOLIVE_CHROMIUM). Everything started here is stopped at the end.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { runReportCommand } from '../src/cli/report.ts';
import { runCommand } from '../src/cli/run.ts';
import type { RunSummary } from '../src/report/run-summary.ts';
import { readFlowEvidence } from '../src/runner/flow-evidence.ts';

const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const root = resolve(import.meta.dirname, '..');

function parseArgs(argv: string[]): { runDir?: string; out: string } {
  let out = join(root, 'docs/evidence');
  let runDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = resolve(argv[++i]);
    else runDir = resolve(argv[i]);
  }
  return { runDir, out };
}

async function main(): Promise<number> {
  const { runDir: given, out } = parseArgs(process.argv.slice(2));
  let runDir = given;
  if (!runDir) {
    console.log('evidence-screenshots: a default golive run first (about a minute)…');
    const run = await runCommand({ workers: '2', quiet: true, out: mkdtempSync(join(tmpdir(), 'golive-evidence-')) });
    if (!run.runDir) throw new Error(`the run left no run folder (exit code ${run.exitCode})`);
    runDir = run.runDir;
  }
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const served = await runReportCommand([runDir], { open: true, quiet: true });
  if (!served.url) throw new Error(`no Allure report to serve in ${runDir} (exit code ${served.exitCode})`);
  const browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const shot = async (page: Page, name: string) => {
    await page.waitForTimeout(400);
    const file = join(out, name);
    await page.screenshot({ path: file });
    written.push(file);
  };
  try {
    const fresh = async () => {
      const p = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      p.setDefaultTimeout(15_000);
      return p;
    };
    const page = await fresh();

    // 1. The overview: the percentage counts the checklist items; the Executors widget links summary.html.
    await page.goto(served.url);
    await page.locator('.widget').first().waitFor();
    await page.getByText('golive.version').first().waitFor();
    await shot(page, 'allure-overview.png');

    // 2. The checklist suite: every item under its area, a REVIEW item opened.
    await page.goto(`${served.url}#suites`);
    await page.getByText('golive checklist', { exact: true }).first().click();
    const review = summary.items.find((i) => i.verdict === 'REVIEW') ?? summary.items[0];
    const area = page.locator('.side-by-side__left').getByText(review.area, { exact: true }).first();
    await area.click();
    await page.locator('a.node__leaf', { hasText: `${review.id}:` }).first().click();
    await page.locator('.side-by-side__right').getByText(review.title, { exact: false }).first().waitFor();
    await shot(page, 'allure-checklist-suite.png');

    // 3. A flow page: breadcrumbs without the spec file, the verdict table as a table.
    // A fresh page: Allure keeps which tree nodes are open in the browser's storage.
    const flowPage = await fresh();
    // The flow with the fullest verdict table, one with more than green in it first.
    const score = (e: ReturnType<typeof readFlowEvidence>[number]) => e.results.length + (e.results.some((r) => ['FAILED', 'WARNING', 'REVIEW'].includes(r.verdict)) ? 100 : 0);
    const best = readFlowEvidence(runDir).filter((e) => e.record.outcome !== 'not-applicable').sort((a, b) => score(b) - score(a))[0];
    const flow = summary.flows.find((f) => best && f.suite === best.record.suite && f.id === best.record.id) ?? summary.flows[0];
    await flowPage.goto(`${served.url}#suites`);
    const tree = flowPage.locator('.side-by-side__left');
    await tree.getByText(/^golive: /).first().click();
    await tree.getByText(/go-live checklist$/).first().click();
    for (const sub of ['browser-driven flows', 'API flows']) if (await tree.getByText(sub, { exact: true }).count()) await tree.getByText(sub, { exact: true }).first().click();
    await flowPage.locator('a.node__leaf', { hasText: flow.title }).first().click();
    const right = flowPage.locator('.side-by-side__right');
    await right.locator('table').first().waitFor();
    await shot(flowPage, 'allure-flow.png');

    // 4. summary.html as printed (print stylesheet), its first A4 page.
    const print = await (await browser.newContext({ viewport: { width: 900, height: 1273 } })).newPage();
    await print.emulateMedia({ media: 'print' });
    await print.goto(new URL('../summary.html', served.url).href);
    await shot(print, 'summary-print.png');
  } catch (err) {
    for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: join(tmpdir(), `evidence-failure-${Date.now()}.png`) }).catch(() => {});
    throw err;
  } finally {
    await browser.close();
    await served.close?.();
  }
  for (const f of written) console.log(`  ${relative(process.cwd(), f)}  ${Math.round(statSync(f).size / 1024)} KB`);
  console.log(`evidence-screenshots: from ${relative(process.cwd(), runDir) || runDir}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`evidence-screenshots: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
