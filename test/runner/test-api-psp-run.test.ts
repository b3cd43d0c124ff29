import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_MARKER_ENV } from '../../src/runner/run-config.ts';
import { DEFAULT_TEST_PSP, type Sandbox } from '../../src/sandbox/index.ts';
import { PSP_V2_NO_FORCE_APPROVE } from '../../src/suite/index.ts';
import { settle } from '../helpers/processes.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { goliveRun, notApplicableFlows as notApplicable, secretLeaks, verdictsAgainstSandbox } from '../helpers/test-api-runs.ts';

const root = resolve(import.meta.dirname, '../..');
// The credentials come from the environment only; these are the upstream sandbox's test PSP keys.
const keys = { GOLIVE_TEST_CLIENT_ID: DEFAULT_TEST_PSP.clientId, GOLIVE_TEST_CLIENT_SECRET: DEFAULT_TEST_PSP.clientSecret, GOLIVE_TEST_SUBSCRIPTION_KEY: DEFAULT_TEST_PSP.subscriptionKeys[0], GOLIVE_TEST_PSP_ID: DEFAULT_TEST_PSP.pspId };
const dir = mkdtempSync(join(tmpdir(), 'golive-test-api-psp-'));

/** The bundled PSP profile, with the test user's phone number v3 force approve needs (its cwd kept absolute: the copy lives elsewhere). */
function profileWithTestUser(version: 'v2' | 'v3'): string {
  const text = readFileSync(join(root, `config/reference-psp-${version}.profile.yaml`), 'utf8').replace(/^  cwd: \.\.$/m, `  cwd: ${root}`);
  const path = join(dir, `psp-${version}.profile.yaml`);
  writeFileSync(path, `${text}\ntestApi:\n  phoneNumber: "4791234567"\n`);
  return path;
}

const golive = (args: string[], env: NodeJS.ProcessEnv) => goliveRun(['--suite', 'suites/psp/psp-api.yaml', ...args], env, { prefix: 'golive-test-api-psp-', timeoutMs: 150_000 });

/**
 * The reference PSP's PSP API suite in test-api mode, golive's sandbox standing in for
 * apitest.vipps.no: v3 force-approves, Vipps's makePayment reaches the PSP through the delivery
 * relay ({{relay.url}} in the profile) and is recorded; v2 has no force approve, so its approve
 * flows are NOT APPLICABLE with that reason.
 */
describe('golive run --target test-api with a PSP API profile (sandbox as the upstream)', () => {
  let upstream: Sandbox;
  beforeAll(async () => {
    upstream = await startSandbox();
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('v3: proves the applicable items as a sandbox run does, through the relayed makePayment', async () => {
    const profile = profileWithTestUser('v3');
    const env = { ...process.env, ...keys };
    const testApi = await golive(['--target', 'test-api', '--upstream', upstream.url, '--profile', profile], env);
    const s = testApi.summary;
    expect(testApi.code, testApi.stdout.slice(-3000)).toBe(0);
    expect(s.environment).toBe('test-api');
    expect(upstream.traffic.query({ operation: ['integrationTestApprovePayment'] }).length).toBeGreaterThanOrEqual(3);

    // makePayment went to the relay: recorded, attributed to its flow, read as the sandbox reads it.
    const traffic = JSON.parse(readFileSync(join(testApi.runDir, 'traffic.json'), 'utf8')) as { kind: string; api: string; operation?: string; flowId?: string; notes?: Record<string, unknown> }[];
    const makePayments = traffic.filter((e) => e.kind === 'callback');
    expect(makePayments.length).toBeGreaterThanOrEqual(3);
    expect(makePayments.every((e) => e.api === 'psp-v3' && e.operation === 'makePaymentV3UsingPOST' && e.notes?.relayed === true && e.notes?.outcome === 'ok' && e.flowId !== undefined)).toBe(true);

    // What needs the sandbox's card control, forgeries or a rejecting customer is NOT APPLICABLE, with the reason.
    const na = notApplicable(testApi.flows);
    for (const id of ['card-declined', 'insufficient-funds', 'soft-declined']) expect(na.get(id), id).toMatch(/card through the sandbox's card control/);
    expect(na.get('forged-make-payment-refused')).toMatch(/sandbox control API/);
    expect(na.get('customer-cancels')).toMatch(/no force reject/);
    for (const id of ['reserved-captured', 'refunded', 'cancelled', 'customer-never-returns']) expect(na.has(id), id).toBe(false);
    for (const state of ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED'] as const) expect(s.evidenceReferences[state].length, state).toBeGreaterThan(0);

    // No secret in the run folder.
    const secrets = [keys.GOLIVE_TEST_CLIENT_SECRET, keys.GOLIVE_TEST_SUBSCRIPTION_KEY];
    expect(secretLeaks(testApi.runDir, secrets)).toEqual([]);
    expect(await settle(RUN_MARKER_ENV, s.runId)).toEqual([]);

    // The same profile against the embedded sandbox: every item judged in test-api mode has the same verdict.
    const sandbox = await golive(['--profile', profile], env);
    expect(sandbox.code, sandbox.stdout.slice(-3000)).toBe(0);
    const { comparable, differences } = verdictsAgainstSandbox(testApi, sandbox.summary);
    expect(comparable).toEqual(expect.arrayContaining(['PSPAPI-INIT', 'PSPAPI-UPDATESTATUS', 'PSPAPI-DETAILS', 'PSPAPI-NO-REDIRECT-RELIANCE']));
    expect(differences).toEqual([]);
    expect(sandbox.summary.environment).toBe('sandbox');
  }, 240_000);

  it('v2: without --interactive every approve flow is NOT APPLICABLE (no force approve), with the reason', async () => {
    const run = await golive(['--target', 'test-api', '--upstream', upstream.url, '--profile', profileWithTestUser('v2')], { ...process.env, ...keys });
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    const na = notApplicable(run.flows);
    for (const id of ['reserved-captured', 'refunded', 'cancelled', 'customer-never-returns']) expect(na.get(id), id).toBe(PSP_V2_NO_FORCE_APPROVE);
    expect(run.summary.items.every((i) => i.verdict === 'NOT_APPLICABLE')).toBe(true);
    expect(run.summary.items.find((i) => i.id === 'PSPAPI-UPDATESTATUS')?.findings[0].message).toContain(PSP_V2_NO_FORCE_APPROVE);
  }, 120_000);
});
