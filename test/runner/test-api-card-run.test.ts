import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_MARKER_ENV } from '../../src/runner/run-config.ts';
import { DEFAULT_TEST_PSP, type Sandbox } from '../../src/sandbox/index.ts';
import { settle } from '../helpers/processes.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { goliveRun, notApplicableFlows as notApplicable, secretLeaks, verdictsAgainstSandbox } from '../helpers/test-api-runs.ts';

// The credentials come from the environment only; these are the upstream sandbox's test PSP keys.
const keys = { GOLIVE_TEST_CLIENT_ID: DEFAULT_TEST_PSP.clientId, GOLIVE_TEST_CLIENT_SECRET: DEFAULT_TEST_PSP.clientSecret, GOLIVE_TEST_SUBSCRIPTION_KEY: DEFAULT_TEST_PSP.subscriptionKeys[0], GOLIVE_TEST_PSP_ID: DEFAULT_TEST_PSP.pspId };
const golive = (args: string[]) => goliveRun(['--profile', 'config/reference-psp.profile.yaml', ...args], { ...process.env, ...keys }, { prefix: 'golive-test-api-card-', timeoutMs: 150_000 });
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
    expect(secretLeaks(testApi.runDir, secrets)).toEqual([]);
    expect(await settle(RUN_MARKER_ENV, s.runId)).toEqual([]);

    // The same profile against the embedded sandbox: every item judged in test-api mode has the same verdict.
    const sandbox = await golive([]);
    expect(sandbox.code, sandbox.stdout.slice(-3000)).toBe(0);
    expect(sandbox.summary.environment).toBe('sandbox');
    // Card callbacks the sandbox sends itself are not relayed.
    const own = (JSON.parse(readFileSync(join(sandbox.runDir, 'traffic.json'), 'utf8')) as { operation?: string; notes?: Record<string, unknown> }[]).filter((e) => e.operation === 'cardCallback');
    expect(own.length).toBeGreaterThan(0);
    expect(own.some((e) => e.notes?.relayed)).toBe(false);
    const { comparable, differences } = verdictsAgainstSandbox(testApi, sandbox.summary);
    expect(comparable).toEqual(expect.arrayContaining(['PSP-CREATE', 'PSP-GET', 'PSP-HEADERS']));
    expect(differences).toEqual([]);
    // The card-callback items, proven on the relayed callbacks, as the sandbox judged its own.
    const sandboxVerdict = (id: string) => sandbox.summary.items.find((i) => i.id === id)?.verdict;
    for (const id of ['PSP-CB-RESERVE', 'PSP-CB-20S']) expect(`${id} ${item(id).verdict}`).toBe(`${id} ${sandboxVerdict(id)}`);
    expect(await settle(RUN_MARKER_ENV, sandbox.summary.runId)).toEqual([]);
  }, 240_000);
});
