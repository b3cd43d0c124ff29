import { describe, expect, it } from 'vitest';
import { checkFor, runCheck } from '../../src/checks/index.ts';
import {
  addObservation,
  find,
  flow,
  flowInput,
  good,
  insertExchanges,
  mapExchanges,
  mapObservations,
  newTokenPerRequest,
  one,
  op,
  orderStatus,
  refOf,
  removeExchanges,
  runInput,
  sloppy,
  withHeader,
  withoutHeader,
  withProfile,
} from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const epErrorsDisplay = checkFor('EP-ERRORS-DISPLAY')!;
const epErrorsLog = checkFor('EP-ERRORS-LOG')!;
const epEventsCancelled = checkFor('EP-EVENTS-CANCELLED')!;
const epEventsCaptured = checkFor('EP-EVENTS-CAPTURED')!;
const epEventsRefunded = checkFor('EP-EVENTS-REFUNDED')!;
const epHeaders = checkFor('EP-HEADERS')!;
const epIdempotency = checkFor('EP-IDEMPOTENCY')!;
const epReceipt = checkFor('EP-RECEIPT')!;
const epStatesAborted = checkFor('EP-STATES-ABORTED')!;
const epStatesAuthorized = checkFor('EP-STATES-AUTHORIZED')!;
const epStatesCreated = checkFor('EP-STATES-CREATED')!;
const epStatesExpired = checkFor('EP-STATES-EXPIRED')!;
const epStatesTerminated = checkFor('EP-STATES-TERMINATED')!;
const epTokenCache = checkFor('EP-TOKEN-CACHE')!;
const epWebhooksAndPolling = checkFor('EP-WEBHOOKS-AND-POLLING')!;

const setPageText = (run: ReturnType<typeof good>, flowId: string, name: string, text: string) =>
  mapObservations(run, flowId, (o) => (o.type === 'page' && o.name === name ? { ...o, text } : o));

describe('EP-WEBHOOKS-AND-POLLING', () => {
  it('passes with a registration for authorized events and GET polling', () => {
    const f = epWebhooksAndPolling.evaluate(runInput(good()));
    expect(f.verdict).toBe('PASSED');
    expect(f.message).toMatch(/#2 POST \/webhooks\/v1\/webhooks/);
  });
  it('fails without any webhook channel', () => {
    const run = removeExchanges(good(), (e) => e.kind === 'webhook' || e.operation === 'registerWebhook');
    const f = epWebhooksAndPolling.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toMatch(/no webhook registration for epayments.payment.authorized.v1/);
  });
  it('fails without polling', () => {
    const f = epWebhooksAndPolling.evaluate(runInput(removeExchanges(good(), op('getPayment'))));
    expect(f).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/does not poll/) });
  });
  it('warns when aborted/expired events are not registered', () => {
    const run = mapExchanges(good(), op('registerWebhook'), (e) => ((e.request.body as any).events = ['epayments.payment.authorized.v1']));
    expect(epWebhooksAndPolling.evaluate(runInput(run))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/aborted.v1, epayments.payment.expired.v1/) });
  });
  it('fails when the order ignores the webhook while GET answers stale', () => {
    const run = good();
    addObservation(run, 'order-captured', { type: 'fault', at: flow(run, 'order-captured').startedAt, description: 'stale-read', spec: { effect: { type: 'stale-read' } } });
    orderStatus(run, 'order-captured', refOf(run, 'order-captured'), 'pending');
    expect(epWebhooksAndPolling.evaluate(runInput(run))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/stale CREATED/) });
  });
  it('fails when, with webhooks withheld and no redirect, the order never follows — GETs while pending alone are no polling', () => {
    // GETs while pending are still in the traffic (a page view or a webhook's re-read makes
    // them); what shows there is no working polling is the order staying pending.
    const run = good();
    const ref = refOf(run, 'polling-without-webhooks');
    orderStatus(run, 'polling-without-webhooks', ref, 'pending');
    const f = epWebhooksAndPolling.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toContain(`flow polling-without-webhooks (webhooks withheld, no redirect): ${ref} stayed pending after the customer approved`);
    expect(f.message).not.toMatch(/does not poll/);
    expect(epWebhooksAndPolling.evaluate(runInput(good())).details!.join('\n')).toContain(`${ref} became paid with webhooks withheld and no redirect`);
  });
});

describe('EP-STATES-*', () => {
  it('AUTHORIZED: passes when the order becomes paid', () => {
    expect(epStatesAuthorized.evaluate(flowInput(good(), 'order-captured')).message).toMatch(/acme-shop-1001-a → paid/);
  });
  it('AUTHORIZED: fails when the order stays pending after approval', () => {
    const run = good();
    mapObservations(run, 'order-captured', (o) => (o.type === 'merchant-order' && o.status === 'paid' ? { ...o, status: 'pending' } : o));
    const f = epStatesAuthorized.evaluate(flowInput(run, 'order-captured'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/merchant order shows "pending" .* after AUTHORIZED .*; expected paid/);
  });
  it('AUTHORIZED: fails when goods are booked as captured before any capture', () => {
    const run = good();
    mapObservations(run, 'order-captured', (o) => (o.type === 'merchant-order' && o.status === 'paid' ? { ...o, status: 'captured' } : o));
    expect(epStatesAuthorized.evaluate(flowInput(run, 'order-captured')).details!.join('\n')).toMatch(/no capture was made before it/);
  });
  it('AUTHORIZED: fails without any order observation (no evidence)', () => {
    const run = mapObservations(good(), 'order-captured', (o) => (o.type === 'merchant-order' ? undefined : o));
    expect(epStatesAuthorized.evaluate(flowInput(run, 'order-captured'))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/no merchant order status observed/) });
  });
  it('ABORTED: passes with a cancelled order and a clear page', () => {
    expect(epStatesAborted.evaluate(flowInput(good(), 'payment-aborted')).verdict).toBe('PASSED');
  });
  it('ABORTED: fails on a success page, a capture, or reusing the reference', () => {
    const run = good();
    const ref = refOf(run, 'payment-aborted');
    setPageText(run, 'payment-aborted', 'returnPage', 'Thank you for your order! Payment received.');
    const create = one(run, op('createPayment', ref));
    const again = { ...structuredClone(create), seq: 0, startedAt: flow(run, 'payment-aborted').endedAt, idempotencyKey: 'another-key' };
    insertExchanges(run, [again]);
    const f = epStatesAborted.evaluate(flowInput(run, 'payment-aborted'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(/shows success for a payment that did not go through/);
    expect(f.details!.join('\n')).toMatch(/reference reused for a new payment attempt after ABORTED/);
  });
  it('EXPIRED: passes with an expired order; fails when it stays pending', () => {
    const run = good();
    expect(epStatesExpired.evaluate(flowInput(run, 'payment-expired')).verdict).toBe('PASSED');
    orderStatus(run, 'payment-expired', refOf(run, 'payment-expired'), 'pending');
    expect(epStatesExpired.evaluate(flowInput(run, 'payment-expired')).verdict).toBe('FAILED');
  });
  it('EXPIRED: fails in a flow where nothing expired (no evidence)', () => {
    expect(epStatesExpired.evaluate(flowInput(good(), 'order-captured'))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/No payment in this flow reached EXPIRED/) });
  });
  it('TERMINATED: passes; fails when the order shows "failed"; warns without a later GET', () => {
    const run = good();
    const ref = refOf(run, 'payment-terminated');
    expect(epStatesTerminated.evaluate(flowInput(run, 'payment-terminated')).verdict).toBe('PASSED');
    const cancel = one(run, op('cancelPayment', ref));
    removeExchanges(run, (e) => e.operation === 'getPayment' && e.reference === ref && e.startedAt > cancel.startedAt);
    expect(epStatesTerminated.evaluate(flowInput(run, 'payment-terminated')).verdict).toBe('WARNING');
    orderStatus(run, 'payment-terminated', ref, 'failed', 'last');
    expect(epStatesTerminated.evaluate(flowInput(run, 'payment-terminated')).verdict).toBe('FAILED');
    expect(runCheck(epStatesTerminated, flowInput(withProfile(run, { capabilities: { cancel: false } }), 'payment-terminated')).verdict).toBe('NOT_APPLICABLE');
  });
  it('CREATED: passes when the early return page says pending', () => {
    expect(epStatesCreated.evaluate(flowInput(good(), 'return-while-created')).verdict).toBe('PASSED');
  });
  it('CREATED: fails when the early return page shows a failure', () => {
    const run = setPageText(good(), 'return-while-created', 'returnPage', 'The payment failed. Please try again.');
    const f = epStatesCreated.evaluate(flowInput(run, 'return-while-created'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/shows a failure while the payment is still CREATED/);
  });
  it('CREATED: fails when nothing was observed while CREATED, and on the sloppy login wall', () => {
    expect(epStatesCreated.evaluate(flowInput(good(), 'order-refunded')).verdict).toBe('FAILED');
    expect(epStatesCreated.evaluate(flowInput(sloppy(), 'return-while-created')).details!.join('\n')).toMatch(/asks to log in/);
  });
});

describe('EP-EVENTS-*', () => {
  it('CAPTURED: passes when the order shows the capture', () => {
    expect(epEventsCaptured.evaluate(flowInput(good(), 'partial-capture-and-refund')).message).toMatch(/every CAPTURED event \(2 modifications\)/);
  });
  it('CAPTURED: fails when the order does not follow, and on double booking', () => {
    const run = good();
    orderStatus(run, 'order-captured', refOf(run, 'order-captured'), 'paid', 'last');
    const f = epEventsCaptured.evaluate(flowInput(run, 'order-captured'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/merchant order shows "paid", expected captured/);
    expect(epEventsCaptured.evaluate(flowInput(sloppy(), 'webhook-duplicate')).details![0]).toMatch(/books captured 60000 \(API: 30000\)/);
  });
  it('CAPTURED: warns when one of several captures was not followed by an observation', () => {
    const run = good();
    const ref = refOf(run, 'partial-capture-and-refund');
    const [first, second] = find(run, op('capturePayment', ref));
    mapObservations(run, 'partial-capture-and-refund', (o) => (o.type === 'merchant-order' && o.at > first.startedAt && o.at < second.startedAt ? undefined : o));
    expect(epEventsCaptured.evaluate(flowInput(run, 'partial-capture-and-refund')).verdict).toBe('WARNING');
  });
  it('REFUNDED: passes; fails when a partial refund is shown as a full one', () => {
    const run = good();
    expect(epEventsRefunded.evaluate(flowInput(run, 'partial-capture-and-refund')).verdict).toBe('PASSED');
    mapObservations(run, 'partial-capture-and-refund', (o) => (o.type === 'merchant-order' && o.status === 'partially-refunded' ? { ...o, status: 'refunded' } : o));
    expect(epEventsRefunded.evaluate(flowInput(run, 'partial-capture-and-refund')).details![0]).toMatch(/shows "refunded", expected partially-refunded/);
  });
  it('CANCELLED: passes; fails when the order still reads paid', () => {
    const run = good();
    expect(epEventsCancelled.evaluate(flowInput(run, 'order-cancelled')).verdict).toBe('PASSED');
    orderStatus(run, 'order-cancelled', refOf(run, 'order-cancelled'), 'paid', 'last');
    expect(epEventsCancelled.evaluate(flowInput(run, 'order-cancelled')).verdict).toBe('FAILED');
  });
  it('CANCELLED: a cancel before approval is a state, not the event', () => {
    expect(epEventsCancelled.evaluate(flowInput(good(), 'payment-terminated'))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/No cancel of an authorized payment/) });
  });
});

describe('EP-ERRORS-LOG', () => {
  it('passes when every API error is in the merchant’s log', () => {
    expect(epErrorsLog.evaluate(runInput(good()))).toMatchObject({ verdict: 'PASSED', message: expect.stringMatching(/All 4 API errors/) });
  });
  it('asks a person to review when no log is exposed, listing the errors', () => {
    const run = mapObservations(good(), 'admin-history', (o) => (o.type === 'page' && o.name === 'error-log' ? undefined : o));
    const f = epErrorsLog.evaluate(runInput(run));
    expect(f.verdict).toBe('REVIEW');
    expect(f.details!.join('\n')).toMatch(/POST \/epayment\/v1\/payments → 500 \(fault http-500-3010\), code 3010, traceId 00-/);
  });
  it('fails when an error is missing from the log', () => {
    const run = good();
    const err = one(run, (e) => e.fault === 'http-500-3010');
    const trace = (err.response!.body as { traceId: string }).traceId;
    mapObservations(run, 'admin-history', (o) => (o.type === 'page' && o.name === 'error-log' ? { ...o, text: o.text.split('\n').filter((l) => !l.includes(trace)).join('\n') } : o));
    const f = epErrorsLog.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details).toHaveLength(1);
    expect(f.details![0]).toMatch(new RegExp(`^#${err.seq} POST /epayment/v1/payments → 500 .*: not found in the merchant log \\(error-log page\\)$`));
  });
  it('fails when no error happened at all', () => {
    const run = removeExchanges(good(), (e) => e.kind === 'api' && (!e.response || e.response.status >= 400));
    expect(epErrorsLog.evaluate(runInput(run)).verdict).toBe('FAILED');
  });
});

describe('EP-ERRORS-DISPLAY', () => {
  it('passes when the customer sees a readable error', () => {
    expect(epErrorsDisplay.evaluate(flowInput(good(), 'errors-on-create')).verdict).toBe('PASSED');
  });
  it('fails on raw JSON / stack traces', () => {
    const f = epErrorsDisplay.evaluate(flowInput(sloppy(), 'errors-on-create'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/checkout page after #\d+ POST \/epayment\/v1\/payments → 500 \(fault http-500-3010\): shows raw JSON/);
  });
  it('fails on fake success and on a missing page', () => {
    const run = setPageText(good(), 'errors-on-create', 'checkout', 'Thank you for your order! Your payment is complete.');
    expect(epErrorsDisplay.evaluate(flowInput(run, 'errors-on-create')).details![0]).toMatch(/shows success although the call failed/);
    const none = mapObservations(good(), 'errors-on-create', (o) => (o.type === 'page' && o.name === 'checkout' ? undefined : o));
    expect(epErrorsDisplay.evaluate(flowInput(none, 'errors-on-create')).details![0]).toMatch(/no page was observed afterwards/);
  });
  describe('with an API checkout (the integration answers JSON, its front end shows the error field)', () => {
    // The checkout observation becomes the shop's HTTP answer instead of a rendered page.
    const answered = (status: number, text: string) =>
      mapObservations(good(), 'errors-on-create', (o) => (o.type === 'page' && o.name === 'checkout' ? { ...o, url: '', status, text, answer: true } : o));
    it('passes a readable error, also in a 502 answer', () => {
      const f = epErrorsDisplay.evaluate(flowInput(answered(502, JSON.stringify({ error: 'payment could not be created: Vipps MobilePay is not available right now, please try again' })), 'errors-on-create'));
      expect(f.verdict).toBe('PASSED');
      expect(epErrorsDisplay.evaluate(flowInput(answered(422, JSON.stringify({ error: { message: 'The payment could not be started. Please try again.' } })), 'errors-on-create')).verdict).toBe('PASSED');
    });
    it('fails a fake success (2xx without an error), an answer with nothing readable, and raw material in the message', () => {
      const fake = epErrorsDisplay.evaluate(flowInput(answered(201, JSON.stringify({ reference: 'sdk-1', status: 'reserved', redirectUrl: 'https://x/landing' })), 'errors-on-create'));
      expect(fake.verdict).toBe('FAILED');
      expect(fake.details![0]).toMatch(/answered HTTP 201 with no error: the customer is told it went through/);
      expect(epErrorsDisplay.evaluate(flowInput(answered(500, 'Internal Server Error'), 'errors-on-create')).details![0]).toMatch(/without a readable error message/);
      expect(epErrorsDisplay.evaluate(flowInput(answered(502, JSON.stringify({ error: 'TypeError: Cannot read properties of undefined' })), 'errors-on-create')).details![0]).toMatch(/shows a programming error/);
    });
  });
  it('warns when every error was recovered from, and fails in a flow without errors', () => {
    expect(epErrorsDisplay.evaluate(flowInput(good(), 'token-rejected')).verdict).toBe('WARNING');
    expect(epErrorsDisplay.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('FAILED');
  });
});

describe('EP-HEADERS', () => {
  it('passes when all requests carry the four system headers and the MSN', () => {
    expect(epHeaders.evaluate(runInput(good())).message).toMatch(/Name=acme-shop, Version=2.4.1, Plugin-Name=acme-vipps, Plugin-Version=1.3.0/);
  });
  it('warns a direct merchant and fails a partner for a missing header, one line per request', () => {
    const run = withoutHeader(good(), 'Vipps-System-Plugin-Version', op('fetchAuthorizationTokenUsingPost'));
    const f = epHeaders.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details).toEqual(find(run, op('fetchAuthorizationTokenUsingPost')).map((e) => `#${e.seq} POST /accesstoken/get: no Vipps-System-Plugin-Version`));
    expect(epHeaders.evaluate(runInput(withProfile(run, { kind: 'partner' }))).verdict).toBe('FAILED');
  });
  it('fails a foreign MSN for everyone', () => {
    const run = withHeader(good(), 'Merchant-Serial-Number', '654321', op('capturePayment', 'acme-shop-1001-a'));
    const f = epHeaders.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/Merchant-Serial-Number 654321 is not the merchant's MSN 123456/);
  });
  it('flags over-long and unstable values', () => {
    const run = withHeader(good(), 'Vipps-System-Version', '2.4.2', op('refundPayment'));
    withHeader(run, 'Vipps-System-Name', 'acme-shop-with-a-very-long-system-name', op('getPaymentEventLog'));
    const f = epHeaders.evaluate(runInput(run));
    expect(f.details!.join('\n')).toMatch(/Vipps-System-Name is 38 characters \(max 30\)/);
    expect(f.details!.join('\n')).toMatch(/Vipps-System-Version is not stable across requests: "2.4.1" \(\d+×, first #1\), "2.4.2"/);
  });
  it("reads over-long values from the sandbox's notes where the record keeps no header value", () => {
    const run = mapExchanges(withoutHeader(good(), 'Vipps-System-Name', op('getPaymentEventLog')), op('getPaymentEventLog'), (e) => {
      e.notes = { ...e.notes, systemHeaderTooLong: ['Vipps-System-Name'] };
    });
    const f = epHeaders.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details!.join('\n')).toMatch(/Vipps-System-Name is over 30 characters \(max 30; the sandbox noted it\)/);
    expect(f.details!.join('\n')).not.toMatch(/no Vipps-System-Name/);
  });
  it('lets partners leave the MSN out on Webhooks API calls only', () => {
    const run = withProfile(withoutHeader(good(), 'Merchant-Serial-Number', op('registerWebhook')), { kind: 'partner' });
    expect(epHeaders.evaluate(runInput(run)).verdict).toBe('PASSED');
    withoutHeader(run, 'Merchant-Serial-Number', op('getPayment', 'acme-shop-1001-a'));
    expect(epHeaders.evaluate(runInput(run)).verdict).toBe('FAILED');
  });
});

describe('EP-RECEIPT', () => {
  it('passes when every authorized payment carries a valid receipt', () => {
    expect(epReceipt.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns without receipts, fails under content monitoring', () => {
    const run = mapExchanges(good(), op('createPayment'), (e) => delete (e.request.body as any).receipt);
    expect(epReceipt.evaluate(runInput(run)).verdict).toBe('WARNING');
    expect(epReceipt.evaluate(runInput(withProfile(run, { capabilities: { contentMonitored: true } }))).verdict).toBe('FAILED');
  });
  it('flags receipts whose lines do not add up', () => {
    const run = mapExchanges(good(), op('createPayment', 'acme-shop-1001-a'), (e) => {
      const line = (e.request.body as any).receipt.orderLines[0];
      Object.assign(line, { totalAmount: 100, totalAmountExcludingTax: 80, totalTaxAmount: 20, taxRate: 2500 });
    });
    expect(epReceipt.evaluate(runInput(run)).details![0]).toMatch(/order lines add up to 100, the payment amount is 49900/);
  });
  it('flags order lines whose own amounts do not add up or miss their tax rate', () => {
    const run = mapExchanges(good(), op('createPayment', 'acme-shop-1001-a'), (e) => {
      const line = (e.request.body as any).receipt.orderLines[0];
      line.totalTaxAmount += 10;
    });
    expect(epReceipt.evaluate(runInput(run)).details![0]).toMatch(/totalAmountExcludingTax \d+ \+ totalTaxAmount \d+ ≠ totalAmount/);
    const wrongRate = mapExchanges(good(), op('createPayment', 'acme-shop-1001-a'), (e) => {
      const line = (e.request.body as any).receipt.orderLines[0];
      line.taxRate = line.taxRate === 1500 ? 2500 : 1500;
    });
    expect(epReceipt.evaluate(runInput(wrongRate)).details![0]).toMatch(/totalTaxAmount \d+ is not (15|25) % of/);
  });
  it('is not applicable for PSPs', () => {
    expect(runCheck(epReceipt, runInput(withProfile(good(), { kind: 'psp' }))).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-IDEMPOTENCY', () => {
  it('passes when a lost capture is retried with the same key', () => {
    const f = epIdempotency.evaluate(runInput(good()));
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/retried #\d+ POST \/epayment\/v1\/payments\/acme-shop-1011-a\/capture → no answer .* with the same key/);
  });
  it('fails a capture applied twice (retry with a new key after a lost answer)', () => {
    const f = epIdempotency.evaluate(runInput(sloppy()));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(/capture applied twice/);
  });
  it('fails a missing key and a key reused for another operation', () => {
    const run = withoutHeader(good(), 'Idempotency-Key', op('refundPayment', 'acme-shop-1002-a'));
    const createKey = one(run, op('createPayment', 'acme-shop-1001-a')).idempotencyKey!;
    withHeader(run, 'Idempotency-Key', createKey, op('capturePayment', 'acme-shop-1001-a'));
    const lines = epIdempotency.evaluate(runInput(run)).details!.join('\n');
    expect(lines).toMatch(/refund: no Idempotency-Key/);
    expect(lines).toMatch(new RegExp(`key ${createKey} reused for a different operation \\(createPayment acme-shop-1001-a vs capturePayment acme-shop-1001-a\\)`));
  });
  it('warns when no retry was exercised', () => {
    const run = removeExchanges(good(), (e) => e.flowId === 'capture-lost-response');
    expect(epIdempotency.evaluate(runInput(run))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/no retry was exercised/) });
  });
  it('warns when a lost answer is never resolved', () => {
    const run = good();
    const lost = one(run, (e) => e.fault === 'drop-response');
    removeExchanges(run, (e) => e.reference === lost.reference && e.startedAt > lost.startedAt && e.kind === 'api');
    expect(epIdempotency.evaluate(runInput(run)).details!.join('\n')).toMatch(/never retried and the payment was not read afterwards/);
  });
});

describe('EP-TOKEN-CACHE', () => {
  it('passes when one token serves many calls and a 401 leads to a new token and a retry', () => {
    const f = epTokenCache.evaluate(runInput(good()));
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/→ 401: new token .* and retry/);
  });
  it('fails a new token per request (fingerprints)', () => {
    const f = epTokenCache.evaluate(runInput(newTokenPerRequest(good())));
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toMatch(/a new token for \(nearly\) every request/);
    expect(epTokenCache.evaluate(runInput(sloppy())).verdict).toBe('FAILED');
  });
  it('warns when a 401 is retried with the same token', () => {
    const run = good();
    const rejected = one(run, (e) => e.response?.status === 401);
    const refetch = find(run, op('fetchAuthorizationTokenUsingPost')).find((e) => e.startedAt > rejected.startedAt)!;
    removeExchanges(run, (e) => e.seq === refetch.seq);
    const old = rejected.request.headers.authorization as string;
    withHeader(run, 'Authorization', old, (e) => e.kind === 'api' && e.startedAt > rejected.startedAt);
    expect(epTokenCache.evaluate(runInput(run)).details!.join('\n')).toMatch(/→ 401: retried as .* without fetching a new token/);
  });
  it('takes a busy poller\'s call already on its way with the old token for what it is, not for the retry', () => {
    const run = good();
    const rejected = one(run, (e) => e.response?.status === 401);
    // Another GET of the same payment with the old token, between the 401 and the new token.
    const inFlight = { ...structuredClone(rejected), seq: 0, id: 'in-flight-poll', startedAt: rejected.startedAt + 1, response: { ...structuredClone(rejected.response!), status: 200 } };
    insertExchanges(run, [inFlight]);
    const f = epTokenCache.evaluate(runInput(run));
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/→ 401: new token .* and retry/);
  });
  it('warns about repeated refreshes long before expiry', () => {
    const run = good();
    const token = one(run, op('fetchAuthorizationTokenUsingPost'));
    const copies = [60_000, 120_000].map((ms, i) => ({ ...structuredClone(token), seq: 0, id: `extra-${i}`, startedAt: token.startedAt + ms }));
    insertExchanges(run, copies);
    expect(epTokenCache.evaluate(runInput(run))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/token refreshes long before the previous token expired/) });
  });
});

