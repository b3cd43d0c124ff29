import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';
import { specAvailable, SPEC_MISSING_MESSAGE, validateTraffic } from '../helpers/openapi.ts';

/** Receipt arithmetic noted on the exchange (never refused beyond the schema): ePayment create and Order Management. */
const line = (name: string, total: number, excl: number, tax: number) => ({ name, id: name, totalAmount: total, totalAmountExcludingTax: excl, totalTaxAmount: tax, taxPercentage: 25 });
const GOOD = { orderLines: [line('ride', 5000, 4000, 1000)], bottomLine: { currency: 'NOK' } };
const OFF = { orderLines: [line('ride', 4000, 3200, 800)], bottomLine: { currency: 'NOK' } };
const BROKEN = { orderLines: [line('ride', 5000, 4000, 900)], bottomLine: { currency: 'DKK' } };

describe('receipt problems on the exchange', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  async function createPayment(receipt?: unknown) {
    const reference = `rcpt-${randomUUID()}`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...api, 'Idempotency-Key': randomUUID() },
      body: { amount: { currency: 'NOK', value: 5000 }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r', ...(receipt ? { receipt } : {}) },
    });
    expect(res.status, res.text).toBe(201);
    return reference;
  }
  const notesOf = (operation: string, reference: string) => sandbox.traffic.query({ kind: 'api' }).find((e) => e.operation === operation && e.reference === reference)?.notes;

  it('ePayment create: a receipt that does not add up is accepted and its problems noted', async () => {
    const good = await createPayment(GOOD);
    expect(notesOf('createPayment', good)?.receiptProblems).toBeUndefined();
    const off = await createPayment(OFF);
    expect(notesOf('createPayment', off)?.receiptProblems).toEqual(['order lines add up to 4000, the payment amount is 5000']);
    const broken = await createPayment(BROKEN);
    const problems = notesOf('createPayment', broken)?.receiptProblems as string[];
    expect(problems.some((p) => p.includes('currency DKK'))).toBe(true);
    expect(problems.some((p) => p.includes('≠ totalAmount'))).toBe(true);
    expect(notesOf('createPayment', await createPayment())?.receiptProblems).toBeUndefined();
  });

  it('Order Management: the payment’s amount when the orderId is a known reference, else line and currency checks only', async () => {
    const known = await createPayment();
    const post = (orderId: string, receipt: unknown) => call(sandbox.url, 'POST', `/order-management/v2/ecom/receipts/${orderId}`, { headers: api, body: receipt });
    expect((await post(known, OFF)).status).toBe(201);
    expect(notesOf('postReceiptV2', known)?.receiptProblems).toEqual(['order lines add up to 4000, the payment amount is 5000']);

    const unknown = `order-${randomUUID()}`;
    expect((await post(unknown, OFF)).status).toBe(201);
    expect(notesOf('postReceiptV2', unknown)?.receiptProblems).toBeUndefined();
    const unknownBroken = `order-${randomUUID()}`;
    expect((await post(unknownBroken, BROKEN)).status).toBe(201);
    expect((notesOf('postReceiptV2', unknownBroken)?.receiptProblems as string[]).some((p) => p.includes('≠ totalAmount'))).toBe(true);

    const fine = await createPayment();
    expect((await post(fine, GOOD)).status).toBe(201);
    expect(notesOf('postReceiptV2', fine)?.receiptProblems).toBeUndefined();
    const read = await call(sandbox.url, 'GET', `/order-management/v2/ecom/${fine}`, { headers: api });
    expect(read.body.receipt).toMatchObject(GOOD);
  });

  it('the Order Management answers validate against order-management-v2.yaml', async (t) => {
    if (!specAvailable()) return t.skip(SPEC_MISSING_MESSAGE);
    const { validated, failures } = await validateTraffic(sandbox.traffic.query({ api: 'order-management' }));
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThanOrEqual(5);
  });
});
