/**
 * The "pending" rule of EP-WEBHOOKS-AND-POLLING (src/checks/rules/webhooks-and-polling.ts): the
 * polling channel counts only GET payment issued while the payment was still pending *as the
 * integration saw it* — before a genuine (not dropped) webhook of a later state reached it, or an
 * API answer (GET, capture, refund, cancel) showed it a later state. A GET that itself is the
 * first to answer AUTHORIZED still counts (a shop at the guideline pace first reads an approved
 * payment 5 s after create). Built from synthetic traffic so every boundary is explicit.
 */
import { describe, expect, it } from 'vitest';
import { checkFor } from '../../src/checks/index.ts';
import type { CheckInput, ProfileFacts } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const item = checkFor('EP-WEBHOOKS-AND-POLLING')!;
const MSN = '123456';
const REF = 'ref-1';
const T0 = 1_772_442_000_000;

const profile: ProfileFacts = { id: 'shop', kind: 'direct', msn: MSN, capabilities: { webhooks: true, polling: true } };

let seq = 0;
const base = (e: Partial<Exchange> & Pick<Exchange, 'kind' | 'api' | 'request' | 'startedAt'>): Exchange => ({
  seq: ++seq,
  id: `x${seq}`,
  durationMs: 10,
  msn: MSN,
  ...e,
});

const register = (): Exchange =>
  base({
    kind: 'api',
    api: 'webhooks',
    operation: 'registerWebhook',
    startedAt: T0,
    request: {
      method: 'POST',
      url: '/webhooks/v1/webhooks',
      path: '/webhooks/v1/webhooks',
      headers: { 'merchant-serial-number': MSN },
      body: { url: 'https://shop.example/hook', events: ['epayments.payment.authorized.v1', 'epayments.payment.aborted.v1', 'epayments.payment.expired.v1'] },
    },
    response: { status: 201, headers: {}, body: { id: 'w1', secret: 's' } },
  });

const create = (at: number): Exchange =>
  base({
    kind: 'api',
    api: 'epayment',
    operation: 'createPayment',
    reference: REF,
    startedAt: at,
    request: { method: 'POST', url: '/epayment/v1/payments', path: '/epayment/v1/payments', headers: {}, body: { reference: REF, amount: { currency: 'NOK', value: 1000 } } },
    response: { status: 201, headers: {}, body: { reference: REF, redirectUrl: 'http://127.0.0.1/landing' } },
  });

const get = (at: number, state: string, status = 200, durationMs = 10): Exchange =>
  base({
    kind: 'api',
    api: 'epayment',
    operation: 'getPayment',
    reference: REF,
    startedAt: at,
    durationMs,
    request: { method: 'GET', url: `/epayment/v1/payments/${REF}`, path: `/epayment/v1/payments/${REF}`, headers: {} },
    response: { status, headers: {}, body: status < 300 ? { reference: REF, state } : { title: 'error', state } }, // an error answer is no payment view, whatever it names
  });

const capture = (at: number, state = 'AUTHORIZED', durationMs = 10, status = 200): Exchange =>
  base({
    kind: 'api',
    api: 'epayment',
    operation: 'capturePayment',
    reference: REF,
    startedAt: at,
    durationMs,
    request: { method: 'POST', url: `/epayment/v1/payments/${REF}/capture`, path: `/epayment/v1/payments/${REF}/capture`, headers: {}, body: { modificationAmount: { currency: 'NOK', value: 1000 } } },
    response: { status, headers: {}, body: { reference: REF, state } },
  });

const hook = (at: number, name: string, extra: Partial<Exchange> = {}): Exchange =>
  base({
    kind: 'webhook',
    api: 'webhooks',
    operation: 'deliverWebhook',
    reference: REF,
    startedAt: at,
    request: { method: 'POST', url: 'https://shop.example/hook', path: '/hook', headers: {}, body: { msn: MSN, reference: REF, name, success: true } },
    response: { status: 200, headers: {}, body: 'OK' },
    ...extra,
  });

const judge = (...traffic: Exchange[]) => {
  const input: CheckInput = { traffic: [register(), create(T0 + 1_000), ...traffic], flows: [], profile };
  return item.evaluate(input);
};

describe('EP-WEBHOOKS-AND-POLLING: GET payment while pending', () => {
  it('counts a GET answering CREATED before anything told the integration otherwise', () => {
    const f = judge(get(T0 + 2_000, 'CREATED'), hook(T0 + 3_000, 'AUTHORIZED'));
    expect(f.verdict).toBe('PASSED');
    expect(f.message).toContain(`polled while pending (${REF})`);
  });

  it('counts the GET that is itself the first to answer AUTHORIZED (first poll after the approval)', () => {
    expect(judge(get(T0 + 6_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('does not count GETs made only after the authorized webhook reached the integration', () => {
    const f = judge(hook(T0 + 3_000, 'AUTHORIZED'), get(T0 + 3_001, 'AUTHORIZED'), get(T0 + 5_000, 'AUTHORIZED'));
    expect(f.verdict).toBe('FAILED');
    expect(f.message).toMatch(/no GET payment was made while a payment was pending: the integration does not poll/);
  });

  it('boundary: a GET starting at the very millisecond the webhook arrived still counts; one ms later does not', () => {
    expect(judge(hook(T0 + 3_000, 'AUTHORIZED'), get(T0 + 3_000, 'AUTHORIZED')).verdict).toBe('PASSED');
    expect(judge(hook(T0 + 3_000, 'AUTHORIZED'), get(T0 + 3_001, 'AUTHORIZED')).verdict).toBe('FAILED');
  });

  it('a dropped webhook told the integration nothing: a later GET is still polling while pending', () => {
    const f = judge(hook(T0 + 3_000, 'AUTHORIZED', { fault: 'webhook-drop', response: undefined, error: 'not delivered (webhook-drop)' }), get(T0 + 8_000, 'AUTHORIZED'));
    expect(f.verdict).toBe('PASSED');
  });

  it('a CREATED webhook is no later state: a GET after it still counts', () => {
    expect(judge(hook(T0 + 1_500, 'CREATED'), get(T0 + 2_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('a forged delivery is not a delivery the integration learned from', () => {
    expect(judge(hook(T0 + 3_000, 'AUTHORIZED', { notes: { tamper: 'bad-signature' } }), get(T0 + 4_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('an API answer showing a later state ends "pending" at the end of that answer, not its start', () => {
    // capture answered AUTHORIZED from T0+3000 to T0+3200: a GET starting inside that window counts, one after it does not
    expect(judge(capture(T0 + 3_000, 'AUTHORIZED', 200), get(T0 + 3_200, 'AUTHORIZED')).verdict).toBe('PASSED');
    expect(judge(capture(T0 + 3_000, 'AUTHORIZED', 200), get(T0 + 3_201, 'AUTHORIZED')).verdict).toBe('FAILED');
  });

  it('an earlier GET answering AUTHORIZED ends "pending" for the GETs after it, but itself counts', () => {
    const first = get(T0 + 6_000, 'AUTHORIZED');
    const second = get(T0 + 8_000, 'AUTHORIZED');
    const f = judge(first, second);
    expect(f.verdict).toBe('PASSED');
    expect(f.cites).toContain(first.seq);
    expect(f.cites).not.toContain(second.seq);
  });

  it('a failed GET (5xx) or one answering CREATED does not end "pending"', () => {
    expect(judge(hook(T0 + 9_000, 'AUTHORIZED'), get(T0 + 2_000, 'AUTHORIZED', 500), get(T0 + 3_000, 'CREATED'), get(T0 + 4_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('a refused modification (4xx) is no payment view: it does not end "pending" even if its body names a state', () => {
    expect(judge(capture(T0 + 2_000, 'AUTHORIZED', 10, 409), get(T0 + 3_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('a failed GET is still a GET made while pending (the integration polled)', () => {
    expect(judge(get(T0 + 2_000, 'AUTHORIZED', 500), hook(T0 + 3_000, 'AUTHORIZED')).verdict).toBe('PASSED');
  });

  it('without any GET of the payment the integration does not poll', () => {
    expect(judge(hook(T0 + 3_000, 'AUTHORIZED')).verdict).toBe('FAILED');
  });
});
