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
  one,
  op,
  orderStatus,
  refOf,
  removeExchanges,
  runInput,
  sloppy,
  withProfile,
} from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const ep429Backoff = checkFor('EP-429-BACKOFF')!;
const epCancelRemainder = checkFor('EP-CANCEL-REMAINDER')!;
const epCaptureOnDelivery = checkFor('EP-CAPTURE-ON-DELIVERY')!;
const epCustomerPresent = checkFor('EP-CUSTOMER-PRESENT')!;
const epDesign = checkFor('EP-DESIGN')!;
const epNoIframe = checkFor('EP-NO-IFRAME')!;
const epNordic = checkFor('EP-NORDIC')!;
const epPolling = checkFor('EP-POLLING')!;
const epRedirect = checkFor('EP-REDIRECT')!;
const epReference = checkFor('EP-REFERENCE')!;
const epSupport = checkFor('EP-SUPPORT')!;
const epTimeoutWait = checkFor('EP-TIMEOUT-WAIT')!;

describe('EP-REFERENCE', () => {
  it('passes readable, unique references', () => {
    expect(epReference.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('fails digits-only, too short references', () => {
    const f = epReference.evaluate(runInput(sloppy()));
    expect(f.verdict).toBe('FAILED');
    expect(f.details).toContain('"1001" (#6 POST /epayment/v1/payments): digits only');
  });
  it('fails leading zeros and reuse; warns on a bare UUID', () => {
    const run = mapExchanges(good(), op('createPayment', 'acme-shop-1001-a'), (e) => ((e.request.body as any).reference = '0815-order-1'));
    expect(epReference.evaluate(runInput(run)).details!.join('\n')).toMatch(/"0815-order-1" .*: leading zero/);
    const uuidRun = mapExchanges(good(), op('createPayment', 'acme-shop-1001-a'), (e) => ((e.request.body as any).reference = '6f1c2a52-7b0e-4c3d-9a8e-1f2b3c4d5e6f'));
    expect(epReference.evaluate(runInput(uuidRun))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/a bare UUID/) });
    const reuse = good();
    const create = one(reuse, op('createPayment', 'acme-shop-1001-a'));
    insertExchanges(reuse, [{ ...structuredClone(create), seq: 0, startedAt: create.startedAt + 600_000, idempotencyKey: 'new-key', request: { ...structuredClone(create.request), headers: { ...create.request.headers, 'idempotency-key': 'new-key' } } }]);
    expect(epReference.evaluate(runInput(reuse)).details!.join('\n')).toMatch(/"acme-shop-1001-a": reused for a new payment attempt/);
  });
});

describe('EP-POLLING', () => {
  it('passes when the order is paid by polling alone, within the guidelines', () => {
    const f = epPolling.evaluate(flowInput(good(), 'polling-without-webhooks'));
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/order paid .* after approval, via \d+ GETs \(notifications withheld, no redirect\)/);
  });
  it('fails when the order never becomes paid without webhooks', () => {
    const run = good();
    orderStatus(run, 'polling-without-webhooks', refOf(run, 'polling-without-webhooks'), 'pending');
    expect(epPolling.evaluate(flowInput(run, 'polling-without-webhooks')).details![0]).toMatch(/the order never became paid \(last status: pending\)/);
  });
  it('fails without any GET', () => {
    expect(epPolling.evaluate(flowInput(removeExchanges(good(), op('getPayment')), 'polling-without-webhooks')).verdict).toBe('FAILED');
  });
  it('warns about hammering: first GET too early, intervals under 1 s', () => {
    const f = epPolling.evaluate(flowInput(sloppy(), 'polling-without-webhooks'));
    expect(f.verdict).toBe('WARNING');
    expect(f.details!.join('\n')).toMatch(/first GET .* after the create answer \(guideline: start ≈5 s after create\)/);
    expect(f.details!.join('\n')).toMatch(/only 4\d\d ms after/);
  });
  it('warns when polling goes on long after the final state', () => {
    const run = good();
    const ref = refOf(run, 'polling-without-webhooks');
    const last = find(run, op('getPayment', ref)).pop()!;
    insertExchanges(run, [90_000, 92_000, 94_000].map((ms, i) => ({ ...structuredClone(last), seq: 0, id: `late-${i}`, startedAt: last.startedAt + ms })));
    expect(epPolling.evaluate(flowInput(run, 'polling-without-webhooks')).details!.join('\n')).toMatch(/still polled 3 times more than 60 s after it became AUTHORIZED/);
  });
  it('warns when the flow never withheld webhooks and the redirect (reliance on polling not proven)', () => {
    expect(epPolling.evaluate(flowInput(good(), 'order-captured'))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/not proven/) });
  });
});

describe('EP-REDIRECT', () => {
  it('passes when fresh-browser return pages show the right outcome', () => {
    for (const id of ['order-captured', 'payment-aborted', 'return-while-created']) expect(epRedirect.evaluate(flowInput(good(), id)).verdict, id).toBe('PASSED');
  });
  it('fails a login wall and warns about a returnUrl without identifier', () => {
    const f = epRedirect.evaluate(flowInput(sloppy(), 'order-captured'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(/returnUrl carries no identifier/);
    expect(f.details!.join('\n')).toMatch(/answered HTTP 401/);
  });
  it('fails a failure page for a paid payment; warns when still pending', () => {
    const run = mapObservations(good(), 'order-captured', (o) => (o.type === 'page' && o.name === 'returnPage' ? { ...o, text: 'The payment failed. Please try again.' } : o));
    expect(epRedirect.evaluate(flowInput(run, 'order-captured')).details![0]).toMatch(/\(AUTHORIZED\): returnPage .* shows a failure for a payment that succeeded/);
    const pending = mapObservations(good(), 'order-captured', (o) => (o.type === 'page' && o.name === 'returnPage' ? { ...o, text: 'Waiting for payment confirmation…' } : o));
    expect(epRedirect.evaluate(flowInput(pending, 'order-captured')).verdict).toBe('WARNING');
  });
  it('fails without a fresh-browser page', () => {
    const run = mapObservations(good(), 'order-captured', (o) => (o.type === 'page' && o.freshBrowser ? { ...o, freshBrowser: false } : o));
    expect(epRedirect.evaluate(flowInput(run, 'order-captured')).verdict).toBe('FAILED');
  });
  it('leaves a wrong outcome that the checkout browser (with the session) showed too to EP-STATES-*', () => {
    const pending = 'Waiting for your payment. Please approve it in the Vipps app.';
    const stillPending = () => mapObservations(good(), 'payment-aborted', (o) => (o.type === 'page' && o.freshBrowser ? { ...o, text: pending } : o));
    const ref = refOf(good(), 'payment-aborted');
    const at = flow(good(), 'payment-aborted').observations.find((o) => o.type === 'merchant-order')!.at;
    const sessionPage = (text: string) => ({ type: 'page' as const, at, name: 'returnPage', url: `https://shop.example/order/return?reference=${ref}`, status: 200, text, reference: ref });
    // Alone, "pending" after ABORTED in the fresh browser is a warning (as before).
    expect(epRedirect.evaluate(flowInput(stillPending(), 'payment-aborted')).verdict).toBe('WARNING');
    // The checkout's own browser said the same: the page does not depend on the session.
    const same = epRedirect.evaluate(flowInput(addObservation(stillPending(), 'payment-aborted', sessionPage(pending)), 'payment-aborted'));
    expect(same.verdict).toBe('PASSED');
    expect(same.message).toMatch(/worked without a session; 1 page showed an outcome the payment's state does not explain/);
    expect(same.details!.join('\n')).toMatch(/shows the same pending as the returnPage page in the checkout's own browser — not a session problem; .* EP-STATES-ABORTED/);
    // With the session it said "cancelled": the fresh browser differs, which is the redirect's problem.
    const differs = addObservation(stillPending(), 'payment-aborted', sessionPage('The payment was cancelled. Your order was not completed.'));
    expect(epRedirect.evaluate(flowInput(differs, 'payment-aborted')).verdict).toBe('WARNING');
  });
});

describe('EP-NO-IFRAME', () => {
  it('passes when the redirectUrl is opened unchanged and top-level', () => {
    expect(epNoIframe.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('PASSED');
  });
  it('warns when rewritten, framed, or not observed', () => {
    const run = mapObservations(good(), 'order-captured', (o) => (o.type === 'navigation' ? { ...o, actual: `${o.expected}&lang=en`, topLevel: false } : o));
    const f = epNoIframe.evaluate(flowInput(run, 'order-captured'));
    expect(f.verdict).toBe('WARNING');
    expect(f.details).toHaveLength(2);
    expect(epNoIframe.evaluate(flowInput(good(), 'nordic-customer')).verdict).toBe('WARNING'); // PUSH_MESSAGE: no navigation
  });
  it('is not applicable when the checkout is the integration\'s HTTP API (no browser checkout)', () => {
    const api = mapObservations(good(), 'order-captured', (o) => (o.type === 'navigation' ? { type: 'checkout', at: o.at, via: 'http' } : o));
    const f = epNoIframe.evaluate(flowInput(api, 'order-captured'));
    expect(f.verdict).toBe('NOT_APPLICABLE');
    expect(f.message).toMatch(/HTTP API, not a page/);
    // A browser checkout that opened nothing still has no evidence.
    const browser = mapObservations(good(), 'order-captured', (o) => (o.type === 'navigation' ? { type: 'checkout', at: o.at, via: 'browser' } : o));
    expect(epNoIframe.evaluate(flowInput(browser, 'order-captured')).verdict).toBe('WARNING');
  });
});

describe('EP-TIMEOUT-WAIT', () => {
  it('passes when the integration waits for expiry and honours a late approval', () => {
    expect(epTimeoutWait.evaluate(flowInput(good(), 'payment-expired')).verdict).toBe('PASSED');
    expect(epTimeoutWait.evaluate(flowInput(good(), 'late-approval')).details!.join('\n')).toMatch(/late approval after 9\.\d min completed the order \(paid\)/);
  });
  it('warns on a cancel of a CREATED payment long before expiry', () => {
    const run = good();
    const ref = refOf(run, 'payment-expired');
    const create = one(run, op('createPayment', ref));
    const cancel = structuredClone(one(run, op('cancelPayment', 'acme-shop-1007-a')));
    Object.assign(cancel, { seq: 0, reference: ref, flowId: 'payment-expired', startedAt: create.startedAt + 60_000 });
    cancel.request.path = cancel.request.url = `/epayment/v1/payments/${ref}/cancel`;
    (cancel.response!.body as any).reference = ref;
    insertExchanges(run, [cancel]);
    const f = epTimeoutWait.evaluate(flowInput(run, 'payment-expired'));
    expect(f.verdict).toBe('WARNING');
    expect(f.details![0]).toMatch(/cancelled the payment 60 s after create, before it could expire \(9\.0 min left\)/);
  });
  it('warns when a late approval does not complete the order, and when no one waited', () => {
    const run = good();
    const ref = refOf(run, 'late-approval');
    const created = one(run, op('createPayment', ref)).startedAt;
    addObservation(run, 'late-approval', { type: 'merchant-order', at: created + 120_000, reference: ref, status: 'failed' });
    orderStatus(run, 'late-approval', ref, 'failed');
    const f = epTimeoutWait.evaluate(flowInput(run, 'late-approval'));
    expect(f.details!.join('\n')).toMatch(/order shown as "failed" .* while the payment was still CREATED/);
    expect(f.details!.join('\n')).toMatch(/approved late .* but the order never became paid/);
    expect(epTimeoutWait.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('WARNING');
  });
});

describe('EP-CAPTURE-ON-DELIVERY', () => {
  it('passes when every capture follows a ship action', () => {
    expect(epCaptureOnDelivery.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns on captures made automatically on authorization, unless delivery is instant', () => {
    const f = epCaptureOnDelivery.evaluate(runInput(sloppy()));
    expect(f.verdict).toBe('WARNING');
    expect(f.details![0]).toMatch(/captured .* after authorization .* with no delivery\/ship action in between/);
    expect(epCaptureOnDelivery.evaluate(runInput(withProfile(sloppy(), { capabilities: { instantDelivery: true } }))).verdict).toBe('PASSED');
    expect(runCheck(epCaptureOnDelivery, runInput(withProfile(good(), { capabilities: { capture: false } }))).verdict).toBe('NOT_APPLICABLE');
  });
  it('does not let a ship action for another payment explain a capture (runs record no flowId on merchant calls)', () => {
    // Real runs: merchant-actor exchanges carry the reference but no flowId. Here the ship before
    // acme-shop-1001-a's capture is for another order, so that capture had no delivery action.
    const run = mapExchanges(good(), (e) => e.kind === 'merchant', (e) => delete e.flowId);
    mapExchanges(run, (e) => e.kind === 'merchant' && e.request.path === '/admin/orders/acme-shop-1001-a/ship', (e) => {
      e.reference = 'acme-shop-1002-a';
      e.request.path = '/admin/orders/acme-shop-1002-a/ship';
    });
    const f = epCaptureOnDelivery.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details![0]).toMatch(/^acme-shop-1001-a: .* with no delivery\/ship action in between/);
    // Unchanged, the same run without flowIds passes: each ship names its payment.
    expect(epCaptureOnDelivery.evaluate(runInput(mapExchanges(good(), (e) => e.kind === 'merchant', (e) => delete e.flowId))).verdict).toBe('PASSED');
  });
});

describe('EP-CANCEL-REMAINDER', () => {
  it('passes when the rest of a partially captured payment is cancelled', () => {
    expect(epCancelRemainder.evaluate(runInput(good())).details![0]).toMatch(/captured 80000 of 100000, rest 20000 released by the integration/);
  });
  it('warns when the remainder stays reserved', () => {
    // As if the merchant never cancelled: no cancel call, and the API's aggregates show nothing cancelled.
    const run = removeExchanges(good(), op('cancelPayment', 'acme-shop-1004-a'));
    mapExchanges(run, (e) => e.reference === 'acme-shop-1004-a' && (e.response?.body as any)?.aggregate !== undefined, (e) => ((e.response!.body as any).aggregate.cancelledAmount.value = 0));
    const f = epCancelRemainder.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details![0]).toMatch(/never cancelled — 20000 still reserved/);
  });
});

describe('EP-CUSTOMER-PRESENT', () => {
  it('is not applicable unless the profile sells in store', () => {
    expect(runCheck(epCustomerPresent, runInput(good())).verdict).toBe('NOT_APPLICABLE');
  });
  it('warns when in-store creates lack CUSTOMER_PRESENT, passes when they send it', () => {
    const run = withProfile(good(), { capabilities: { inStore: ['PUSH_MESSAGE'] } });
    expect(epCustomerPresent.evaluate(runInput(run)).verdict).toBe('WARNING');
    mapExchanges(run, op('createPayment', 'acme-shop-1018-a'), (e) => ((e.request.body as any).customerInteraction = 'CUSTOMER_PRESENT'));
    expect(epCustomerPresent.evaluate(runInput(run)).verdict).toBe('PASSED');
  });
});

describe('EP-429-BACKOFF', () => {
  it('passes when the next call waits', () => {
    expect(ep429Backoff.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns on an immediate retry and when no 429 was exercised', () => {
    expect(ep429Backoff.evaluate(runInput(sloppy())).details![0]).toMatch(/→ 429, then #\d+ GET .* after only \d+ ms \(wait ≥ 1\.0 s\)/);
    expect(ep429Backoff.evaluate(runInput(removeExchanges(good(), (e) => e.response?.status === 429))).verdict).toBe('WARNING');
  });
});

describe('EP-DESIGN / EP-SUPPORT (manual)', () => {
  it('never pass: REVIEW with the evidence a person needs', () => {
    const design = epDesign.evaluate(runInput(good()));
    expect(design.verdict).toBe('REVIEW');
    expect(design.details!.join('\n')).toMatch(/screenshot screenshots\/acme-shop-1001-a-landing.png/);
    const support = epSupport.evaluate(runInput(good()));
    expect(support.verdict).toBe('REVIEW');
    expect(support.details!.join('\n')).toMatch(/admin .* shows acme-shop-1001-a, state "AUTHORIZED", amounts/);
  });
  it('say what is missing when nothing was recorded', () => {
    const run = good();
    for (const f of run.flows) f.observations = f.observations.filter((o) => o.type !== 'page');
    expect(epDesign.evaluate(runInput(run)).message).toMatch(/no screenshot/);
    expect(epSupport.evaluate(runInput(run)).message).toMatch(/no admin\/support page was observed/);
  });
});

describe('EP-NORDIC', () => {
  it('passes when a Danish customer can pay', () => {
    expect(epNordic.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns on numbers without country code, and when only Norwegian numbers were tried', () => {
    const run = mapExchanges(good(), op('createPayment', 'acme-shop-1018-a'), (e) => ((e.request.body as any).customer.phoneNumber = '40123456'));
    expect(epNordic.evaluate(runInput(run)).details![0]).toMatch(/"40123456" has no country code/);
    const no = mapExchanges(good(), op('createPayment', 'acme-shop-1018-a'), (e) => ((e.request.body as any).customer.phoneNumber = '4791234567'));
    expect(epNordic.evaluate(runInput(no))).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/Only Norwegian numbers/) });
  });
  it('asks for review when no number is ever prefilled', () => {
    const run = mapExchanges(good(), op('createPayment'), (e) => delete (e.request.body as any).customer);
    expect(epNordic.evaluate(runInput(run)).verdict).toBe('REVIEW');
  });
  it('does not count the test customer golive handed the shop (a push to {{phoneNumber}}) as the shop\'s choice', () => {
    const norwegianOnly = mapExchanges(good(), op('createPayment'), (e) => {
      if ((e.request.body as any).customer) (e.request.body as any).customer.phoneNumber = '4791234567';
    });
    expect(epNordic.evaluate(runInput(norwegianOnly)).verdict).toBe('WARNING');
    const input = runInput(norwegianOnly);
    expect(epNordic.evaluate({ ...input, profile: { ...input.profile, customerPhoneNumber: '4791234567' } }).verdict).toBe('REVIEW');
  });
});


describe('EP-CANCEL-REMAINDER: judged on the integration\'s own release', () => {
  const ref = 'acme-shop-1004-a';
  // The shop's cancel of the rest, as if golive had run the profile's `cancel` action just before it.
  const orderedByGolive = () =>
    mapExchanges(good(), (e) => e.kind === 'merchant' && e.reference === ref && e.operation === 'cancel-rest', (e) => (e.operation = 'cancel'));
  it('asks for review when the rest was released only on golive\'s order (the profile\'s cancel action)', () => {
    const f = epCancelRemainder.evaluate(runInput(orderedByGolive()));
    expect(f.verdict).toBe('REVIEW');
    expect(f.details![0]).toMatch(/released only when golive ran the profile's cancel action/);
  });
  it('fails when the shop completed the order (role completeOrder) and the rest stays reserved', () => {
    const run = removeExchanges(good(), op('cancelPayment', ref));
    mapExchanges(run, (e) => e.reference === ref && (e.response?.body as any)?.aggregate !== undefined, (e) => ((e.response!.body as any).aggregate.cancelledAmount.value = 0));
    const cancelRest = run.traffic.find((e) => e.kind === 'merchant' && e.reference === ref && e.operation === 'cancel-rest')!;
    addObservation(run, 'partial-capture-and-refund', { type: 'role-action', at: cancelRest.startedAt, role: 'completeOrder', name: 'completeOrder', reference: ref });
    const f = epCancelRemainder.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/the shop completed the order \(actions\.completeOrder, role completeOrder\) but never cancelled — 20000 still reserved/);
  });
  it('is not applicable when every flow listing it did not apply (no completeOrder role)', () => {
    const run = removeExchanges(good(), op('capturePayment', ref));
    run.flows.push({ suite: 's', id: 'partial-capture-then-cancel', title: 'T', checklist: ['EP-CANCEL-REMAINDER'], references: [], observations: [], startedAt: 0, endedAt: 0, outcome: 'not-applicable', error: 'profile has no action with role completeOrder' });
    const f = epCancelRemainder.evaluate(runInput(run));
    expect(f.verdict).toBe('NOT_APPLICABLE');
    expect(f.message).toMatch(/no action with role completeOrder/);
  });
});
