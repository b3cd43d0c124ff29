import { describe, expect, it } from 'vitest';
import { checkFor, runCheck } from '../../src/checks/index.ts';
import { good, mapExchanges, op, removeExchanges, runInput, withProfile } from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const epEvidenceFresh = checkFor('EP-EVIDENCE-FRESH')!;
const epOrderCancelled = checkFor('EP-ORDER-CANCELLED')!;
const epOrderCaptured = checkFor('EP-ORDER-CAPTURED')!;
const epOrderProd = checkFor('EP-ORDER-PROD')!;
const epOrderRefunded = checkFor('EP-ORDER-REFUNDED')!;

describe('EP-ORDER-CAPTURED / -REFUNDED / -CANCELLED', () => {
  it('pass and list the references the go-live review asks for', () => {
    const run = good();
    expect(epOrderCaptured.evaluate(runInput(run)).message).toBe('Complete test orders ending in CAPTURED: acme-shop-1001-a, acme-shop-1011-a, acme-shop-1014-a.');
    expect(epOrderRefunded.evaluate(runInput(run)).message).toBe('Complete test orders ending in REFUNDED: acme-shop-1002-a, acme-shop-1004-a.');
    const cancelled = epOrderCancelled.evaluate(runInput(run));
    expect(cancelled.message).toBe('Complete test orders ending in CANCELLED: acme-shop-1003-a.');
    expect(cancelled.details![0]).toMatch(/^acme-shop-1003-a: created #\d+ POST \/epayment\/v1\/payments, last #\d+ POST \/epayment\/v1\/payments\/acme-shop-1003-a\/cancel \(captured 0, refunded 0, cancelled 19900 of 19900\)$/);
  });
  it('fail when no order ends that way', () => {
    const run = good();
    removeExchanges(run, op('capturePayment'));
    expect(epOrderCaptured.evaluate(runInput(run)).verdict).toBe('FAILED');
    expect(epOrderRefunded.evaluate(runInput(removeExchanges(good(), op('refundPayment')))).verdict).toBe('FAILED');
    const f = epOrderCancelled.evaluate(runInput(removeExchanges(good(), op('cancelPayment', 'acme-shop-1003-a'))));
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toMatch(/acme-shop-1007-a → TERMINATED/); // a cancel before approval is not a cancelled order
  });
  it('do not count an order whose create is not in the log', () => {
    const run = removeExchanges(good(), op('createPayment', 'acme-shop-1003-a'));
    const f = epOrderCancelled.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.details).toEqual(['acme-shop-1003-a: ends in CANCELLED but its create call is not in the log']);
  });
  it('are not applicable without the capability', () => {
    expect(runCheck(epOrderRefunded, runInput(withProfile(good(), { capabilities: { refund: false } }))).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-ORDER-PROD', () => {
  it('is REVIEW on sandbox traffic, with the test references per ending', () => {
    const f = epOrderProd.evaluate(runInput(good()));
    expect(f.verdict).toBe('REVIEW');
    expect(f.details).toContain('test: CANCELLED: acme-shop-1003-a');
  });
  it('judges production traffic recorded by the proxy', () => {
    const prod = mapExchanges(good(), (e) => e.kind === 'api', (e) => (e.request.url = `https://api.vipps.no${e.request.path}`));
    expect(epOrderProd.evaluate(runInput(prod)).verdict).toBe('PASSED');
    removeExchanges(prod, op('cancelPayment', 'acme-shop-1003-a'));
    expect(epOrderProd.evaluate(runInput(prod))).toMatchObject({ verdict: 'FAILED', message: 'Production traffic has no complete order ending in CANCELLED.' });
  });
});

describe('EP-EVIDENCE-FRESH', () => {
  it('is not applicable to direct integrations', () => {
    expect(runCheck(epEvidenceFresh, runInput(good())).verdict).toBe('NOT_APPLICABLE');
  });
  it('gives partners the recording period to judge, and fails without traffic', () => {
    const run = withProfile(good(), { kind: 'partner' });
    const f = epEvidenceFresh.evaluate(runInput(run));
    expect(f.verdict).toBe('REVIEW');
    expect(f.message).toMatch(/recorded between 2026-03-02T09:00:00.000Z and 2026-03-02T09:\d\d:\d\d.\d{3}Z/);
    run.traffic = [];
    expect(epEvidenceFresh.evaluate(runInput(run)).verdict).toBe('FAILED');
  });
});
