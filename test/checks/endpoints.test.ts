import { describe, expect, it } from 'vitest';
import { checkFor, runCheck } from '../../src/checks/index.ts';
import { find, good, mapExchanges, one, op, removeExchanges, runInput, withoutHeader, withProfile } from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const epEndpointCancel = checkFor('EP-ENDPOINT-CANCEL')!;
const epEndpointCaptureFull = checkFor('EP-ENDPOINT-CAPTURE-FULL')!;
const epEndpointCapturePartial = checkFor('EP-ENDPOINT-CAPTURE-PARTIAL')!;
const epEndpointCreate = checkFor('EP-ENDPOINT-CREATE')!;
const epEndpointEvents = checkFor('EP-ENDPOINT-EVENTS')!;
const epEndpointGet = checkFor('EP-ENDPOINT-GET')!;
const epEndpointRefundFull = checkFor('EP-ENDPOINT-REFUND-FULL')!;
const epEndpointRefundPartial = checkFor('EP-ENDPOINT-REFUND-PARTIAL')!;

const refs = {
  captured: 'acme-shop-1001-a',
  refunded: 'acme-shop-1002-a',
  cancelled: 'acme-shop-1003-a',
  partial: 'acme-shop-1004-a',
};

describe('EP-ENDPOINT-CREATE', () => {
  it('passes when payments are created with valid bodies', () => {
    const f = epEndpointCreate.evaluate(runInput(good()));
    expect(f.verdict).toBe('PASSED');
    expect(f.message).toMatch(/17 payments created/);
  });
  it('fails a WEB_REDIRECT create without returnUrl, naming the request', () => {
    const run = good();
    const e = one(run, op('createPayment', refs.captured));
    delete (e.request.body as Record<string, unknown>).returnUrl;
    const f = epEndpointCreate.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details).toContain(`#${e.seq} POST /epayment/v1/payments: userFlow WEB_REDIRECT without returnUrl`);
    expect(f.cites).toContain(e.seq);
  });
  it('fails a create the API rejected because of the merchant’s payload (no fault)', () => {
    const run = good();
    const e = one(run, op('createPayment', 'acme-shop-1018-a'));
    e.response = { status: 400, headers: {}, body: { type: 'https://httpstatuses.io/400', title: 'Invalid phone number', status: 400, extraDetails: [{ name: 'ErrorCode', reason: '4070' }] } };
    const f = epEndpointCreate.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(/→ 400: rejected by the API \(Invalid phone number — code 4070\)/);
  });
  it('does not blame injected faults, but fails when nothing was created', () => {
    const run = removeExchanges(good(), op('createPayment'));
    expect(epEndpointCreate.evaluate(runInput(run))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/never created a payment/) });
  });
});

describe('EP-ENDPOINT-GET', () => {
  it('passes when every created payment was read', () => {
    expect(epEndpointGet.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('fails when an authorized payment was never fetched', () => {
    const run = removeExchanges(good(), op('getPayment', refs.captured));
    const f = epEndpointGet.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(new RegExp(`${refs.captured}: reached AUTHORIZED .* but was never fetched`));
  });
});

describe('EP-ENDPOINT-EVENTS', () => {
  it('passes when the event log was read', () => {
    expect(epEndpointEvents.evaluate(runInput(good()))).toMatchObject({ verdict: 'PASSED' });
  });
  it('fails when never called and the profile declares eventLog; warns when the profile is silent', () => {
    const run = removeExchanges(good(), op('getPaymentEventLog'));
    expect(epEndpointEvents.evaluate(runInput(run)).verdict).toBe('FAILED');
    delete run.profile.capabilities.eventLog;
    expect(epEndpointEvents.evaluate(runInput(run)).verdict).toBe('WARNING');
  });
  it('is not applicable when the profile declares eventLog: false', () => {
    const run = withProfile(good(), { capabilities: { eventLog: false } });
    expect(runCheck(epEndpointEvents, runInput(run)).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-ENDPOINT-CANCEL', () => {
  it('passes on successful cancels and lists them', () => {
    const f = epEndpointCancel.evaluate(runInput(good()));
    expect(f.verdict).toBe('PASSED');
    expect(f.message).toContain(`${refs.cancelled} (AUTHORIZED, cancelled 19900 of authorized 19900)`);
  });
  it('fails when cancel was never called', () => {
    expect(epEndpointCancel.evaluate(runInput(removeExchanges(good(), op('cancelPayment')))).verdict).toBe('FAILED');
  });
  it('warns when the successful cancels carry no Idempotency-Key', () => {
    const run = withoutHeader(good(), 'Idempotency-Key', op('cancelPayment'));
    const f = epEndpointCancel.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details).toHaveLength(3);
  });
  it('is not applicable without the cancel capability', () => {
    expect(runCheck(epEndpointCancel, runInput(withProfile(good(), { capabilities: { cancel: false } }))).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-ENDPOINT-CAPTURE-FULL', () => {
  it('passes on a capture of the whole authorized amount', () => {
    expect(epEndpointCaptureFull.evaluate(runInput(good())).message).toContain(`${refs.captured} (49900)`);
  });
  it('fails when only partial captures happened', () => {
    const run = good();
    const full = find(run, op('capturePayment')).filter((e) => e.reference !== refs.partial).map((e) => e.seq);
    removeExchanges(run, (e) => full.includes(e.seq));
    const f = epEndpointCaptureFull.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.join('\n')).toMatch(/modificationAmount 60000, authorized 100000, captured 60000/);
  });
  it('fails a capture in another currency than the payment', () => {
    const run = mapExchanges(good(), op('capturePayment', refs.captured), (e) => ((e.request.body as any).modificationAmount.currency = 'DKK'));
    expect(epEndpointCaptureFull.evaluate(runInput(run))).toMatchObject({ verdict: 'FAILED', message: expect.stringMatching(/another currency/) });
  });
});

describe('EP-ENDPOINT-CAPTURE-PARTIAL', () => {
  it('passes when a partial capture is followed by another capture or a cancel', () => {
    expect(epEndpointCapturePartial.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns when a partial capture has no follow-up', () => {
    const run = good();
    const [, second] = find(run, op('capturePayment', refs.partial));
    removeExchanges(run, (e) => e.seq === second.seq || (e.reference === refs.partial && e.operation === 'cancelPayment'));
    const f = epEndpointCapturePartial.evaluate(runInput(run));
    expect(f.verdict).toBe('WARNING');
    expect(f.details![0]).toMatch(/captured 60000 of 100000; nothing followed/);
  });
  it('fails when no partial capture succeeded', () => {
    expect(epEndpointCapturePartial.evaluate(runInput(removeExchanges(good(), op('capturePayment', refs.partial)))).verdict).toBe('FAILED');
  });
  it('is not applicable without partial capture', () => {
    expect(runCheck(epEndpointCapturePartial, runInput(withProfile(good(), { capabilities: { partialCapture: false } }))).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-ENDPOINT-REFUND-FULL', () => {
  it('passes on a refund of the whole captured amount', () => {
    expect(epEndpointRefundFull.evaluate(runInput(good())).message).toContain(`${refs.refunded} (25000)`);
  });
  it('fails when no full refund happened', () => {
    const f = epEndpointRefundFull.evaluate(runInput(removeExchanges(good(), op('refundPayment', refs.refunded))));
    expect(f.verdict).toBe('FAILED');
    expect(f.details!.length).toBe(2); // the two partial refunds, explained
  });
});

describe('EP-ENDPOINT-REFUND-PARTIAL', () => {
  it('passes when partial refunds repeat and add up', () => {
    expect(epEndpointRefundPartial.evaluate(runInput(good())).message).toContain(`${refs.partial} (30000 + 10000 = 40000)`);
  });
  it('warns when only a single partial refund was made', () => {
    const run = good();
    const [, second] = find(run, op('refundPayment', refs.partial));
    expect(epEndpointRefundPartial.evaluate(runInput(removeExchanges(run, (e) => e.seq === second.seq))).verdict).toBe('WARNING');
  });
  it('fails when refundedAmount does not add up', () => {
    const run = good();
    const [, second] = find(run, op('refundPayment', refs.partial));
    (second.response!.body as any).aggregate.refundedAmount.value = 30000;
    const f = epEndpointRefundPartial.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details).toContain(`#${second.seq} POST /epayment/v1/payments/${refs.partial}/refund: refundedAmount 30000 ≠ 30000 already refunded + 10000`);
  });
  it('fails when no partial refund was made', () => {
    expect(epEndpointRefundPartial.evaluate(runInput(removeExchanges(good(), op('refundPayment', refs.partial)))).verdict).toBe('FAILED');
  });
});
