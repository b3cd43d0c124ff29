import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import type { RunSummary } from '../../src/report/run-summary.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { RUN_MARKER_ENV } from '../../src/runner/run-config.ts';
import { settle } from '../helpers/processes.ts';
import { MAIN_RUN, sharedRun } from '../helpers/shared-run.ts';
import { flowFiles, goliveRun, notApplicableFlows, secretLeaks, verdictsAgainstSandbox } from '../helpers/test-api-runs.ts';
import { startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

// The credentials come from the environment only; these are the upstream sandbox's test keys.
const keys = { GOLIVE_TEST_CLIENT_ID: TEST_MERCHANT.clientId, GOLIVE_TEST_CLIENT_SECRET: TEST_MERCHANT.clientSecret, GOLIVE_TEST_SUBSCRIPTION_KEY: TEST_MERCHANT.subscriptionKeys[0] };

const golive = (args: string[], env: NodeJS.ProcessEnv) => goliveRun(args, env, { prefix: 'golive-test-api-' });

/**
 * The reference merchant's ePayment suite in test-api mode: golive's own sandbox stands in for
 * apitest.vipps.no behind the recording proxy, the customer is force approve. Its verdicts must
 * equal a sandbox-mode run's for every item the test API can judge, and what only the sandbox can
 * do must be NOT APPLICABLE with the reason.
 */
describe('golive run --target test-api (sandbox as the upstream)', () => {
  let upstream: Sandbox;
  beforeAll(async () => {
    upstream = await startSandbox();
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('proves the applicable items as a sandbox run does, and says what it could not prove', async () => {
    const env = { ...process.env, ...keys };
    const testApi = await golive(['--target', 'test-api', '--upstream', upstream.url], env);
    const s = testApi.summary;
    expect(testApi.code, testApi.stdout.slice(-3000)).toBe(0);
    expect(s.environment).toBe('test-api');
    expect(s.target).toBe(`test environment via recording proxy to ${upstream.url.replace(/\/+$/, '')}`);
    expect(testApi.stdout).toContain(`Checklist verdicts — profile reference-merchant (MSN 123456), test environment via recording proxy to`);
    expect(readFileSync(join(testApi.runDir, 'summary.md'), 'utf8')).toMatch(/\| Environment \| test environment via recording proxy .*where a reviewer can look them up \|/);

    // The integration really went through the proxy: its calls reached the upstream and are the run's traffic.
    const traffic = JSON.parse(readFileSync(join(testApi.runDir, 'traffic.json'), 'utf8')) as { kind: string; operation?: string; flowId?: string; notes?: { relayed?: boolean } }[];
    expect(traffic.filter((e) => e.operation === 'createPayment').length).toBeGreaterThan(5);
    expect(traffic.filter((e) => e.operation === 'createPayment').every((e) => e.flowId !== undefined)).toBe(true);
    expect(upstream.traffic.query({ operation: ['forceApprove'] }).length).toBeGreaterThan(3);

    // Flows needing sandbox control are NOT APPLICABLE with the reason, never run, never PASSED.
    const na = notApplicableFlows(testApi.flows);
    for (const id of ['payment-expires', 'lost-capture-response', 'rate-limited-polling', 'forged-webhook-rejected', 'duplicate-webhooks', 'error-on-create-shown', 'polling-without-webhooks-or-redirect']) {
      expect(na.get(id), id).toMatch(/sandbox control API|sandbox faults|not observed in test-api mode/);
    }
    expect(na.get('customer-rejects')).toMatch(/no force reject/);
    // Webhooks reached the integration through the delivery relay ({{relay.url}} in the profile): recorded, attributed, judged.
    const relayed = traffic.filter((e) => e.kind === 'webhook');
    expect(relayed.length).toBeGreaterThan(5);
    expect(relayed.every((e) => e.notes?.relayed === true && e.operation === 'deliverWebhook')).toBe(true);
    expect(relayed.filter((e) => e.flowId !== undefined).length).toBeGreaterThan(5);
    for (const id of ['WH-ACK-FAST', 'WH-NOT-TRUTH']) expect(s.items.find((i) => i.id === id)?.environment, id).toBe('test-api');
    // Forged deliveries need the sandbox: the signature item is not applicable, with that reason.
    expect(s.items.find((i) => i.id === 'WH-VERIFY-HMAC')?.verdict).toBe('NOT_APPLICABLE');
    expect(s.items.find((i) => i.id === 'WH-VERIFY-HMAC')?.findings[0].message).toMatch(/sandbox/);
    expect(s.items.find((i) => i.id === 'EP-ERRORS-LOG')?.verdict).toBe('NOT_APPLICABLE');
    for (const state of ['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED'] as const) expect(s.evidenceReferences[state].length, state).toBeGreaterThan(0);

    // No secret in the run folder: the keys the proxy forwarded are redacted everywhere.
    expect(secretLeaks(testApi.runDir, [keys.GOLIVE_TEST_CLIENT_SECRET, keys.GOLIVE_TEST_SUBSCRIPTION_KEY])).toEqual([]);
    expect(await settle(RUN_MARKER_ENV, s.runId)).toEqual([]);

    // The same suite against the embedded sandbox: every item only applicable flows exercise has the same verdict.
    // The main job's run (shared with golive-run.test.ts): the same suites against the embedded sandbox.
    const main = await sharedRun(MAIN_RUN.key, MAIN_RUN.args);
    const sandbox = { ...main, flows: flowFiles(main.runDir), summary: JSON.parse(readFileSync(join(main.runDir, 'summary.json'), 'utf8')) as RunSummary };
    expect(sandbox.code, sandbox.stdout.slice(-3000)).toBe(0);
    const sandboxVerdict = new Map(sandbox.summary.items.map((i) => [i.id, i.verdict]));
    const { comparable, differences } = verdictsAgainstSandbox(testApi, sandbox.summary);
    expect(comparable.length).toBeGreaterThan(25);
    expect(differences).toEqual([]);
    // The webhook items judged on relayed deliveries agree with the sandbox's judgement of its own.
    for (const id of ['WH-ACK-FAST', 'WH-NOT-TRUTH']) expect(`${id} ${s.items.find((i) => i.id === id)?.verdict}`).toBe(`${id} ${sandboxVerdict.get(id)}`);
    expect(sandbox.summary.environment).toBe('sandbox');
  }, 540_000);
  it('runs the eCom suite through the proxy with force approve, its callbacks through the delivery relay, as a sandbox run judges it', async () => {
    const profile = ['--profile', 'config/ecom-shop.profile.yaml'];
    const testApi = await golive([...profile, '--target', 'test-api', '--upstream', upstream.url], { ...process.env, ...keys });
    const s = testApi.summary;
    expect(testApi.code, testApi.stdout.slice(-3000)).toBe(0);
    expect(s.environment).toBe('test-api');
    const traffic = JSON.parse(readFileSync(join(testApi.runDir, 'traffic.json'), 'utf8')) as { kind: string; api: string; operation?: string; flowId?: string; notes?: { relayed?: boolean } }[];
    expect(traffic.filter((e) => e.kind === 'api' && e.api === 'ecom-v2' && e.operation === 'initiatePaymentV3UsingPOST').length).toBeGreaterThan(3);
    expect(upstream.traffic.query({ api: 'ecom-v2', operation: [ECOM_OP.forceApprove] }).length).toBeGreaterThan(3);
    // The callbacks went to {{relay.url}}: recorded as the sandbox records them, so EC-CALLBACK is proven against the test API.
    const callbacks = traffic.filter((e) => e.kind === 'callback' && e.api === 'ecom-v2');
    expect(callbacks.length).toBeGreaterThan(2);
    expect(callbacks.every((e) => e.notes?.relayed === true)).toBe(true);
    expect(s.items.find((i) => i.id === 'EC-CALLBACK')?.environment).toBe('test-api');

    const na = notApplicableFlows(testApi.flows);
    for (const [id, why] of na) expect(why, id).toMatch(/sandbox|no force reject|person/);
    expect(secretLeaks(testApi.runDir, [keys.GOLIVE_TEST_CLIENT_SECRET, keys.GOLIVE_TEST_SUBSCRIPTION_KEY])).toEqual([]);

    const sandbox = await golive(profile, process.env);
    expect(sandbox.code, sandbox.stdout.slice(-3000)).toBe(0);
    const sandboxVerdict = new Map(sandbox.summary.items.map((i) => [i.id, i.verdict]));
    const { comparable, differences } = verdictsAgainstSandbox(testApi, sandbox.summary);
    expect(comparable.length).toBeGreaterThan(4);
    expect(differences).toEqual([]);
    expect(`EC-CALLBACK ${s.items.find((i) => i.id === 'EC-CALLBACK')?.verdict}`).toBe(`EC-CALLBACK ${sandboxVerdict.get('EC-CALLBACK')}`);
  }, 540_000);
});
