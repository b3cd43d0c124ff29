import { describe, expect, it } from 'vitest';
import { BackOffice } from '../src/back-office.ts';
import { loadConfig, parseFaults, type FaultName } from '../src/config.ts';
import { endingFromStatus, statusFromDetails } from '../src/order-status.ts';
import { OrderBook } from '../src/orders.ts';
import { Poller, type Timers } from '../src/poller.ts';
import { withRetries } from '../src/retry.ts';
import { Shop } from '../src/shop.ts';
import type { EcomApi, LogEntry, PaymentDetails } from '../src/vipps/ecom-api.ts';
import { errorItems, logLine, VippsApiError, VippsNetworkError } from '../src/vipps/errors.ts';

const entry = (operation: string, amount: number, operationSuccess = true): LogEntry => ({ operation, amount, operationSuccess, transactionText: 't' });
const details = (log: LogEntry[], summary?: PaymentDetails['transactionSummary']): PaymentDetails => ({ orderId: 'o', transactionLogHistory: log, transactionSummary: summary });
const summary = (capturedAmount: number, refundedAmount: number, remainingAmountToCapture: number) => ({ capturedAmount, refundedAmount, remainingAmountToCapture, remainingAmountToRefund: capturedAmount - refundedAmount });

describe('status from details', () => {
  const cases: [string, PaymentDetails, string, Partial<Record<string, number>>][] = [
    ['only INITIATE', details([entry('INITIATE', 1000)]), 'awaiting-payment', { reserved: 0 }],
    ['a declined card leaves it open', details([entry('RESERVE', 1000, false), entry('INITIATE', 1000)], summary(0, 0, 0)), 'awaiting-payment', {}],
    ['RESERVE', details([entry('RESERVE', 1000), entry('INITIATE', 1000)], summary(0, 0, 1000)), 'reserved', { reserved: 1000, remainingToCapture: 1000 }],
    ['SALE (direct capture)', details([entry('SALE', 1000), entry('INITIATE', 1000)], summary(1000, 0, 0)), 'captured', { captured: 1000 }],
    ['part capture', details([entry('CAPTURE', 400), entry('RESERVE', 1000), entry('INITIATE', 1000)], summary(400, 0, 600)), 'part-captured', { captured: 400 }],
    ['full capture', details([entry('CAPTURE', 1000), entry('RESERVE', 1000)], summary(1000, 0, 0)), 'captured', {}],
    ['part refund', details([entry('REFUND', 300), entry('CAPTURE', 1000), entry('RESERVE', 1000)], summary(1000, 300, 0)), 'part-refunded', { refunded: 300 }],
    ['full refund', details([entry('REFUND', 1000), entry('CAPTURE', 1000), entry('RESERVE', 1000)], summary(1000, 1000, 0)), 'refunded', {}],
    ['customer cancel', details([entry('CANCEL', 1000), entry('INITIATE', 1000)], summary(0, 0, 0)), 'cancelled', { cancelled: 0 }],
    ['VOID of a reservation', details([entry('VOID', 1000), entry('RESERVE', 1000)], summary(0, 0, 0)), 'cancelled', { cancelled: 1000 }],
    ['rest released after part capture', details([entry('VOID', 600), entry('CAPTURE', 400), entry('RESERVE', 1000)], summary(400, 0, 0)), 'captured', { captured: 400, cancelled: 600 }],
    ['no summary: amounts from the log', details([entry('CAPTURE', 400), entry('RESERVE', 1000)]), 'part-captured', { captured: 400, remainingToCapture: 600 }],
  ];
  it.each(cases)('%s', (_name, d, status, amounts) => {
    const view = statusFromDetails(1000, d);
    expect(view.status).toBe(status);
    expect(view.amounts).toMatchObject(amounts);
  });

  it('the ends details has no word for come from the status endpoint', () => {
    expect(endingFromStatus('REJECTED')).toBe('failed');
    expect(endingFromStatus('FAILED')).toBe('failed');
    expect(endingFromStatus('INITIATE')).toBeUndefined();
  });
});

describe('Vipps errors', () => {
  it('reads the eCom error array and the gateway shapes', () => {
    expect(errorItems([{ errorGroup: 'Payment', errorCode: '61', errorMessage: 'Captured amount exceeds', contextId: 'c-1' }])).toEqual([
      { errorGroup: 'Payment', errorCode: '61', errorMessage: 'Captured amount exceeds', contextId: 'c-1' },
    ]);
    expect(errorItems({ statusCode: 401, message: 'Access denied' })[0].errorMessage).toBe('Access denied');
    expect(errorItems({ responseInfo: { responseCode: 401, responseMessage: 'Unauthorized' }, result: { message: 'bad token' } })[0].errorMessage).toBe('bad token');
  });

  it('logs errorGroup, errorCode, errorMessage and contextId; says it in words', () => {
    const err = new VippsApiError('capture', 400, [{ errorGroup: 'Payment', errorCode: '61', errorMessage: 'Too much', contextId: 'c-1' }]);
    expect(logLine('o-1', err)).toBe('ecom-shop: capture o-1 failed: HTTP 400 errorGroup=Payment errorCode=61 errorMessage="Too much" contextId=c-1');
    expect(err.message).toBe('Vipps MobilePay answered HTTP 400: Too much (Payment 61)');
    expect(err.retryable).toBe(false);
    expect(new VippsApiError('capture', 503, []).retryable).toBe(true);
  });
});

describe('retries', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);

  it('retries lost answers and 5xx with backoff, never a 4xx', async () => {
    let calls = 0;
    await expect(withRetries(async () => { calls++; throw new VippsApiError('capture', 400, []); }, { retries: 2, backoffMs: 100, sleep })).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    const result = await withRetries(async (n) => { calls++; if (n < 2) throw new VippsNetworkError('capture', new Error('socket hang up')); return 'ok'; }, { retries: 2, backoffMs: 100, sleep });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });
});

/** A shop on a fake eCom API: the payment is reserved; the first `lose` captures lose their answer. */
function fakeShop(faults: FaultName[] = [], lose = 1) {
  const config = loadConfig({ VIPPS_CLIENT_ID: 'c', VIPPS_CLIENT_SECRET: 's', VIPPS_SUBSCRIPTION_KEY: 'k', VIPPS_MSN: '123456', ECOM_SHOP_FAULTS: faults.join(',') });
  const sent: { requestId: string; amount?: number }[] = [];
  const done = new Set<string>();
  let captured = 0;
  const api = {
    details: async () => details([entry('RESERVE', 1000)], summary(captured, 0, 1000 - captured)),
    status: async () => ({}),
    capture: async (_id: string, amount: number | undefined, _text: string, requestId: string) => {
      sent.push({ requestId, amount });
      if (!done.has(requestId)) captured += amount ?? 1000 - captured; // Vipps applies an X-Request-Id once
      done.add(requestId);
      if (sent.length <= lose) throw new VippsNetworkError('capture', new Error('socket hang up'));
      return {};
    },
  } as unknown as EcomApi;
  const shop = new Shop(config, api, new OrderBook('ecomshop', config.faults), () => undefined);
  const order = shop.orders.create(1000, 'socks');
  return { shop, order, sent, backOffice: new BackOffice(shop, async () => undefined), captured: () => captured };
}

describe('capture retries and X-Request-Id', () => {
  it('a retry after a lost answer sends the same X-Request-Id and amount, stored with the operation', async () => {
    const { backOffice, order, sent, captured } = fakeShop();
    const result = await backOffice.capture(order, 400);
    expect(result.ok).toBe(true);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(order.operations[0]).toMatchObject({ kind: 'capture', amount: 400, outcome: 'ok', requestIds: [sent[0].requestId, sent[0].requestId] });
    expect(captured()).toBe(400);
    expect(order.status).toBe('part-captured');
  });

  it('gives up after the retries and tells the staff member', async () => {
    const { backOffice, order, sent } = fakeShop([], 99);
    const result = await backOffice.capture(order, 400);
    expect(result.ok).toBe(false);
    expect(sent).toHaveLength(3);
    if (!result.ok) expect(result.message).toMatch(/^capture failed: no answer from Vipps MobilePay/);
  });

  it('fault new-request-id-on-retry: each retry a new id (a double capture)', async () => {
    const { backOffice, order, sent, captured } = fakeShop(['new-request-id-on-retry']);
    await backOffice.capture(order, 400);
    expect(sent[1].requestId).not.toBe(sent[0].requestId);
    expect(captured()).toBe(800);
  });

  it('refuses amounts beyond what is reserved before asking Vipps', async () => {
    const { backOffice, order, sent } = fakeShop();
    await backOffice.capture(order, 1); // reads details: reserved
    const result = await backOffice.capture(order, 5000);
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(sent).toHaveLength(2);
  });
});

/** Timers the test moves by hand. */
function manualTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn, id: ++ids };
      queue.push(t);
      return t.id;
    },
    clearTimeout: (id) => {
      const i = queue.findIndex((t) => t.id === id);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  /** Runs every timer due up to `until`, letting each read settle. */
  async function advanceTo(until: number) {
    for (;;) {
      queue.sort((a, b) => a.at - b.at);
      const next = queue[0];
      if (!next || next.at > until) break;
      queue.shift();
      now = next.at;
      next.fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    now = until;
  }
  return { timers, advanceTo, pending: () => queue.length };
}

describe('polling schedule', () => {
  const options = { firstMs: 5000, intervalMs: 2000, giveUpMs: 660_000 };

  it('first read 5 s after initiate, then every 2 s, stops at the decision', async () => {
    const { timers, advanceTo, pending } = manualTimers();
    const reads: number[] = [];
    const poller = new Poller(options, async () => ({ decided: reads.push(timers.now()) >= 4 }), timers);
    poller.start('o');
    await advanceTo(60_000);
    expect(reads).toEqual([5000, 7000, 9000, 11000]);
    expect(poller.isPolling('o')).toBe(false);
    expect(pending()).toBe(0);
  });

  it('backs off on 429 (Retry-After, at least double the interval) and gives up after the window', async () => {
    const { timers, advanceTo } = manualTimers();
    const reads: number[] = [];
    const poller = new Poller({ ...options, giveUpMs: 30_000 }, async () => {
      reads.push(timers.now());
      return reads.length === 2 ? { decided: false, backoffMs: 1000 } : { decided: false };
    }, timers);
    poller.start('o');
    await advanceTo(100_000);
    expect(reads.slice(0, 4)).toEqual([5000, 7000, 11000, 13000]);
    expect(reads.at(-1)).toBeGreaterThanOrEqual(30_000);
    expect(reads.at(-1)).toBeLessThan(32_000);
    expect(poller.isPolling('o')).toBe(false);
  });

  it('fault poll-after-final: keeps reading after the decision', async () => {
    const { timers, advanceTo } = manualTimers();
    let reads = 0;
    const poller = new Poller({ ...options, keepAfterFinal: true }, async () => ({ decided: ++reads >= 1 }), timers);
    poller.start('o');
    await advanceTo(20_000);
    expect(reads).toBe(8);
    poller.stopAll();
  });
});

describe('configuration and order ids', () => {
  it('refuses unknown fault names', () => {
    expect(() => parseFaults('no-system-headers, typo')).toThrow(/unknown ECOM_SHOP_FAULTS: typo/);
    expect([...parseFaults('slow-callback,callback-only')]).toEqual(['slow-callback', 'callback-only']);
  });

  it('orderIds are readable and new per payment; the faults make them useless', () => {
    const now = () => Date.parse('2026-12-01T10:00:00Z');
    const clean = new OrderBook('ecomshop', new Set(), now);
    const [a, b] = [clean.nextOrderId(), clean.nextOrderId()];
    expect(a).toMatch(/^ecomshop-20261201-[0-9a-f]{4}-1$/);
    expect(b).not.toBe(a);
    expect(a).toMatch(/^[a-zA-Z0-9-]{1,50}$/);
    const reuse = new OrderBook('ecomshop', new Set(['reuse-order-id' as const]), now);
    expect(reuse.nextOrderId()).toBe(reuse.nextOrderId());
    const digits = new OrderBook('ecomshop', new Set(['digits-order-id' as const]), now);
    expect(digits.nextOrderId()).toBe('00000001');
  });
});
