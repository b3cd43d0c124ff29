import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run-summary.ts';
import { RUN_MARKER_ENV } from '../../src/runner/run-config.ts';
import { DEFAULT_TEST_PSP, type Sandbox } from '../../src/sandbox/index.ts';
import { settle } from '../helpers/processes.ts';
import { startSandbox } from '../helpers/sandbox.ts';

const root = resolve(import.meta.dirname, '../..');
// The credentials come from the environment only; these are the upstream sandbox's test PSP keys.
const keys = { GOLIVE_TEST_CLIENT_ID: DEFAULT_TEST_PSP.clientId, GOLIVE_TEST_CLIENT_SECRET: DEFAULT_TEST_PSP.clientSecret, GOLIVE_TEST_SUBSCRIPTION_KEY: DEFAULT_TEST_PSP.subscriptionKeys[0], GOLIVE_TEST_PSP_ID: DEFAULT_TEST_PSP.pspId };
const dir = mkdtempSync(join(tmpdir(), 'golive-test-api-card-'));
const profile = 'config/reference-psp.profile.yaml';

type Flow = { record: { id: string; outcome: string; error?: string } };
async function golive(args: string[]) {
  const out = mkdtempSync(join(dir, 'run-'));
  const result = await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--workers', '2', '--profile', profile, ...args], { cwd: root, env: { ...process.env, ...keys }, timeout: 150_000, maxBuffer: 32 * 2 ** 20 })
    .then((r) => ({ code: 0, stdout: r.stdout }))
    .catch((err) => ({ code: Number(err.code), stdout: `${err.stdout}\n${err.stderr}` }));
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  const flows = readdirSync(join(runDir, 'flows')).map((f) => JSON.parse(readFileSync(join(runDir, 'flows', f), 'utf8')) as Flow);
  return { ...result, runDir, flows, summary: JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary };
}
const filesOf = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesOf(join(d, n)) : [join(d, n)]));

const notApplicable = (flows: Flow[]) => new Map(flows.filter((f) => f.record.outcome === 'not-applicable').map((f) => [f.record.id, f.record.error ?? '']));
const APPROVED_FLOWS = ['card-reserved-captured', 'card-refunded', 'card-cancelled', 'support-view'];

/**
 * The reference PSP's card-passthrough suite in test-api mode, golive's sandbox standing in for
 * apitest.vipps.no. The PSP's cardCallbackUrl is under {{relay.url}} (the profile's PUBLIC_URL);
 * force approve pays with the test user's card, so the upstream's card callback goes through the
 * relay to the PSP, is recorded as the sandbox records its own, and the card-callback items are
 * proven against the test API with the verdicts a sandbox run gives.
 */
describe('golive run --target test-api with the card-passthrough PSP profile (sandbox as the upstream)', () => {
  let upstream: Sandbox;
  beforeAll(async () => {
    upstream = await startSandbox();
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('judges the card callbacks force approve caused through the relay, as a sandbox run does; what needs the card control is NOT APPLICABLE, with why', async () => {
    const testApi = await golive(['--target', 'test-api', '--upstream', upstream.url]);
    const s = testApi.summary;
    expect(s.environment, testApi.stdout.slice(-3000)).toBe('test-api');
    expect(testApi.code, testApi.stdout.slice(-3000)).toBe(0);
    expect(upstream.traffic.query({ operation: ['forceApprove'] }).length).toBeGreaterThanOrEqual(APPROVED_FLOWS.length);

    // Named cards, tryCard and sandbox steps are NOT APPLICABLE with their reasons; the approved card is the test user's own.
    const na = notApplicable(testApi.flows);
    for (const id of ['card-soft-declined', 'co-branded-card-type']) expect(na.get(id), id).toMatch(/customer.approve pays with a card through the sandbox's card control/);
    expect(na.get('card-declined-then-retried')).toMatch(/customer.tryCard pays with a card through the sandbox's card control/);
    expect(na.get('forged-card-callback-refused')).toMatch(/sandbox control API/);
    for (const id of APPROVED_FLOWS) expect(testApi.flows.find((f) => f.record.id === id)?.record.outcome, id).toBe('completed');

    // The card callbacks went through the relay: recorded with the sandbox's notes, attributed to their flows.
    const traffic = JSON.parse(readFileSync(join(testApi.runDir, 'traffic.json'), 'utf8')) as { kind: string; operation?: string; flowId?: string; notes?: Record<string, unknown> }[];
    const relayed = traffic.filter((e) => e.operation === 'cardCallback');
    expect(relayed.length).toBeGreaterThanOrEqual(APPROVED_FLOWS.length);
    expect(relayed.every((e) => e.kind === 'callback' && e.notes?.relayed === true && e.notes?.outcome === 'reserved' && e.notes?.round === 'first')).toBe(true);
    expect(relayed.every((e) => e.flowId !== undefined)).toBe(true);
    const item = (id: string) => s.items.find((i) => i.id === id)!;
    for (const id of ['PSP-CB-RESERVE', 'PSP-CB-20S']) expect(item(id).environment, id).toBe('test-api');
    expect(s.items.filter((i) => i.verdict === 'FAILED').map((i) => i.id)).toEqual([]);

    // No secret in the run folder, no process left.
    const secrets = [keys.GOLIVE_TEST_CLIENT_SECRET, keys.GOLIVE_TEST_SUBSCRIPTION_KEY];
    expect(filesOf(testApi.runDir).filter((f) => !/\.(png|webm|zip)$/.test(f) && secrets.some((k) => readFileSync(f, 'utf8').includes(k)))).toEqual([]);
    expect(await settle(RUN_MARKER_ENV, s.runId)).toEqual([]);

    // The same profile against the embedded sandbox: every item judged in test-api mode has the same verdict.
    const sandbox = await golive([]);
    expect(sandbox.code, sandbox.stdout.slice(-3000)).toBe(0);
    expect(sandbox.summary.environment).toBe('sandbox');
    // Card callbacks the sandbox sends itself are not relayed.
    const own = (JSON.parse(readFileSync(join(sandbox.runDir, 'traffic.json'), 'utf8')) as { operation?: string; notes?: Record<string, unknown> }[]).filter((e) => e.operation === 'cardCallback');
    expect(own.length).toBeGreaterThan(0);
    expect(own.some((e) => e.notes?.relayed)).toBe(false);
    const sandboxVerdict = new Map(sandbox.summary.items.map((i) => [i.id, i.verdict]));
    const listedByNa = new Set(s.flows.filter((f) => na.has(f.id)).flatMap((f) => f.checklist));
    const comparable = s.items.filter((i) => i.environment === 'test-api' && !listedByNa.has(i.id));
    expect(comparable.map((i) => i.id)).toEqual(expect.arrayContaining(['PSP-CREATE', 'PSP-GET', 'PSP-HEADERS']));
    expect(comparable.filter((i) => i.verdict !== sandboxVerdict.get(i.id)).map((i) => `${i.id}: test-api ${i.verdict}, sandbox ${sandboxVerdict.get(i.id)}`)).toEqual([]);
    for (const id of ['PSP-CB-RESERVE', 'PSP-CB-20S']) expect(`${id} ${item(id).verdict}`).toBe(`${id} ${sandboxVerdict.get(id)}`);
    expect(await settle(RUN_MARKER_ENV, sandbox.summary.runId)).toEqual([]);
  }, 240_000);
});
