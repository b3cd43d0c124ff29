import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/traffic/redact.ts';
import { TrafficLog } from '../../src/traffic/log.ts';
import type { Exchange, ExchangeInput } from '../../src/traffic/types.ts';
import { checkFor } from '../../src/checks/index.ts';
import { expectedStatuses } from '../../src/checks/support/payments.ts';
import { judgeOutcome, rawErrorIn, showsLoginWall } from '../../src/checks/support/text.ts';
import { bearerOf, idempotencyKeyOf, operationOf, referenceOf } from '../../src/checks/support/traffic.ts';
import { good, orderStatus, refOf, runInput } from './fixture-builder.ts';

// The bound checks, as the runner evaluates them.
const epStatesAuthorized = checkFor('EP-STATES-AUTHORIZED')!;
const epTokenCache = checkFor('EP-TOKEN-CACHE')!;

const bare = (method: string, path: string, headers: Record<string, string> = {}): Exchange =>
  ({ seq: 1, id: 'x', kind: 'api', api: 'unknown', request: { method, url: `https://api.vipps.no${path}`, path, headers }, startedAt: 0, durationMs: 1 }) as Exchange;

describe('reading pages', () => {
  it('tells success, failure and pending apart, in English and the Nordic languages', () => {
    expect(judgeOutcome('Takk for bestillingen! Betalingen er gjennomført.', 'success').result).toBe('ok');
    expect(judgeOutcome('Betalingen ble avbrutt. Handlekurven din er lagret.', 'failure').result).toBe('ok');
    expect(judgeOutcome('Venter på bekreftelse fra Vipps …', 'pending').result).toBe('ok');
    expect(judgeOutcome('Your payment was not completed.', 'success').result).toBe('bad');
    expect(judgeOutcome("The payment wasn't approved.", 'failure').result).toBe('ok');
    expect(judgeOutcome('Betalingen er ikke gjennomført.', 'failure').result).toBe('ok');
    expect(judgeOutcome('Thank you for your order!', 'failure').result).toBe('bad');
    expect(judgeOutcome('Order 1001', 'pending').result).toBe('unclear');
  });
  it('reads "reserved" (what AUTHORIZED means to a customer) and a thanks followed by its own sentence as success', () => {
    // Both example shops' return pages for an approved payment.
    expect(judgeOutcome('Order sdk-1: reserved Thank you! Your payment is reserved.', 'success').result).toBe('ok');
    expect(judgeOutcome('Thank you — payment approved', 'success').result).toBe('ok');
    expect(judgeOutcome('Thank you! Your order is on its way.', 'success').result).toBe('ok');
    expect(judgeOutcome('The amount is reserved on your card until we ship.', 'success').result).toBe('ok');
    expect(judgeOutcome('Beløpet er reservert.', 'success').result).toBe('ok');
    // Still not success: pending, failure, negated reservation, a thanks before a failure.
    expect(judgeOutcome('Your payment is pending.', 'success').result).toBe('bad');
    expect(judgeOutcome('Payment failed.', 'success').result).toBe('bad');
    expect(judgeOutcome('Your payment was not reserved.', 'success').result).toBe('bad');
    expect(judgeOutcome('Thank you! Your payment failed.', 'success').result).toBe('bad');
    expect(judgeOutcome('Thank you! Your payment failed.', 'failure').result).toBe('ok');
  });
  it('spots raw errors and login walls', () => {
    expect(rawErrorIn('{"type":"https://httpstatuses.io/500","title":"Internal error"}')).toBe('raw JSON');
    expect(rawErrorIn('Something broke. traceId 00-abc')).toBe('a traceId');
    expect(rawErrorIn('TypeError: x is undefined\n    at Object.pay (/app/pay.js:3:9)')).toBeDefined();
    expect(rawErrorIn('Sorry, the payment could not be started. Please try again.')).toBeUndefined();
    expect(showsLoginWall('Your session has expired. Please log in again.')).toBe(true);
    expect(showsLoginWall('Thank you for your order! Log in to your account to track it later? No need.')).toBe(false);
  });
});

describe('reading traffic', () => {
  it('infers operations and references from proxy-recorded paths', () => {
    expect(operationOf(bare('POST', '/accesstoken/get'))).toBe('fetchAuthorizationTokenUsingPost');
    expect(operationOf(bare('POST', '/epayment/v1/payments'))).toBe('createPayment');
    expect(operationOf(bare('GET', '/epayment/v1/payments/acme-1'))).toBe('getPayment');
    expect(operationOf(bare('GET', '/epayment/v1/payments/acme-1/events'))).toBe('getPaymentEventLog');
    expect(operationOf(bare('POST', '/epayment/v1/payments/acme-1/capture'))).toBe('capturePayment');
    expect(operationOf(bare('POST', '/epayment/v1/test/payments/acme-1/approve'))).toBe('forceApprove');
    expect(operationOf(bare('POST', '/webhooks/v1/webhooks'))).toBe('registerWebhook');
    expect(operationOf(bare('GET', '/webhooks/v1/webhooks'))).toBe('getWebhooks');
    expect(operationOf({ ...bare('GET', '/x'), operation: 'getAllWebhooks' })).toBe('getWebhooks');
    expect(referenceOf(bare('POST', '/epayment/v1/payments/acme-shop-1/refund'))).toBe('acme-shop-1');
  });
  it('reads the ePayment Idempotency-Key, not eCom’s X-Request-Id, and the bearer fingerprint', () => {
    expect(idempotencyKeyOf({ ...bare('POST', '/x', { 'Idempotency-Key': 'k1' }) })).toBe('k1');
    expect(idempotencyKeyOf({ ...bare('POST', '/x', { 'x-request-id': 'r1' }), idempotencyKey: 'r1' })).toBeUndefined();
    expect(bearerOf(bare('GET', '/x', { Authorization: 'Bearer [REDACTED:1a2b3c4d]' }))).toBe('[REDACTED:1a2b3c4d]');
  });
  it('maps state and aggregate to the merchant statuses that make sense', () => {
    expect(expectedStatuses('AUTHORIZED', { authorized: 1000, captured: 250, refunded: 0, cancelled: 750 })).toEqual(['captured', 'partially-captured']);
    expect(expectedStatuses('AUTHORIZED', { authorized: 1000, captured: 1000, refunded: 400, cancelled: 0 })).toEqual(['partially-refunded']);
    expect(expectedStatuses('EXPIRED')).toEqual(['expired', 'failed', 'cancelled']);
  });
});

describe('redaction fingerprints (the traffic checks really get)', () => {
  /** Record calls through the real TrafficLog and Redactor, as the control API serves them. */
  function recorded(tokens: string[]): Exchange[] {
    const log = new TrafficLog();
    const redactor = new Redactor();
    let t = Date.parse('2026-03-02T09:00:00Z');
    const add = (e: Omit<ExchangeInput, 'startedAt' | 'durationMs'>) => log.append({ ...e, startedAt: (t += 1000), durationMs: 10 } as ExchangeInput);
    for (const token of new Set(tokens)) {
      redactor.addSecret(token);
      add({
        kind: 'api',
        api: 'access-token',
        operation: 'fetchAuthorizationTokenUsingPost',
        request: { method: 'POST', url: '/accesstoken/get', path: '/accesstoken/get', headers: { client_secret: 's3cret-value' } },
        response: { status: 200, headers: {}, body: { token_type: 'Bearer', expires_in: '3600', access_token: token } },
      });
      for (const _ of tokens.filter((x) => x === token))
        add({
          kind: 'api',
          api: 'epayment',
          operation: 'getPayment',
          reference: 'acme-shop-1',
          request: { method: 'GET', url: '/epayment/v1/payments/acme-shop-1', path: '/epayment/v1/payments/acme-shop-1', headers: { authorization: `Bearer ${token}` } },
          response: { status: 200, headers: {}, body: { state: 'CREATED' } },
        });
    }
    return log.all().map((e) => redactor.exchange(e));
  }
  const profile = good().profile;

  it('shows one reused token as one fingerprint, and passes', () => {
    const traffic = recorded(['tok-aaaaaaaa', 'tok-aaaaaaaa', 'tok-aaaaaaaa', 'tok-aaaaaaaa']);
    expect(JSON.stringify(traffic)).not.toContain('tok-aaaaaaaa');
    expect(new Set(traffic.map(bearerOf).filter(Boolean)).size).toBe(1);
    expect(epTokenCache.evaluate({ traffic, flows: [], profile }).verdict).toBe('PASSED');
  });
  it('shows a token per request as distinct fingerprints, and fails', () => {
    const traffic = recorded(['tok-1111111', 'tok-2222222', 'tok-3333333', 'tok-4444444']);
    expect(new Set(traffic.map(bearerOf).filter(Boolean)).size).toBe(4);
    expect(epTokenCache.evaluate({ traffic, flows: [], profile }).verdict).toBe('FAILED');
  });
});

describe('flow-scoped checks given a whole run', () => {
  it('judge each flow on its own traffic and fold the findings', () => {
    const run = good();
    run.flows = run.flows.filter((f) => ['order-captured', 'order-refunded'].includes(f.id));
    orderStatus(run, 'order-refunded', refOf(run, 'order-refunded'), 'pending');
    const f = epStatesAuthorized.evaluate(runInput(run));
    expect(f.verdict).toBe('FAILED');
    expect(f.flowId).toBeUndefined();
    expect(f.message).toMatch(/^order-captured: .* \| order-refunded: AUTHORIZED not handled/);
    expect(f.details!.every((d) => /^order-(captured|refunded): /.test(d))).toBe(true);
    expect(f.details!.some((d) => /^order-refunded: acme-shop-1002-a: merchant order shows "pending"/.test(d))).toBe(true);
  });
});
