import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';
import { specAvailable, SPEC_MISSING_MESSAGE, validateTraffic } from '../helpers/openapi.ts';

const SECOND = { msn: '654321', clientId: 'om-second-client', clientSecret: 'om-second-secret', subscriptionKeys: ['om-second-sub-key'] };

const RECEIPT = {
  orderLines: [
    {
      name: 'socks',
      id: 'line_item_1',
      totalAmount: 1000,
      totalAmountExcludingTax: 800,
      totalTaxAmount: 200,
      taxPercentage: 25,
      unitInfo: { unitPrice: 400, quantity: '2.5', quantityUnit: 'KG' },
      discount: 0,
      productUrl: 'https://example.com/store/socks',
      isReturn: false,
      isShipping: false,
    },
    { name: 'Home Delivery', id: 'delivery', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxRate: 2500, isShipping: true },
  ],
  bottomLine: { currency: 'NOK', tipAmount: 0, posId: 'vipps_pos_122', barcode: { format: 'CODE 39', data: 'SC0527013501' }, receiptNumber: '0527013501' },
};

/** Only the fields order-management-v2.yaml knows (taxPercentage, not the newer taxRate). */
const SPEC_RECEIPT = {
  orderLines: [
    RECEIPT.orderLines[0],
    { name: 'Home Delivery', id: 'delivery', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxPercentage: 25, isShipping: true },
  ],
  bottomLine: RECEIPT.bottomLine,
};

/** A real PNG of the given size (grey), base64. */
function png(width: number, height: number): string {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]).toString('base64');
}

describe('Order Management API', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  const OM = '/order-management';

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } }, merchants: [SECOND] });
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  const orderId = () => `om-${randomUUID()}`;

  it('adds a receipt (201, a string id) and reads it back', async () => {
    const id = orderId();
    const before = sandbox.traffic.lastSeq;
    const res = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT });
    expect(res.status, res.text).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof res.body).toBe('string');
    expect(res.body).toMatch(/^[0-9a-f-]{36}$/);
    const got = await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api });
    expect(got.status).toBe(200);
    expect(got.body.receipt).toEqual(RECEIPT);
    expect(got.body.category).toBeUndefined();
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'order-management' });
    expect(e).toMatchObject({ kind: 'api', operation: 'postReceiptV2', msn: '123456', reference: id });
  });

  it('receipts are write-once: a second one is a 409 in the spec error shape', async () => {
    const id = orderId();
    expect((await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT })).status).toBe(201);
    const changed = { ...RECEIPT, bottomLine: { currency: 'NOK' } };
    const res = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: changed });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ title: 'Conflict', detail: expect.stringContaining('cannot be changed'), instance: expect.any(String), type: expect.any(String) });
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api })).body.receipt).toEqual(RECEIPT);
  });

  it('validates receipts: invalidParams name each problem', async () => {
    const id = orderId();
    const cases: [unknown, string][] = [
      [{ orderLines: [], bottomLine: { currency: 'NOK' } }, 'orderLines'],
      [{ orderLines: RECEIPT.orderLines }, 'bottomLine'],
      [{ ...RECEIPT, bottomLine: { currency: 'SEK' } }, 'bottomLine.currency'],
      [{ ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], totalAmount: 10.5 }] }, 'orderLines[0].totalAmount'],
      [{ ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], taxPercentage: 101 }] }, 'orderLines[0].taxPercentage'],
      [{ ...RECEIPT, orderLines: [{ name: 'x', id: '1', totalAmount: 1, totalAmountExcludingTax: 1, totalTaxAmount: 0 }] }, 'orderLines[0].taxPercentage'],
      [{ ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], unitInfo: { unitPrice: 1, quantity: 2 } }] }, 'orderLines[0].unitInfo.quantity'],
      [{ ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], unitInfo: { unitPrice: 1, quantity: '1', quantityUnit: 'BOX' } }] }, 'orderLines[0].unitInfo.quantityUnit'],
      [{ ...RECEIPT, bottomLine: { currency: 'NOK', barcode: { format: 'QR', data: 'x' } } }, 'bottomLine.barcode.format'],
      [[RECEIPT], 'body'],
    ];
    for (const [body, name] of cases) {
      const res = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body });
      expect(res.status, name).toBe(400);
      expect(res.body.title).toBe('One or more validation errors occurred.');
      expect(res.body.instance).toEqual(expect.any(String));
      expect(res.body.invalidParams.map((p: any) => p.name), JSON.stringify(res.body)).toContain(name);
    }
    const empty = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: { ...api, 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const broken = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: '{"orderLines": [' });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toEqual(expect.any(String));
    // None of these stored anything.
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api })).status).toBe(404);
  });

  it('checks path parameters: paymentType ecom|recurring and the orderId pattern', async () => {
    const bad = await call(sandbox.url, 'POST', `${OM}/v2/epayment/receipts/${orderId()}`, { headers: api, body: RECEIPT });
    expect(bad.status).toBe(400);
    expect(bad.body.invalidParams[0].name).toBe('paymentType');
    const badId = await call(sandbox.url, 'GET', `${OM}/v2/ecom/order%20one`, { headers: api });
    expect(badId.status).toBe(400);
    expect(badId.body.invalidParams[0].name).toBe('orderId');
    const recurring = await call(sandbox.url, 'POST', `${OM}/v2/recurring/receipts/${orderId()}`, { headers: api, body: RECEIPT });
    expect(recurring.status).toBe(201);
  });

  it('categories: PUT upserts (200), GET reads the latest with the receipt', async () => {
    const id = orderId();
    const first = await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${id}`, { headers: api, body: { category: 'ORDER_CONFIRMATION', orderDetailsUrl: 'https://example.com/orders/1' } });
    expect(first.status, first.text).toBe(200);
    expect(typeof first.body).toBe('string');
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api })).body).toEqual({
      category: { category: 'ORDER_CONFIRMATION', orderDetailsUrl: 'https://example.com/orders/1' },
    });
    await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${id}`, { headers: api, body: { category: 'DELIVERY', orderDetailsUrl: 'https://example.com/orders/1/track' } });
    await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT });
    const got = await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api });
    expect(got.body).toEqual({ category: { category: 'DELIVERY', orderDetailsUrl: 'https://example.com/orders/1/track' }, receipt: RECEIPT });
  });

  it('validates categories', async () => {
    const id = orderId();
    for (const [body, name] of [
      [{ category: 'SHOPPING', orderDetailsUrl: 'https://example.com' }, 'category'],
      [{ category: 'GENERAL' }, 'orderDetailsUrl'],
      [{ category: 'GENERAL', orderDetailsUrl: 'example.com/no-scheme' }, 'orderDetailsUrl'],
      [{ category: 'GENERAL', orderDetailsUrl: 'https://example.com', imageId: 'has space' }, 'imageId'],
    ] as const) {
      const res = await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${id}`, { headers: api, body });
      expect(res.status, name).toBe(400);
      expect(res.body.invalidParams.map((p: any) => p.name)).toContain(name);
    }
  });

  it('images: upload once (200 {imageId}), use in a category; duplicates 409; bad images 400', async () => {
    const imageId = `socks-${randomUUID()}`;
    const up = await call(sandbox.url, 'POST', `${OM}/v1/images`, { headers: api, body: { imageId, src: png(200, 200), type: 'base64' } });
    expect(up.status, up.text).toBe(200);
    expect(up.body).toEqual({ imageId });
    const dup = await call(sandbox.url, 'POST', `${OM}/v1/images`, { headers: api, body: { imageId, src: png(200, 200), type: 'base64' } });
    expect(dup.status).toBe(409);
    expect(dup.body.title).toBe('Conflict');

    const id = orderId();
    const cat = await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${id}`, { headers: api, body: { category: 'TICKET', orderDetailsUrl: 'https://example.com/t', imageId } });
    expect(cat.status).toBe(200);
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api })).body.category.imageId).toBe(imageId);
    const unknownImage = await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${id}`, { headers: api, body: { category: 'TICKET', orderDetailsUrl: 'https://example.com/t', imageId: 'never-uploaded' } });
    expect(unknownImage.status).toBe(404);

    const bad = async (body: unknown) => call(sandbox.url, 'POST', `${OM}/v1/images`, { headers: api, body });
    expect((await bad({ imageId: 'a', src: png(200, 100), type: 'base64' })).body.invalidParams[0].reason).toMatch(/167/);
    expect((await bad({ imageId: 'b', src: Buffer.from('GIF89a-not-allowed').toString('base64'), type: 'base64' })).body.invalidParams[0].reason).toMatch(/PNG or JPEG/);
    expect((await bad({ imageId: 'c', src: 'https://example.com/socks.png', type: 'base64' })).status).toBe(400);
    expect((await bad({ imageId: 'd', src: png(200, 200), type: 'url' })).body.invalidParams[0].name).toBe('type');
    expect((await bad({ imageId: 'e f', src: png(200, 200), type: 'base64' })).body.invalidParams[0].name).toBe('imageId');
    // The spec's own example (a PNG header, 171×213) is accepted.
    expect((await bad({ imageId: `spec-${randomUUID()}`, src: 'iVBORw0KGgoAAAANSUhEUgAAAKsAAADVCAMAAAAfHv', type: 'base64' })).status).toBe(200);
  });

  it('accepts a large image (base64 over the default 1 MiB body limit) and refuses one over 2 MB', async () => {
    const big = Buffer.concat([Buffer.from(png(300, 300), 'base64'), Buffer.alloc(1_500_000, 1)]).toString('base64');
    expect((await call(sandbox.url, 'POST', `${OM}/v1/images`, { headers: api, body: { imageId: `big-${randomUUID()}`, src: big, type: 'base64' } })).status).toBe(200);
    const huge = Buffer.concat([Buffer.from(png(300, 300), 'base64'), Buffer.alloc(2_200_000, 1)]).toString('base64');
    const res = await call(sandbox.url, 'POST', `${OM}/v1/images`, { headers: api, body: { imageId: `huge-${randomUUID()}`, src: huge, type: 'base64' } });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams[0].reason).toMatch(/2 MB/);
  });

  it('GET answers 404 for an order with neither receipt nor category', async () => {
    const res = await call(sandbox.url, 'GET', `${OM}/v2/ecom/${orderId()}`, { headers: api });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ title: 'Not Found', detail: expect.any(String), instance: expect.any(String) });
  });

  it('a receipt given on ePayment create shows up here and makes the order write-once', async () => {
    const reference = `om-ep-${randomUUID()}`;
    const created = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...api, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 2000 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://shop.example/r',
        receipt: RECEIPT,
      },
    });
    expect(created.status, created.text).toBe(201);
    const got = await call(sandbox.url, 'GET', `${OM}/v2/ecom/${reference}`, { headers: api });
    expect(got.status).toBe(200);
    expect(got.body.receipt.orderLines.map((l: any) => l.id)).toEqual(['line_item_1', 'delivery']);
    expect(got.body.receipt.bottomLine.currency).toBe('NOK');
    expect((await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${reference}`, { headers: api, body: RECEIPT })).status).toBe(409);
    // Categories can still be added, and the receipt stays.
    await call(sandbox.url, 'PUT', `${OM}/v2/ecom/categories/${reference}`, { headers: api, body: { category: 'RECEIPT', orderDetailsUrl: 'https://shop.example/o' } });
    const both = await call(sandbox.url, 'GET', `${OM}/v2/ecom/${reference}`, { headers: api });
    expect(both.body.category.category).toBe('RECEIPT');
    expect(both.body.receipt.orderLines).toHaveLength(2);
    // Not under "recurring".
    expect((await call(sandbox.url, 'GET', `${OM}/v2/recurring/${reference}`, { headers: api })).status).toBe(404);
  });

  it('orders and images belong to one sales unit', async () => {
    const id = orderId();
    await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT });
    const other = await merchantHeaders(sandbox.url, SECOND);
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: other })).status).toBe(404);
    expect((await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: other, body: RECEIPT })).status).toBe(201);
  });

  it('needs Vipps authentication', async () => {
    const id = orderId();
    const none = await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { body: RECEIPT });
    expect(none.status).toBe(401);
    const { Authorization: _a, ...noToken } = api;
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: noToken })).status).toBe(401);
    const { 'Merchant-Serial-Number': _m, ...noMsn } = api;
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: noMsn })).status).toBe(400);
    expect((await call(sandbox.url, 'GET', `${OM}/v2/ecom/${id}`, { headers: api })).status).toBe(404);
  });

  it('HTTP faults apply to Order Management operations', async () => {
    const id = orderId();
    const fault = sandbox.faults.add({ match: { api: 'order-management', operation: 'postReceiptV2' }, effect: { type: 'status', status: 503 }, times: 1 });
    expect(fault.id).toBeTruthy();
    expect((await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT })).status).toBe(503);
    expect((await call(sandbox.url, 'POST', `${OM}/v2/ecom/receipts/${id}`, { headers: api, body: RECEIPT })).status).toBe(201);
  });
});

describe.skipIf(!specAvailable())('Order Management API contract', () => {
  it('every recorded response validates against order-management-v2.yaml', async () => {
    const sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    try {
      const api = await merchantHeaders(sandbox.url);
      const OM = '/order-management';
      const id = `contract-${randomUUID()}`;
      const imageId = `img-${randomUUID()}`;
      const statuses: number[] = [];
      const go = async (method: string, path: string, body?: unknown) => statuses.push((await call(sandbox.url, method, path, { headers: api, body })).status);
      await go('GET', `${OM}/v2/ecom/${id}`); // 404
      await go('POST', `${OM}/v2/ecom/receipts/${id}`, SPEC_RECEIPT); // 201
      await go('POST', `${OM}/v2/ecom/receipts/${id}`, SPEC_RECEIPT); // 409
      await go('POST', `${OM}/v2/ecom/receipts/${id}`, { orderLines: [] }); // 400
      await go('POST', `${OM}/v2/ecom/receipts/${id}`, '{broken'); // 400 (JSON)
      await go('POST', `${OM}/v1/images`, { imageId, src: png(180, 180), type: 'base64' }); // 200
      await go('PUT', `${OM}/v2/ecom/categories/${id}`, { category: 'GENERAL', orderDetailsUrl: 'https://example.com', imageId }); // 200
      await go('PUT', `${OM}/v2/ecom/categories/${id}`, { category: 'NOPE' }); // 400
      await go('PUT', `${OM}/v2/ecom/categories/${id}`, { category: 'GENERAL', orderDetailsUrl: 'https://example.com', imageId: 'missing' }); // 404
      await go('GET', `${OM}/v2/ecom/${id}`); // 200
      await go('GET', `${OM}/v2/ecom/bad%20id`); // 400
      expect(statuses).toEqual([404, 201, 409, 400, 400, 200, 200, 400, 404, 200, 400]);
      const exchanges = sandbox.traffic.query({ api: 'order-management' });
      expect(exchanges).toHaveLength(statuses.length);
      const { validated, failures } = await validateTraffic(exchanges);
      expect(failures).toEqual([]);
      // Every answer the spec documents with a schema; GET 400 is not in the spec (undocumented).
      expect(validated).toBe(statuses.length - 1);
    } finally {
      await sandbox.close();
    }
  });

  it('injected status faults answer the spec’s ErrorResponse (application/json), not ePayment’s problem', async () => {
    const sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    try {
      const api = await merchantHeaders(sandbox.url);
      const id = `fault-${randomUUID()}`;
      sandbox.faults.add({ match: { api: 'order-management', operation: 'postReceiptV2' }, effect: { type: 'status', status: 409 }, times: 1 });
      sandbox.faults.add({ match: { api: 'order-management', operation: 'putCategoryV2' }, effect: { type: 'status', status: 400, code: 'X1', title: 'Bad order', detail: 'No.' }, times: 1 });
      const conflict = await call(sandbox.url, 'POST', `/order-management/v2/ecom/receipts/${id}`, { headers: api, body: SPEC_RECEIPT });
      const bad = await call(sandbox.url, 'PUT', `/order-management/v2/ecom/categories/${id}`, { headers: api, body: { category: 'GENERAL' } });
      expect([conflict.status, bad.status]).toEqual([409, 400]);
      for (const res of [conflict, bad]) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(Object.keys(res.body).sort()).toEqual(['detail', 'instance', 'title', 'type']);
      }
      expect(conflict.body).toMatchObject({ title: 'Conflict', detail: 'Injected by a golive sandbox fault.' });
      expect(bad.body).toMatchObject({ title: 'Bad order', detail: 'No. (code X1)' });
      const { validated, failures } = await validateTraffic(sandbox.traffic.query({ api: 'order-management' }));
      expect(failures).toEqual([]);
      expect(validated).toBe(2);
    } finally {
      await sandbox.close();
    }
  });
});
if (!specAvailable()) console.warn(SPEC_MISSING_MESSAGE);
