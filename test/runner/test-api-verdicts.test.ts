import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../../src/checks/index.ts';
import type { FlowEvidence } from '../../src/report/run-summary.ts';
import { EnvironmentProblem } from '../../src/shared/errors.ts';
import { provenIn, testApiResults, upstreamProblem, withoutEnvironmentBlame } from '../../src/runner/test-api-verdicts.ts';
import { environmentNote } from '../../src/traffic/environment.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const result = (item: string, verdict: ItemResult['verdict']): ItemResult => ({ item, verdict, findings: [{ item, verdict, message: `${item} ${verdict}` }] });
const flow = (id: string, checklist: string[], outcome: FlowEvidence['record']['outcome'], error?: string): FlowEvidence => ({
  record: { suite: 's', id, title: id, checklist, references: [], observations: [], startedAt: 0, endedAt: 0, outcome, ...(error ? { error } : {}) },
  results: [],
  merchantTraffic: [],
});
const exchange = (seq: number, notes?: Record<string, unknown>): Exchange =>
  ({ seq, id: `x${seq}`, kind: 'api', api: 'epayment', operation: 'getPayment', startedAt: seq, durationMs: 1, request: { method: 'GET', url: `/epayment/v1/payments/r${seq}`, path: `/epayment/v1/payments/r${seq}`, headers: {} }, ...(notes ? { notes } : {}) }) as unknown as Exchange;

describe('verdicts against the test API', () => {
  it('makes webhook items and items only sandbox-control flows exercise NOT APPLICABLE, with the reason', () => {
    const evidence = [flow('errors', ['EP-ERRORS-LOG'], 'not-applicable', 'step sandbox.fault needs the sandbox control API'), flow('order', ['EP-ORDER-CAPTURED', 'EP-IDEMPOTENCY'], 'completed'), flow('lost', ['EP-IDEMPOTENCY'], 'not-applicable', 'sandbox.fault')];
    const out = testApiResults([result('EP-ERRORS-LOG', 'FAILED'), result('WH-NOT-TRUTH', 'WARNING'), result('EP-ORDER-CAPTURED', 'PASSED'), result('EP-IDEMPOTENCY', 'WARNING')], evidence);
    expect(out.map((r) => [r.item, r.verdict])).toEqual([
      ['EP-ERRORS-LOG', 'NOT_APPLICABLE'],
      ['WH-NOT-TRUTH', 'NOT_APPLICABLE'],
      ['EP-ORDER-CAPTURED', 'PASSED'],
      // One applicable flow exercised it: its verdict stands, proven against the test API.
      ['EP-IDEMPOTENCY', 'WARNING'],
    ]);
    expect(out[0].findings[0].message).toBe('Not applicable against the test API: errors: step sandbox.fault needs the sandbox control API.');
    expect(out[1].findings[0].message).toMatch(/webhook deliveries are not observed in test-api mode/);
    // Already NOT APPLICABLE through its flow: a webhook item still says why webhooks are unseen.
    const already = testApiResults([result('WH-VERIFY-HMAC', 'NOT_APPLICABLE')], [flow('forged', ['WH-VERIFY-HMAC'], 'not-applicable', 'sandbox.forgeWebhook')]);
    expect(already[0].findings[0].message).toMatch(/^Not applicable against the test API: webhook deliveries are not observed in test-api mode/);
    expect([provenIn('PASSED', 'test-api'), provenIn('WARNING', 'sandbox'), provenIn('NOT_APPLICABLE', 'test-api'), provenIn('NOT_RUN', 'test-api')]).toEqual(['test-api', 'sandbox', undefined, undefined]);
  });

  it('judges webhook and callback items when the deliveries reached the relay, and says where they went when not', () => {
    const relay = 'https://tunnel.example';
    const api = (operation: string, body: unknown, status = 201) =>
      ({ seq: 1, id: 'r', kind: 'api', api: 'webhooks', operation, startedAt: 1, durationMs: 1, request: { method: 'POST', url: '/', path: '/', headers: {}, body }, response: { status, headers: {} } }) as unknown as Exchange;
    const results = [result('WH-ACK-FAST', 'PASSED'), result('WH-NOT-TRUTH', 'WARNING'), result('EC-CALLBACK', 'PASSED')];
    const evidence = [flow('order', ['WH-ACK-FAST', 'WH-NOT-TRUTH', 'EC-CALLBACK'], 'completed')];
    // Registered at the relay: webhook items keep their verdicts; no eCom order: its callbacks stay unseen.
    const viaRelay = testApiResults(results, evidence, { traffic: [api('registerWebhook', { url: `${relay}/webhooks/vipps` })], relayUrl: relay, api: 'epayment' });
    expect(viaRelay.map((r) => r.verdict)).toEqual(['PASSED', 'WARNING', 'NOT_APPLICABLE']);
    expect(viaRelay[2].findings[0].message).toMatch(/eCom callbacks are not observed: no order gave a callbackPrefix/);
    // Registered past the relay: not observed, naming both URLs.
    const past = testApiResults(results, evidence, { traffic: [api('registerWebhook', { url: 'https://shop.example/hooks' })], relayUrl: relay, api: 'epayment' });
    expect(past[0].verdict).toBe('NOT_APPLICABLE');
    expect(past[0].findings[0].message).toContain('the integration gave the test API https://shop.example/hooks, not the delivery relay {{relay.url}} (https://tunnel.example)');
    // A refused registration gives Vipps nothing; no registration at all says how to fix it.
    expect(testApiResults(results, evidence, { traffic: [api('registerWebhook', { url: `${relay}/h` }, 400)], relayUrl: relay })[0].findings[0].message).toMatch(/registered no webhook through golive's proxy/);
    // A relayed delivery is proof enough (a webhook registered before the run, at the relay).
    const delivered = { ...api('deliverWebhook', {}), kind: 'webhook', notes: { relayed: true } } as unknown as Exchange;
    expect(testApiResults(results, evidence, { traffic: [delivered], relayUrl: relay })[0].verdict).toBe('PASSED');
    // Run-wide delivery items listed only by a sandbox-only flow: the relayed deliveries exercised them; without any, the flow's reason stands.
    const onlySandboxFlow = [flow('forged', ['WH-ACK-FAST'], 'not-applicable', 'step sandbox.forgeWebhook needs the sandbox control API')];
    expect(testApiResults([result('WH-ACK-FAST', 'PASSED')], onlySandboxFlow, { traffic: [delivered], relayUrl: relay })[0].verdict).toBe('PASSED');
    const registeredOnly = testApiResults([result('WH-ACK-FAST', 'WARNING')], onlySandboxFlow, { traffic: [api('registerWebhook', { url: `${relay}/h` })], relayUrl: relay });
    expect(registeredOnly[0].verdict).toBe('NOT_APPLICABLE');
    expect(registeredOnly[0].findings[0].message).toMatch(/forged: step sandbox.forgeWebhook/);
    // eCom: callbackPrefix at the relay makes EC-CALLBACK and the eCom side of WH-ACK-FAST judged.
    const initiate = { ...api('initiatePaymentV3UsingPOST', { merchantInfo: { callbackPrefix: `${relay}/vipps/callback` } }, 200), api: 'ecom-v2' } as unknown as Exchange;
    expect(testApiResults(results, evidence, { traffic: [initiate], relayUrl: relay, api: 'ecom-v2' }).map((r) => r.verdict)).toEqual(['PASSED', 'WARNING', 'PASSED']);
  });

  it('judges the PSP makePayment items only when makePaymentUrl was under the relay', () => {
    const relay = 'https://tunnel.example';
    const init = (makePaymentUrl: string) =>
      ({ seq: 1, id: 'i', kind: 'api', api: 'psp-v3', operation: 'initiatePaymentV3UsingPOST', startedAt: 1, durationMs: 1, request: { method: 'POST', url: '/', path: '/', headers: {}, body: { makePaymentUrl } }, response: { status: 200, headers: {} } }) as unknown as Exchange;
    const results = [result('PSPAPI-ERRORS', 'PASSED'), result('PSPAPI-UPDATESTATUS', 'PASSED'), result('PSPAPI-INIT', 'PASSED')];
    const evidence = [flow('reserved', ['PSPAPI-ERRORS', 'PSPAPI-UPDATESTATUS', 'PSPAPI-INIT'], 'completed')];
    expect(testApiResults(results, evidence, { traffic: [init(`${relay}/vipps/make-payment`)], relayUrl: relay, api: 'psp-v2' }).map((r) => r.verdict)).toEqual(['PASSED', 'PASSED', 'PASSED']);
    const past = testApiResults(results, evidence, { traffic: [init('https://psp.example/mp')], relayUrl: relay, api: 'psp-v2' });
    expect(past.map((r) => r.verdict)).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE', 'PASSED']);
    expect(past[0].findings[0].message).toContain("Vipps's makePayment calls are not observed: the integration gave the test API as makePaymentUrl https://psp.example/mp, not the delivery relay {{relay.url}} (https://tunnel.example)");
    // No initiate, no makePayment golive missed: the items keep their verdicts (their flows say why not, if they did not run).
    expect(testApiResults(results, evidence, { traffic: [], relayUrl: relay, api: 'psp-v2' }).map((r) => r.verdict)).toEqual(['PASSED', 'PASSED', 'PASSED']);
    // A PSP initiate is no eCom order: its callbacks stay unseen.
    expect(testApiResults([result('EC-CALLBACK', 'PASSED')], evidence, { traffic: [init(`${relay}/x`)], relayUrl: relay }).map((r) => r.verdict)).toEqual(['NOT_APPLICABLE']);
  });

  it('judges the card-callback items only when the cardCallbackUrl was under the relay', () => {
    const relay = 'https://tunnel.example';
    const create = (cardCallbackUrl: string) =>
      ({ seq: 1, id: 'c', kind: 'api', api: 'epayment', operation: 'createPayment', startedAt: 1, durationMs: 1, request: { method: 'POST', url: '/', path: '/', headers: {}, body: { cardPassthrough: { pspReference: 'p1', cardCallbackUrl } } }, response: { status: 201, headers: {} } }) as unknown as Exchange;
    const results = [result('PSP-CB-RESERVE', 'PASSED'), result('PSP-CB-20S', 'PASSED'), result('PSP-UPDATE-CAPTURE', 'PASSED')];
    const evidence = [flow('card-reserved-captured', ['PSP-CB-RESERVE', 'PSP-CB-20S', 'PSP-UPDATE-CAPTURE'], 'completed')];
    expect(testApiResults(results, evidence, { traffic: [create(`${relay}/card-callback`)], relayUrl: relay, api: 'epayment-psp' }).map((r) => r.verdict)).toEqual(['PASSED', 'PASSED', 'PASSED']);
    const past = testApiResults(results, evidence, { traffic: [create('https://psp.example/cb')], relayUrl: relay, api: 'epayment-psp' });
    expect(past.map((r) => r.verdict)).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE', 'PASSED']);
    expect(past[0].findings[0].message).toContain("Vipps's card callbacks are not observed: the integration gave the test API as cardCallbackUrl https://psp.example/cb, not the delivery relay {{relay.url}} (https://tunnel.example)");
    expect(testApiResults(results, evidence, { traffic: [create('https://psp.example/cb')], api: 'epayment-psp' })[1].findings[0].message).toMatch(/PSP's cardCallbackUrl, which golive cannot see \(no relay is configured\)/);
  });

  it('a run-scoped item whose flows the test environment broke (the rest not applicable) is NOT RUN, not FAILED', () => {
    const broken = { ...flow('card-reserved-captured', ['PSP-UPDATE-CAPTURE', 'PSP-HEADERS'], 'step-failed', 'r1: no card callback reached golive'), record: { ...flow('x', [], 'step-failed').record, id: 'card-reserved-captured', checklist: ['PSP-UPDATE-CAPTURE', 'PSP-HEADERS'], error: 'r1: no card callback reached golive', environmentProblem: true } };
    const out = testApiResults([result('PSP-UPDATE-CAPTURE', 'FAILED'), result('PSP-HEADERS', 'PASSED')], [broken, flow('lost', ['PSP-UPDATE-CAPTURE'], 'not-applicable', 'sandbox.fault')]);
    expect(out.map((r) => r.verdict)).toEqual(['NOT_RUN', 'PASSED']);
    expect(out[0].findings[0].message).toBe('Not judged: the test environment broke every flow exercising it — card-reserved-captured: r1: no card callback reached golive.');
    // A flow that failed on the integration's account keeps the item judged.
    expect(testApiResults([result('PSP-UPDATE-CAPTURE', 'FAILED')], [broken, flow('other', ['PSP-UPDATE-CAPTURE'], 'step-failed', 'expected paid')])[0].verdict).toBe('FAILED');
  });

  it('turns upstream failures into an environment problem that blames nothing on the integration', () => {
    expect(upstreamProblem([exchange(1), exchange(2)])).toBeUndefined();
    const problem = upstreamProblem([exchange(1), exchange(2, environmentNote('upstream-timeout', 'no answer within 15000 ms'))])!;
    expect(problem).toBeInstanceOf(EnvironmentProblem);
    expect(problem.message).toBe("the test environment failed during this flow — not the integration's fault; rerun it: GET /epayment/v1/payments/r2: upstream-timeout (no answer within 15000 ms)");
    const out = withoutEnvironmentBlame([result('A', 'PASSED'), result('B', 'FAILED'), result('C', 'WARNING'), result('D', 'NOT_APPLICABLE')], problem);
    expect(out.map((r) => r.verdict)).toEqual(['PASSED', 'NOT_RUN', 'NOT_RUN', 'NOT_APPLICABLE']);
    expect(out[1].findings[0].message).toMatch(/^Not judged: the test environment failed during this flow/);
  });
});
