import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkFor, checksOfIntegration, runCheck } from '../../src/checks/index.ts';
import type { CheckInput, FlowRecord, ProfileFacts } from '../../src/checks/types.ts';
import { aggregateOf, idempotencyKeyOf, operationOf, OP, paymentStateOf, referenceOf } from '../../src/checks/support/traffic.ts';
import { payments, finalStateOf } from '../../src/checks/support/payments.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { CallbackReceiver, ecomClient, initiateBody, waitFor } from '../helpers/ecom.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/**
 * The ePayment rules judging eCom v2 traffic: real sandbox answers (not hand-made exchanges) read
 * through support/traffic.ts, and the EC- items passing for a correct client and failing for the
 * faults each is about.
 */
const profile: ProfileFacts = { id: 'ecom-test', kind: 'direct', api: 'ecom-v2', msn: '123456', capabilities: {} };

function flow(id: string, references: string[], extra: Partial<FlowRecord> = {}): FlowRecord {
  return { suite: 'ecom', id, title: id, checklist: [], references, observations: [], startedAt: 0, endedAt: Number.MAX_SAFE_INTEGER, outcome: 'completed', ...extra };
}

describe('eCom v2 traffic through the ePayment rules', () => {
  let sandbox: Sandbox;
  let H: Record<string, string>;
  const receiver = new CallbackReceiver();
  const c = ecomClient(() => sandbox, () => H);
  const traffic = (orderId: string): Exchange[] => sandbox.traffic.query({}).filter((e) => e.reference === orderId || referenceOf(e) === orderId);
  const judge = (item: string, input: CheckInput) => runCheck(checkFor(item)!, input);
  const reserved = async (amount = 49900) => {
    const body = initiateBody(receiver.url, { transaction: { amount } });
    expect((await c.initiate(body)).status).toBe(200);
    expect((await c.approve(body.transaction.orderId)).status).toBe(200);
    return body.transaction.orderId as string;
  };

  beforeAll(async () => {
    await receiver.start();
    sandbox = await startSandbox();
    H = await merchantHeaders(sandbox.url);
  });
  afterEach(() => sandbox.faults.clear());
  afterAll(async () => {
    await sandbox.close();
    await receiver.stop();
  });

  it('reads operations, references, X-Request-Id keys, states and amounts in neutral terms', async () => {
    const orderId = await reserved();
    expect((await c.capture(orderId, 20000, 'rid-part-1')).status).toBe(200);
    expect((await c.details(orderId)).status).toBe(200);
    expect((await c.cancel(orderId, true)).status).toBe(200);
    const seen = traffic(orderId).filter((e) => e.kind === 'api');
    const ops = seen.map(operationOf);
    expect(ops).toEqual([OP.create, OP.capture, OP.get, OP.cancel]);
    const capture = seen[1];
    expect(idempotencyKeyOf(capture)).toBe('rid-part-1');
    expect(aggregateOf(capture.response?.body)).toMatchObject({ authorized: 49900, captured: 20000, refunded: 0, cancelled: 0 });
    expect(paymentStateOf(seen[2].response?.body)).toBe('AUTHORIZED');
    expect(aggregateOf(seen[3].response?.body)).toMatchObject({ captured: 20000, cancelled: 29900 });
    const picture = payments({ traffic: seen, flows: [flow('f', [orderId])], profile }).get(orderId)!;
    expect(picture.amount).toEqual({ value: 49900, currency: 'NOK' });
    expect(finalStateOf(picture)?.state).toBe('AUTHORIZED');
  });

  it('EC-XREQUESTID passes a lost capture retried with its X-Request-Id and fails one retried with a new id', async () => {
    const good = await reserved(49901);
    sandbox.faults.add({ match: { operation: 'capturePaymentUsingPOST', reference: good }, effect: { type: 'drop-response' }, times: 1 });
    await c.capture(good, undefined, 'rid-same').catch(() => undefined);
    expect((await c.capture(good, undefined, 'rid-same')).status).toBe(200);
    const pass = judge('EC-XREQUESTID', { traffic: traffic(good), flows: [flow('good', [good])], profile });
    expect(pass.verdict, pass.message).toBe('PASSED');
    expect(pass.message).toContain('X-Request-Id');

    const bad = await reserved(49902);
    sandbox.faults.add({ match: { operation: 'capturePaymentUsingPOST', reference: bad }, effect: { type: 'drop-response' }, times: 1 });
    await c.capture(bad, 20000, randomUUID()).catch(() => undefined);
    await c.capture(bad, 20000, randomUUID());
    const fail = judge('EC-XREQUESTID', { traffic: traffic(bad), flows: [flow('bad', [bad])], profile });
    expect(fail.verdict).toBe('FAILED');
    expect(fail.details?.join('\n')).toMatch(/capture applied twice|new X-Request-Id/);
  });

  it('EC-ENDPOINTS names each endpoint it misses; EC-HEADERS reads eCom calls like ePayment ones', async () => {
    const orderId = await reserved(49903);
    expect((await c.capture(orderId)).status).toBe(200);
    const input = { traffic: traffic(orderId), flows: [flow('f', [orderId])], profile };
    const endpoints = judge('EC-ENDPOINTS', input);
    expect(endpoints.verdict).toBe('FAILED');
    expect(endpoints.message).toMatch(/initiate PASSED/);
    expect(endpoints.message).toMatch(/full capture PASSED/);
    expect(endpoints.message).toMatch(/partial refund FAILED/);
    const headers = judge('EC-HEADERS', input);
    expect(headers.verdict, headers.message).toBe('PASSED');
    // The test-only force approve is no integration call; without the system headers, a call is.
    const bare = { Authorization: H.Authorization, 'Ocp-Apim-Subscription-Key': H['Ocp-Apim-Subscription-Key'], 'Merchant-Serial-Number': '123456' };
    const plain = initiateBody(receiver.url, { transaction: { amount: 49904 } });
    expect((await call(sandbox.url, 'POST', '/ecomm/v2/payments', { headers: bare, body: plain })).status).toBe(200);
    const missing = judge('EC-HEADERS', { traffic: traffic(plain.transaction.orderId), flows: [flow('g', [plain.transaction.orderId])], profile });
    expect(missing.verdict).toBe('WARNING');
    expect(missing.details?.join('\n')).toContain('no Vipps-System-Name');
  });

  it('EC-CALLBACK fails a callback answered after 3 s and passes a prompt one', async () => {
    const prompt = await reserved(49905);
    await waitFor(() => traffic(prompt).some((e) => e.kind === 'callback' && e.response));
    const ok = judge('EC-CALLBACK', { traffic: traffic(prompt), flows: [flow('ok', [prompt])], profile });
    expect(ok.verdict, ok.message).toBe('PASSED');

    receiver.respond = () => ({ delayMs: 3_500 });
    try {
      const slow = await reserved(49906);
      await waitFor(() => traffic(slow).some((e) => e.kind === 'callback' && (e.response || e.error)), 8000);
      const late = judge('EC-CALLBACK', { traffic: traffic(slow), flows: [flow('slow', [slow])], profile });
      expect(late.verdict).toBe('FAILED');
      expect(late.details?.join('\n')).toMatch(/not answered|limit 3 s/);
    } finally {
      receiver.respond = () => ({});
    }
  }, 20_000);

  it('an eCom integration is judged on the eCom items only', () => {
    expect(checksOfIntegration({ api: 'ecom-v2' }).every((ch) => ch.item.id.startsWith('EC-'))).toBe(true);
  });
});
