import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type RunOutcome } from '../../src/cli/run.ts';
import { listEvidenceFiles, verifyEvidence } from '../../src/report/manifest.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { DEFAULT_TEST_MERCHANT } from '../../src/sandbox/merchants.ts';
import { TokenStore } from '../../src/sandbox/tokens.ts';
import { newSecret } from '../../src/sandbox/webhooks/registry.ts';
import { sign } from '../../src/sandbox/webhooks/signer.ts';
import { SCAN_MSN, SCAN_SECRETS, useScanCredentials, writeScanProfile } from './helpers/scan-profile.ts';
import { patternNeedles, SecretScanner, zipReaderAvailable, type Needle } from './helpers/secret-scanner.ts';

/**
 * Redaction is applied to every output: a run with distinctive credentials leaves none of them —
 * nor any access token, webhook secret or Authorization value — in any file of its report
 * folder, whatever the encoding (raw, URL, JSON, base64 inside attachments, inside trace zips).
 */
const needles: Needle[] = [
  { kind: 'client id', value: SCAN_SECRETS.clientId },
  { kind: 'client secret', value: SCAN_SECRETS.clientSecret },
  { kind: 'subscription key', value: SCAN_SECRETS.subscriptionKey },
  { kind: 'profile-marked secret', value: SCAN_SECRETS.shopKey },
  ...patternNeedles(),
];
const scanner = new SecretScanner(needles);
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('the secret scanner', () => {
  it('finds planted secrets: raw, URL-encoded, base64 inside JSON, inside a zip, and by pattern', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-plant-'));
    const store = new TokenStore();
    const token = store.issue(DEFAULT_TEST_MERCHANT as any, Date.now(), 3600).token;
    const webhookSecret = newSecret();
    const hmac = sign(webhookSecret, 'https://shop.example/webhooks', '{}', new Date()).authorization;
    writeFileSync(join(dir, 'clean.txt'), 'nothing to see: Bearer [REDACTED:1a2b3c4d], HMAC-SHA256 [REDACTED:0badf00d]');
    writeFileSync(join(dir, 'raw.log'), `client_secret=${SCAN_SECRETS.clientSecret}\n`);
    writeFileSync(join(dir, 'url.txt'), `https://x.example/?k=${encodeURIComponent(`a b/${SCAN_SECRETS.subscriptionKey}`)}`);
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ attachments: [{ name: 'f.json', body: Buffer.from(`{"id":"${SCAN_SECRETS.clientId}"}`).toString('base64') }] }));
    writeFileSync(join(dir, 'token.bin'), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(`Authorization: Bearer ${token}`), Buffer.from([0])]));
    writeFileSync(join(dir, 'webhook.json'), JSON.stringify({ secret: webhookSecret }));
    writeFileSync(join(dir, 'headers.txt'), `authorization: ${hmac}`);
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'trace.zip'), await zipOf({ 'trace.network': `{"shopKey":"${SCAN_SECRETS.shopKey}"}`, 'resources/page.html': `<p>${token}</p>` }));

    const report = await scanner.scanDir(dir);
    const kinds = (where: string) => report.hits.filter((h) => h.where.startsWith(where)).map((h) => h.kind);
    expect(kinds('clean.txt')).toEqual([]);
    expect(kinds('raw.log')).toContain('client secret (raw)');
    expect(kinds('url.txt')).toContain('subscription key (raw)');
    expect(kinds('report.json')).toContain('client id (base64)');
    expect(kinds('report.json#base64')).toContain('client id (raw)');
    expect(kinds('token.bin')).toEqual(expect.arrayContaining(['sandbox access token', 'JWT', 'Bearer credential']));
    expect(kinds('webhook.json')).toContain('webhook secret (64 bytes, base64)');
    expect(kinds('headers.txt')).toContain('HMAC Authorization value');
    if (zipReaderAvailable()) {
      expect(kinds('nested/trace.zip!trace.network')).toContain('profile-marked secret (raw)');
      expect(kinds('nested/trace.zip!resources/page.html')).toContain('sandbox access token');
      expect(report.archiveEntries).toBe(2);
    } else {
      expect(report.notes.join('\n')).toMatch(/no zip reader is installed/);
    }
  });

  it('looks for the shapes the sandbox really issues (tokens, webhook secrets, HMAC values)', async () => {
    // If the sandbox changes how it makes these, the patterns must follow, or the scan sees nothing.
    const probe = new SecretScanner(patternNeedles());
    const token = new TokenStore().issue(DEFAULT_TEST_MERCHANT as any, Date.now(), 3600).token;
    for (const [value, kind] of [
      [token, 'sandbox access token'],
      [newSecret(), 'webhook secret (64 bytes, base64)'],
      [sign(newSecret(), 'http://127.0.0.1:1/wh', '{"a":1}', new Date()).authorization, 'HMAC Authorization value'],
    ] as const) {
      const report = { hits: [], files: 0, bytes: 0, archiveEntries: 0, decodedRuns: 0, notes: [] };
      await probe.scanBuffer(Buffer.from(`"${value}"`), 'probe', 0, report);
      expect(report.hits.map((h: { kind: string }) => h.kind)).toContain(kind);
    }
  });
});

describe('the Redactor', () => {
  it('masks credential headers held in plain objects too (e.g. a webhook receiver\'s answer headers)', () => {
    const r = new Redactor();
    const out = r.value({
      status: 200,
      headers: { 'Set-Cookie': 'session=6f1d2c9a8b7e', authorization: 'Bearer abcdef0123456789', 'Ocp-Apim-Subscription-Key': 'k-123456789', 'content-type': 'text/plain' },
    }) as { headers: Record<string, string> };
    expect(out.headers['Set-Cookie']).toMatch(/^\[REDACTED:[0-9a-f]{8}\]$/);
    expect(out.headers.authorization).toMatch(/^Bearer \[REDACTED:[0-9a-f]{8}\]$/);
    expect(out.headers['Ocp-Apim-Subscription-Key']).toMatch(/^\[REDACTED:[0-9a-f]{8}\]$/);
    expect(out.headers['content-type']).toBe('text/plain');
  });
});

describe('a full run with distinctive secrets', () => {
  const root = mkdtempSync(join(tmpdir(), 'golive-scan-'));
  let profile: string;
  let full: RunOutcome;

  beforeAll(async () => {
    useScanCredentials();
    profile = writeScanProfile(root);
    full = await runCommand({ profile, out: join(root, 'reports'), quiet: true, workers: '3' });
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('passes (exit 0) as the scan merchant, with redacted credentials in its traffic', () => {
    expect(full.exitCode).toBe(0);
    expect(full.summary!.profile.msn).toBe(SCAN_MSN);
    const refs = full.summary!.evidenceReferences;
    expect(refs.CAPTURED.length && refs.REFUNDED.length && refs.CANCELLED.length && refs.AUTHORIZED.length).toBeGreaterThan(0);
    // The credentials really travelled (and were replaced by markers): tokens fetched with the
    // scan merchant's keys, order-status calls carrying the profile-marked secret header.
    const traffic = JSON.parse(readFileSync(join(full.runDir!, 'traffic.json'), 'utf8')) as any[];
    const tokenCalls = traffic.filter((e) => e.api === 'access-token' && e.msn === SCAN_MSN && e.response?.status === 200);
    expect(tokenCalls.length).toBeGreaterThan(0);
    const marker = /^\[REDACTED:[0-9a-f]{8}\]$/;
    expect(tokenCalls.every((e) => marker.test(e.request.headers.client_secret) && marker.test(e.request.headers.client_id) && marker.test(e.response.body.access_token))).toBe(true);
    const shopCalls = traffic.filter((e) => e.request?.headers?.['x-shop-key']);
    expect(shopCalls.length).toBeGreaterThan(0);
    expect(shopCalls.every((e) => marker.test(e.request.headers['x-shop-key']))).toBe(true);
    expect(traffic.some((e) => e.kind === 'webhook' || e.api === 'webhooks')).toBe(true);
  });

  it('leaves no secret in any file of the report folder', async () => {
    const report = await scanner.scanDir(full.runDir!);
    expect(report.hits).toEqual([]);
    // Everything was looked at: every file, including the summaries and the manifest.
    expect(report.files).toBe(files(full.runDir!).length);
    for (const f of ['summary.json', 'summary.html', 'summary.md', 'traffic.json', 'junit.xml', 'manifest.json']) {
      expect(files(full.runDir!).map((p) => p.slice(full.runDir!.length + 1))).toContain(f);
    }
    expect(report.decodedRuns).toBeGreaterThan(0); // the report's inlined attachments were decoded
  });

  it('is covered by its manifest, which verifies', async () => {
    const result = await verifyEvidence(full.runDir!);
    expect(result.ok).toBe(true);
    expect(result.manifest.files.map((f) => f.path)).toEqual(listEvidenceFiles(full.runDir!));
    expect(result.freshness.stale).toBe(false);
  });

  it('a failing run keeps Playwright traces, and their contents hold no secret either', async () => {
    const failing = await runCommand({
      profile,
      out: join(root, 'reports-failing'),
      quiet: true,
      workers: '1',
      grep: '@order-refunded',
      // The shop's refund fails (501): the flow's refund step fails and Playwright keeps its trace.
      integrationEnv: { REFERENCE_MERCHANT_FAULTS: 'no-refund' },
    });
    expect(failing.exitCode).toBe(1);
    const traces = files(failing.runDir!).filter((f) => f.endsWith('.zip'));
    expect(traces.length).toBeGreaterThan(0);
    const report = await scanner.scanDir(failing.runDir!);
    expect(report.hits).toEqual([]);
    if (zipReaderAvailable()) expect(report.archiveEntries).toBeGreaterThan(traces.length);
    else expect(report.notes.join('\n')).toMatch(/no zip reader is installed/);
  }, 300_000);
});

/** A zip of text files, written with yazl (shipped inside playwright-core). */
function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const { yazl } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle');
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
