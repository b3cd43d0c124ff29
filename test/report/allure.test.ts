import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.ts';
import { ActionError } from '../../src/actors/merchant.ts';
import { IntegrationDefect } from '../../src/shared/errors.ts';
import {
  ALLURE_CATEGORIES,
  classifyError,
  executorInfo,
  failureKind,
  featureName,
  flowAllureMetadata,
  quietName,
  unquietNames,
  generateAllureHtml,
  propertiesText,
  writeAllureMetadata,
} from '../../src/report/allure.ts';
import { serveDirectory } from '../../src/report/allure-server.ts';
import { videoSupport } from '../../src/report/video.ts';
import { ControlError } from '../../src/sandbox/client.ts';
import { StepFailure } from '../../src/runner/flow-runner.ts';

describe('flowAllureMetadata', () => {
  const meta = flowAllureMetadata({
    suite: { suite: 'epayment-checklist', title: 'ePayment API go-live checklist' },
    flow: { id: 'order-captured', title: 'A complete order ending in CAPTURED', checklist: ['EP-ORDER-CAPTURED', 'EP-ENDPOINT-CREATE', 'x-custom'] },
    profile: { profile: 'reference-merchant', name: 'Acme', msn: '123456' },
    browser: true,
  });
  const values = (name: string) => meta.labels.filter((l) => l.name === name).map((l) => l.value);

  it('puts every checklist item in a feature named by its area, id and title, under the suite, with the flow as story', () => {
    expect(values('epic')).toEqual(['ePayment API go-live checklist']);
    expect(values('feature')).toEqual([
      'Flow to go live › EP-ORDER-CAPTURED: Test order ending in CAPTURED',
      'Endpoints to integrate › EP-ENDPOINT-CREATE: Create payment: POST /epayment/v1/payments',
      'Custom items › x-custom',
    ]);
    expect(values('story')).toEqual(['A complete order ending in CAPTURED']);
    expect(values('checklistArea')).toEqual(['Flow to go live', 'Endpoints to integrate', 'Custom items']);
    expect(values('suite')).toEqual(['ePayment API go-live checklist']);
    expect(values('subSuite')).toEqual(['browser-driven flows']);
    expect(values('parentSuite')).toEqual(['golive: Acme']);
  });

  it('is critical when a required item is covered and links each item’s documentation', () => {
    expect(values('severity')).toEqual(['critical']);
    expect(values('checklistSeverity')).toEqual(['required']);
    expect(meta.links.map((l) => l.name)).toEqual(['EP-ORDER-CAPTURED — docs', 'EP-ENDPOINT-CREATE — docs']);
    expect(meta.links.every((l) => l.url.startsWith('https://developer.vippsmobilepay.com/docs/'))).toBe(true);
    expect(meta.parameters).toEqual([{ name: 'MSN', value: '123456' }]);
  });

  it('is normal when the flow only covers recommended items', () => {
    const rec = flowAllureMetadata({ suite: { suite: 's', title: 'S' }, flow: { id: 'f', title: 'F', checklist: ['EP-NO-IFRAME'] }, profile: { profile: 'p', msn: '1' }, browser: false });
    expect(rec.labels.find((l) => l.name === 'severity')?.value).toBe('normal');
    expect(rec.labels.find((l) => l.name === 'subSuite')?.value).toBe('API flows');
    expect(featureName('EP-NO-IFRAME')).toMatch(/^Avoid integration pitfalls › EP-NO-IFRAME: /);
  });
});

describe('failure kinds and categories', () => {
  /** Allure 2 matches a category's messageRegex (a Java regex) against the whole message. */
  const category = (message: string) =>
    ALLURE_CATEGORIES.find((c) => !c.messageRegex || new RegExp(`^(?:${c.messageRegex.replace('(?s)', '')})$`, 's').test(message))?.name;

  it('tells integration defects, environment problems and golive errors apart', () => {
    expect(failureKind(new StepFailure('payment r1: expected {"state":"CAPTURED"} within 10000 ms'))).toBe('integration defect');
    expect(failureKind(new ActionError('capture', 'HTTP 500'))).toBe('integration defect');
    expect(failureKind(new IntegrationDefect('checklist items failed:\n  EP-HEADERS: missing'))).toBe('integration defect');
    expect(failureKind(new ControlError(500, 'sandbox control GET /clock → 500: boom'))).toBe('environment problem');
    expect(failureKind(new Error('browserType.launch: Executable doesn\'t exist at /nope'))).toBe('environment problem');
    expect(failureKind(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('golive error');
  });

  it('prefixes messages once, and each prefix lands in its own Allure category', () => {
    const err = classifyError(new IntegrationDefect('checklist items failed:\n  EP-HEADERS: missing'));
    expect(err.message).toBe('[integration defect] checklist items failed:\n  EP-HEADERS: missing');
    expect(classifyError(err).message).toBe(err.message);
    expect(category(err.message)).toBe('Integration defect');
    // Playwright reports thrown errors as `Error: message`.
    expect(category(`Error: ${err.message}`)).toBe('Integration defect');
    expect(category('Error: see [integration defect] later')).toBe('Unclassified failure');
    expect(category(classifyError(new ControlError(503, 'sandbox control down')).message)).toBe('Environment problem');
    expect(category('Test timeout of 150000ms exceeded.')).toBe('Environment problem');
    expect(category(classifyError(new RangeError('bad')).message)).toBe('golive error');
    expect(category('something else')).toBe('Unclassified failure');
  });
});

describe('quiet attachment names', () => {
  it('are restored before Allure writes the result, in attachments and in the steps made of them', () => {
    const q = quietName('#4 curl.sh');
    expect(q).toBe('_#4 curl.sh');
    const result = {
      name: '_a flow title stays',
      steps: [{ name: 'merchant.checkout', attachments: [], steps: [{ name: q, attachments: [{ name: q }], steps: [] }, { name: '_other step', attachments: [], steps: [] }] }],
      attachments: [{ name: q }],
    };
    unquietNames(result);
    expect(result.name).toBe('_a flow title stays');
    expect(result.attachments[0].name).toBe('#4 curl.sh');
    expect(result.steps[0].steps[0]).toMatchObject({ name: '#4 curl.sh', attachments: [{ name: '#4 curl.sh' }] });
    expect(result.steps[0].steps[1].name).toBe('_other step');
  });
});

describe('environment.properties, executor.json, categories.json', () => {
  it('are written from the run folder into allure-results', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'golive-allure-meta-'));
    writeFileSync(join(runDir, 'run-config.json'), JSON.stringify({ runId: 'run-1', golivVersion: '9.9.9', sandbox: { mode: 'embedded' } }));
    writeFileSync(join(runDir, 'summary.json'), JSON.stringify({ runId: 'run-1', profile: { id: 'acme', name: 'Acme = shop', msn: '123456', kind: 'partner' }, target: 'embedded sandbox (http://127.0.0.1:1)' }));
    const dir = writeAllureMetadata(runDir, { shard: '1/2', video: 'no video: test' });
    const props = readFileSync(join(dir, 'environment.properties'), 'utf8');
    expect(props).toContain('golive.version=9.9.9\n');
    expect(props).toContain('profile=acme\n');
    expect(props).toContain('profile.name=Acme = shop\n');
    expect(props).toContain('target=embedded sandbox (http://127.0.0.1:1)\n');
    expect(props).toContain(`node=${process.version}\n`);
    expect(props).toContain('shard=1/2\n');
    expect(props).toContain('video=no video: test\n');
    expect(JSON.parse(readFileSync(join(dir, 'executor.json'), 'utf8'))).toMatchObject({ name: 'golive', buildName: 'golive run run-1 — summary.html', buildUrl: '../summary.html', reportName: 'golive go-live checklist — acme' });
    expect(JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8')).map((c: { name: string }) => c.name)).toEqual(["Checklist: needs a person's review", 'Checklist: recommendation not met', 'Checklist: not run or not applicable', 'Integration defect', 'Environment problem', 'golive error', 'Unclassified failure']);
    // Re-rendering keeps what the run wrote.
    writeAllureMetadata(runDir, { shard: '2/2' }, { keepExisting: true });
    expect(readFileSync(join(dir, 'environment.properties'), 'utf8')).toContain('shard=1/2');
  });

  it('records the shard of a --shard run from Playwright\'s report', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'golive-allure-shard-'));
    writeFileSync(join(runDir, 'playwright-report.json'), JSON.stringify({ config: { shard: { current: 2, total: 3 } }, suites: [] }));
    const dir = writeAllureMetadata(runDir, { video: 'off' });
    expect(readFileSync(join(dir, 'environment.properties'), 'utf8')).toContain('shard=2/3\n');
  });

  it('escapes .properties keys and values', () => {
    expect(propertiesText({ 'a key': 'x\\y\nz', empty: '', skip: undefined })).toBe('a\\ key=x\\\\y\\nz\n');
  });

  it('names the CI build when there is one', () => {
    const gh = executorInfo('r', 'p', { GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '42', GITHUB_RUN_NUMBER: '7', GITHUB_REPOSITORY: 'o/r', GITHUB_WORKFLOW: 'ci' });
    expect(gh).toMatchObject({ type: 'github', buildName: 'ci #7', buildUrl: 'https://github.com/o/r/actions/runs/42', reportName: 'golive go-live checklist — p' });
  });
});

describe('generateAllureHtml without what it needs', () => {
  function fakeRun(): string {
    const runDir = mkdtempSync(join(tmpdir(), 'golive-allure-gen-'));
    mkdirSync(join(runDir, 'allure-results'));
    writeFileSync(join(runDir, 'allure-results', '0000-result.json'), JSON.stringify({ uuid: '0000', name: 'flow', status: 'passed', start: 1, stop: 2, labels: [], steps: [], attachments: [], parameters: [], links: [] }));
    return runDir;
  }

  it('says clearly that Java is missing and leaves the raw results (plus their metadata) in place', async () => {
    const runDir = fakeRun();
    const result = await generateAllureHtml(runDir, { env: { PATH: '/nonexistent' } });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/Java is not installed/);
    expect(result.message).toMatch(/apt-get install -y default-jre-headless/);
    expect(result.message).toContain(`golive report ${runDir}`);
    expect(existsSync(join(runDir, 'allure-results', '0000-result.json'))).toBe(true);
    expect(existsSync(join(runDir, 'allure-results', 'environment.properties'))).toBe(true);
    expect(existsSync(join(runDir, 'allure-report'))).toBe(false);
  });

  it('says so when there are no results', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'golive-allure-empty-'));
    const result = await generateAllureHtml(runDir);
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toMatch(/no Allure results/);
  });
});

describe('golive report (usage)', () => {
  it('exits 2 for a missing folder, a folder without results, and a merge without --out', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'golive-report-'));
    expect((await runReportCommand([join(empty, 'nope')], { quiet: true })).exitCode).toBe(2);
    expect((await runReportCommand([empty], { quiet: true })).exitCode).toBe(2);
    expect((await runReportCommand([empty, empty], { quiet: true })).exitCode).toBe(2);
  });
});

describe('the report server', () => {
  it('serves files on 127.0.0.1 with their types, index.html for folders, and nothing outside its root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'golive-serve-'));
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'index.html'), '<h1>hi</h1>');
    writeFileSync(join(root, 'data', 'a b.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, '..', 'golive-serve-secret.txt'), 'outside');
    const server = await serveDirectory(root);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await fetch(server.url);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      expect(await index.text()).toBe('<h1>hi</h1>');
      const svg = await fetch(`${server.url}data/a%20b.svg`);
      expect(svg.headers.get('content-type')).toBe('image/svg+xml');
      expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
      expect((await fetch(`${server.url}..%2fgolive-serve-secret.txt`)).status).toBe(403);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe('video support (Playwright needs an ffmpeg; golive links Debian\'s where Playwright looks)', () => {
  const revision = (JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules/playwright-core/browsers.json'), 'utf8')) as { browsers: { name: string; revision: string }[] }).browsers.find((b) => b.name === 'ffmpeg')!.revision;
  const fakeFfmpeg = (dir: string, encoders: string) => {
    const file = join(dir, 'ffmpeg');
    writeFileSync(file, `#!/bin/sh\necho "${encoders}"\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('can be switched off', () => {
    expect(videoSupport({ GOLIVE_VIDEO: 'off' })).toMatchObject({ enabled: false, note: 'off (GOLIVE_VIDEO=off)' });
  });

  it('uses Playwright\'s own ffmpeg when it is installed', () => {
    const registry = mkdtempSync(join(tmpdir(), 'golive-pw-'));
    mkdirSync(join(registry, `ffmpeg-${revision}`));
    fakeFfmpeg(join(registry, `ffmpeg-${revision}`), 'libvpx-vp9');
    renameSync(join(registry, `ffmpeg-${revision}`, 'ffmpeg'), join(registry, `ffmpeg-${revision}`, 'ffmpeg-linux'));
    const support = videoSupport({ PLAYWRIGHT_BROWSERS_PATH: registry, PATH: '/nonexistent' });
    expect(support).toMatchObject({ enabled: true, ffmpeg: join(registry, `ffmpeg-${revision}`, 'ffmpeg-linux') });
    expect(support.browsersPath).toBeUndefined();
  });

  it('links a system ffmpeg that encodes VP9 where Playwright looks, and refuses one that does not', () => {
    const bin = mkdtempSync(join(tmpdir(), 'golive-ff-'));
    const good = fakeFfmpeg(bin, ' V....D libvpx-vp9           libvpx VP9');
    const support = videoSupport({ PLAYWRIGHT_BROWSERS_PATH: join(bin, 'empty-registry'), GOLIVE_FFMPEG: good });
    expect(support).toMatchObject({ enabled: true, ffmpeg: good });
    expect(readlinkSync(join(support.browsersPath!, `ffmpeg-${revision}`, 'ffmpeg-linux'))).toBe(good);
    const bad = fakeFfmpeg(mkdtempSync(join(tmpdir(), 'golive-ff-')), ' V..... mpeg4');
    expect(videoSupport({ PLAYWRIGHT_BROWSERS_PATH: join(bin, 'empty-registry'), GOLIVE_FFMPEG: bad }).note).toMatch(/^off: .* cannot encode VP9/);
    expect(videoSupport({ PLAYWRIGHT_BROWSERS_PATH: join(bin, 'empty-registry'), GOLIVE_FFMPEG: join(bin, 'missing') }).note).toMatch(/^off: no ffmpeg found — install Debian's ffmpeg/);
  });
});
