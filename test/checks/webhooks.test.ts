import { describe, expect, it } from 'vitest';
import { checkFor, runCheck } from '../../src/checks/index.ts';
import { find, flowInput, good, mapExchanges, mapObservations, op, orderStatus, refOf, removeExchanges, runInput, sloppy, webhook, withProfile } from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const whAckFast = checkFor('WH-ACK-FAST')!;
const whIdempotent = checkFor('WH-IDEMPOTENT')!;
const whNotTruth = checkFor('WH-NOT-TRUTH')!;
const whSuccessFlag = checkFor('WH-SUCCESS-FLAG')!;
const whVerifyHmac = checkFor('WH-VERIFY-HMAC')!;

describe('WH-VERIFY-HMAC', () => {
  it('passes when forged deliveries are refused and change nothing', () => {
    expect(whVerifyHmac.evaluate(flowInput(good(), 'webhook-forgery')).message).toMatch(/refused and changed nothing \(2 forgeries\)/);
  });
  it('fails when a forgery changes the order', () => {
    const f = whVerifyHmac.evaluate(flowInput(sloppy(), 'webhook-forgery'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/forged delivery \(signature\) #\d+ POST \/vipps\/webhooks answered 200 and changed the order from "pending" to "paid"/);
  });
  it('warns when a forgery is answered 2xx but ignored', () => {
    const run = mapObservations(good(), 'webhook-forgery', (o) => (o.type === 'webhook-forgery' ? { ...o, responseStatus: 204 } : o));
    expect(whVerifyHmac.evaluate(flowInput(run, 'webhook-forgery')).verdict).toBe('WARNING');
  });
  it('judges forged deliveries from the traffic alone when no observation was recorded', () => {
    const run = mapObservations(good(), 'webhook-forgery', (o) => (o.type === 'webhook-forgery' ? undefined : o));
    expect(whVerifyHmac.evaluate(flowInput(run, 'webhook-forgery')).verdict).toBe('PASSED');
    mapExchanges(run, (e) => e.fault?.startsWith('webhook-tamper') === true, (e) => (e.response!.status = 200));
    expect(whVerifyHmac.evaluate(flowInput(run, 'webhook-forgery')).details![0]).toMatch(/accepted \(should be refused with 400\/401\); order stayed "pending"/);
  });
  it('fails a receiver that refuses genuine deliveries too, and warns without forgeries', () => {
    const run = mapExchanges(good(), (e) => e.kind === 'webhook' && e.flowId === 'webhook-forgery' && !e.fault, (e) => (e.response!.status = 401));
    run.traffic.push(...find(good(), webhook('acme-shop-1001-a')).map((e) => ({ ...e, flowId: 'webhook-forgery', response: { ...e.response!, status: 401 } })));
    expect(whVerifyHmac.evaluate(flowInput(run, 'webhook-forgery')).details!.join('\n')).toMatch(/were refused too .*: the verification is broken/);
    expect(whVerifyHmac.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('WARNING');
    expect(runCheck(whVerifyHmac, flowInput(withProfile(good(), { capabilities: { webhooks: false } }), 'webhook-forgery')).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('WH-ACK-FAST', () => {
  it('passes when every delivery is answered 2xx quickly', () => {
    expect(whAckFast.evaluate(runInput(good())).message).toMatch(/answered 2xx, the slowest in \d+ ms/);
  });
  it('warns about slow and refused acknowledgements', () => {
    expect(whAckFast.evaluate(runInput(sloppy())).details![0]).toMatch(/→ 200 after 12\.5 s \(limit 10 s\)/);
    const run = mapExchanges(good(), webhook('acme-shop-1001-a', 'CAPTURED'), (e) => (e.response!.status = 500));
    expect(whAckFast.evaluate(runInput(run)).details![0]).toMatch(/CAPTURED acme-shop-1001-a → 500: a valid delivery was not acknowledged/);
  });
  it('warns when no webhook was delivered', () => {
    expect(whAckFast.evaluate(runInput(removeExchanges(good(), (e) => e.kind === 'webhook'))).verdict).toBe('WARNING');
  });
});

describe('WH-IDEMPOTENT', () => {
  it('passes when duplicates are acknowledged and booked once', () => {
    expect(whIdempotent.evaluate(flowInput(good(), 'webhook-duplicate')).message).toBe('2 duplicated events acknowledged and booked once.');
  });
  it('fails a double booking', () => {
    expect(whIdempotent.evaluate(flowInput(sloppy(), 'webhook-duplicate')).details![0]).toMatch(/CAPTURED delivered 2× .*: order books captured 60000 \(API: 30000\) — double-booked/);
  });
  it('fails when the duplicate moves the status past the aggregate', () => {
    const run = good();
    orderStatus(run, 'webhook-duplicate', refOf(run, 'webhook-duplicate'), 'refunded', 'last');
    expect(whIdempotent.evaluate(flowInput(run, 'webhook-duplicate')).verdict).toBe('FAILED');
  });
  it('warns when a copy is refused, and when no duplicate was delivered', () => {
    const run = good();
    const copies = find(run, webhook(refOf(run, 'webhook-duplicate'), 'AUTHORIZED'));
    copies[1].response!.status = 409;
    expect(whIdempotent.evaluate(flowInput(run, 'webhook-duplicate')).details![0]).toMatch(/copy #\d+ POST \/vipps\/webhooks → 409 \(fault webhook-duplicate\) — answer duplicates with 2xx/);
    expect(whIdempotent.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('WARNING');
  });
});

describe('WH-SUCCESS-FLAG', () => {
  it('passes when a success:false event is not booked', () => {
    expect(whSuccessFlag.evaluate(flowInput(good(), 'webhook-success-false')).verdict).toBe('PASSED');
  });
  it('fails when the failed event is booked', () => {
    const run = good();
    orderStatus(run, 'webhook-success-false', refOf(run, 'webhook-success-false'), 'captured', 'last');
    const f = whSuccessFlag.evaluate(flowInput(run, 'webhook-success-false'));
    expect(f.verdict).toBe('FAILED');
    expect(f.details![0]).toMatch(/CAPTURED with success:false .* the order then shows "captured" — the failed event was booked \(expected paid\)/);
  });
  it('warns when no such event was delivered', () => {
    expect(whSuccessFlag.evaluate(flowInput(good(), 'order-captured')).verdict).toBe('WARNING');
  });
});

describe('WH-NOT-TRUTH', () => {
  it('passes when every webhook is followed by GET payment', () => {
    expect(whNotTruth.evaluate(runInput(good())).verdict).toBe('PASSED');
  });
  it('warns for events acted on without re-reading', () => {
    const f = whNotTruth.evaluate(runInput(sloppy()));
    expect(f.verdict).toBe('WARNING');
    const run = good();
    const captured = find(run, webhook('acme-shop-1001-a', 'CAPTURED'))[0];
    removeExchanges(run, (e) => e.kind === 'api' && e.operation === 'getPayment' && e.reference === 'acme-shop-1001-a' && e.startedAt >= captured.startedAt);
    expect(whNotTruth.evaluate(runInput(run)).details).toEqual([`acme-shop-1001-a: CAPTURED webhook #${captured.seq} POST /vipps/webhooks was not followed by GET payment within 60 s`]);
    expect(whNotTruth.evaluate(runInput(removeExchanges(good(), (e) => e.kind === 'webhook'))).verdict).toBe('WARNING');
  });
});


