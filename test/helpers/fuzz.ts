import fc from 'fast-check';
import type { SpecName } from './openapi.ts';

/**
 * Generated and mutated requests for every operation of every spec the sandbox implements
 * (epayment-v1, webhooks-v1, access-token, ecom-v2, order-management-v2), for the fuzz and soak
 * tests. A request is built from an operation, a mutation of its valid body, a transport (JSON,
 * broken JSON, another content type, none, oversized), header mutations and sometimes another method.
 */

export interface World {
  /** An ePayment reference, an eCom orderId, a webhook id, an Order Management orderId that exist. */
  reference: string;
  orderId: string;
  webhookId: string;
  omOrderId: string;
}

export interface OperationSpec {
  spec: SpecName;
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path for a (possibly odd) path parameter. */
  path: (param: string) => string;
  /** The path parameter when the request names an existing resource. */
  param?: (w: World) => string;
  /** A valid body, when the operation takes one. */
  body?: (fresh: string) => Record<string, unknown>;
  /** The request key header the operation requires. */
  key?: 'Idempotency-Key' | 'X-Request-Id';
  /** Auth: Vipps API headers (default) or the token endpoint's credentials. */
  auth?: 'api' | 'token';
}

const EP = '/epayment/v1/payments';
const EC = '/ecomm/v2/payments';
/** A path parameter, percent-encoded; sometimes with a raw `%` left in (a URL that does not decode). */
function encodeParam(param: string, pick: number): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(param);
  } catch {
    encoded = 'lone%ED%A0%80surrogate'; // a lone surrogate cannot be encoded; send its raw UTF-8 bytes
  }
  return pick % 5 === 0 ? encoded.replace(/%25/g, '%') : encoded;
}

export const RECEIPT = {
  orderLines: [{ name: 'socks', id: 'line_item_1', totalAmount: 1000, totalAmountExcludingTax: 800, totalTaxAmount: 200, taxPercentage: 25, isShipping: false }],
  bottomLine: { currency: 'NOK', receiptNumber: '0527013501' },
};

/** The head of a 200×200 PNG (signature + IHDR): all the image check reads. */
const PNG_HEAD = (() => {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(200, 16);
  b.writeUInt32BE(200, 20);
  b.set([8, 6, 0, 0, 0], 24);
  return b.toString('base64');
})();

export const epaymentCreate = (reference: string, value = 1000) => ({
  amount: { currency: 'NOK', value },
  paymentMethod: { type: 'WALLET' },
  reference,
  userFlow: 'WEB_REDIRECT',
  returnUrl: 'https://example.com/return?order=1',
  paymentDescription: 'fuzz order',
});

export const ecomInitiate = (orderId: string, amount = 1000) => ({
  customerInfo: { mobileNumber: '91234567' },
  merchantInfo: { merchantSerialNumber: '123456', callbackPrefix: 'http://127.0.0.1:9/cb', fallBack: 'https://example.com/fallback', authToken: 'fuzz-token' },
  transaction: { amount, orderId, transactionText: 'fuzz order' },
});

const ecomAction = (amount?: number) => ({ merchantInfo: { merchantSerialNumber: '123456' }, transaction: { ...(amount !== undefined ? { amount } : {}), transactionText: 'fuzz' } });

export const OPERATIONS: OperationSpec[] = [
  { spec: 'access-token', operationId: 'fetchAuthorizationTokenUsingPost', method: 'POST', path: () => '/accesstoken/get', auth: 'token' },
  { spec: 'epayment-v1', operationId: 'createPayment', method: 'POST', path: () => EP, body: (fresh) => epaymentCreate(fresh), key: 'Idempotency-Key' },
  { spec: 'epayment-v1', operationId: 'getPayment', method: 'GET', path: (r) => `${EP}/${r}`, param: (w) => w.reference },
  { spec: 'epayment-v1', operationId: 'getPaymentEventLog', method: 'GET', path: (r) => `${EP}/${r}/events`, param: (w) => w.reference },
  { spec: 'epayment-v1', operationId: 'capturePayment', method: 'POST', path: (r) => `${EP}/${r}/capture`, param: (w) => w.reference, body: () => ({ modificationAmount: { currency: 'NOK', value: 100 } }), key: 'Idempotency-Key' },
  { spec: 'epayment-v1', operationId: 'refundPayment', method: 'POST', path: (r) => `${EP}/${r}/refund`, param: (w) => w.reference, body: () => ({ modificationAmount: { currency: 'NOK', value: 100 } }), key: 'Idempotency-Key' },
  { spec: 'epayment-v1', operationId: 'cancelPayment', method: 'POST', path: (r) => `${EP}/${r}/cancel`, param: (w) => w.reference, body: () => ({ cancelTransactionOnly: false }), key: 'Idempotency-Key' },
  { spec: 'epayment-v1', operationId: 'forceApprove', method: 'POST', path: (r) => `/epayment/v1/test/payments/${r}/approve`, param: (w) => w.reference, body: () => ({ customer: { phoneNumber: '4791234567' } }) },
  { spec: 'webhooks-v1', operationId: 'registerWebhook', method: 'POST', path: () => '/webhooks/v1/webhooks', body: () => ({ url: 'https://example.com/hook', events: ['epayments.payment.captured.v1'] }) },
  { spec: 'webhooks-v1', operationId: 'listWebhooks', method: 'GET', path: () => '/webhooks/v1/webhooks' },
  { spec: 'webhooks-v1', operationId: 'deleteWebhook', method: 'DELETE', path: (id) => `/webhooks/v1/webhooks/${id}`, param: (w) => w.webhookId },
  { spec: 'ecom-v2', operationId: 'initiatePaymentV3UsingPOST', method: 'POST', path: () => EC, body: (fresh) => ecomInitiate(fresh) },
  { spec: 'ecom-v2', operationId: 'capturePaymentUsingPOST', method: 'POST', path: (o) => `${EC}/${o}/capture`, param: (w) => w.orderId, body: () => ecomAction(100), key: 'X-Request-Id' },
  { spec: 'ecom-v2', operationId: 'refundPaymentUsingPOST', method: 'POST', path: (o) => `${EC}/${o}/refund`, param: (w) => w.orderId, body: () => ecomAction(100), key: 'X-Request-Id' },
  { spec: 'ecom-v2', operationId: 'cancelPaymentRequestUsingPUT', method: 'PUT', path: (o) => `${EC}/${o}/cancel`, param: (w) => w.orderId, body: () => ecomAction() },
  { spec: 'ecom-v2', operationId: 'integrationTestApprovePayment', method: 'POST', path: (o) => `/ecomm/v2/integration-test/payments/${o}/approve`, param: (w) => w.orderId, body: () => ({ customerPhoneNumber: '91234567' }) },
  { spec: 'ecom-v2', operationId: 'getPaymentDetailsUsingGET', method: 'GET', path: (o) => `${EC}/${o}/details`, param: (w) => w.orderId },
  { spec: 'ecom-v2', operationId: 'getOrderStatusUsingGET', method: 'GET', path: (o) => `${EC}/${o}/status`, param: (w) => w.orderId },
  { spec: 'order-management-v2', operationId: 'postReceiptV2', method: 'POST', path: (o) => `/order-management/v2/ecom/receipts/${o}`, param: (w) => w.omOrderId, body: () => RECEIPT },
  { spec: 'order-management-v2', operationId: 'putCategoryV2', method: 'PUT', path: (o) => `/order-management/v2/ecom/categories/${o}`, param: (w) => w.omOrderId, body: () => ({ category: 'ORDER_CONFIRMATION', orderDetailsUrl: 'https://example.com/orders/1' }) },
  { spec: 'order-management-v2', operationId: 'postImage', method: 'POST', path: () => '/order-management/v1/images', body: (fresh) => ({ imageId: fresh, src: PNG_HEAD, type: 'base64' }) },
  { spec: 'order-management-v2', operationId: 'getOrderV2', method: 'GET', path: (o) => `/order-management/v2/ecom/${o}`, param: (w) => w.omOrderId },
];

/** Boundary and unicode strings: empty, blank, the 50/64-character limits, control characters, RTL, emoji, path tricks. */
export const oddString = fc.oneof(
  fc.constantFrom('', ' ', 'a', 'x'.repeat(49), 'x'.repeat(50), 'x'.repeat(64), 'x'.repeat(65), 'y'.repeat(101), 'æøå-ÆØÅ', '\u0000', '\u202Etxt', '👍🏽👨‍👩‍👧', '../..', 'a/b', 'a%2Fb', '%', '?x=1', '#frag', 'null', '<script>alert(1)</script>', "' OR 1=1 --", '\uFFFF', '\uD800'),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 99, 100.5, -0.01, 1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, [], {}, [null], { nested: { deep: [null] } }),
  oddString,
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = { kind: 'none' } | { kind: 'drop'; at: number } | { kind: 'replace'; at: number; value: unknown } | { kind: 'extra'; name: string; value: unknown } | { kind: 'whole'; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: oddValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra' as const), name: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'amount', 'extra'), fc.string({ maxLength: 12 })), value: oddValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: oddValue }) },
);

/** Every leaf and inner path of a JSON body. */
function paths(o: unknown, prefix: string[] = []): string[][] {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

export function applyMutation(body: Record<string, unknown> | undefined, m: Mutation): unknown {
  if (m.kind === 'none') return body;
  if (m.kind === 'whole') return m.value;
  const copy: any = body === undefined ? {} : structuredClone(body);
  if (m.kind === 'extra') {
    Object.defineProperty(copy, m.name, { value: m.value, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  const all = paths(copy);
  if (all.length === 0) return copy;
  const path = all[m.at % all.length];
  const parent = path.slice(0, -1).reduce((o, k) => o[k], copy);
  if (m.kind === 'drop') delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = m.value;
  return copy;
}

export type Transport = 'json' | 'broken-json' | 'text-plain' | 'form' | 'no-content-type' | 'oversized' | 'empty';
export const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('json' as const) },
  { weight: 2, arbitrary: fc.constantFrom('broken-json' as const, 'text-plain' as const, 'form' as const, 'no-content-type' as const, 'empty' as const) },
  { weight: 1, arbitrary: fc.constant('oversized' as const) },
);

const BROKEN = ['{', '{"a":', 'nul', '[1,2', '{"a":1}}', 'NaN', '\u00ff\u00fe', '{"amount":{"value":1e999}}', "{'a':1}", '{"a":"\\ud800"}'];

/** Body text and content type for a transport. */
export function encodeBody(body: unknown, t: Transport, pick: number): { payload?: string; contentType?: string } {
  const json = body === undefined ? undefined : JSON.stringify(body);
  switch (t) {
    case 'json':
      return json === undefined ? {} : { payload: json, contentType: 'application/json' };
    case 'broken-json':
      return { payload: BROKEN[pick % BROKEN.length], contentType: 'application/json' };
    case 'text-plain':
      return { payload: json ?? 'x', contentType: 'text/plain' };
    case 'form':
      return { payload: json ?? 'a=1', contentType: 'application/x-www-form-urlencoded' };
    case 'no-content-type':
      return { payload: json ?? '{}' };
    case 'empty':
      return { payload: '', contentType: 'application/json' };
    case 'oversized':
      return { payload: JSON.stringify({ ...(typeof body === 'object' && body ? body : {}), pad: 'p'.repeat(1024 * 1024 + 16) }), contentType: 'application/json' };
  }
}

export type HeaderMutation = 'none' | 'no-key' | 'bad-token' | 'other-msn' | 'odd-request-key' | 'no-request-key' | 'long-system-header' | 'no-msn';
export const headerMutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('none' as const) },
  { weight: 1, arbitrary: fc.constantFrom('no-key' as const, 'bad-token' as const, 'other-msn' as const, 'odd-request-key' as const, 'no-request-key' as const, 'long-system-header' as const, 'no-msn' as const) },
);

/** One generated request, before it meets a World. */
export interface FuzzCase {
  op: number;
  /** Use the world's existing resource (else an odd path parameter). */
  existing: boolean;
  oddParam: string;
  mutation: Mutation;
  transport: Transport;
  headers: HeaderMutation;
  oddKey: string;
  /** Another method than the operation's. */
  wrongMethod: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | undefined;
  pick: number;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  op: fc.nat({ max: OPERATIONS.length - 1 }),
  existing: fc.boolean(),
  oddParam: oddString,
  mutation,
  transport,
  headers: headerMutation,
  oddKey: oddString,
  wrongMethod: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('GET' as const, 'POST' as const, 'PUT' as const, 'DELETE' as const, 'PATCH' as const) },
  ),
  pick: fc.nat(),
});

export interface BuiltRequest {
  operation: OperationSpec;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Turn a generated case into a request against the world, with the merchant's API headers and token credentials. */
export function buildRequest(c: FuzzCase, w: World, api: Record<string, string>, tokenCredentials: Record<string, string>, fresh: string): BuiltRequest {
  const operation = OPERATIONS[c.op];
  const param = c.existing && operation.param ? operation.param(w) : c.oddParam;
  const url = operation.path(encodeParam(param, c.pick));
  // Creates name their payment in the body: there the odd parameter is the reference (orderId).
  const named = operation.param ? fresh : c.existing ? fresh : c.oddParam;
  const body = applyMutation(operation.body?.(named), c.mutation);
  const { payload, contentType } = encodeBody(operation.body || c.mutation.kind !== 'none' ? body : undefined, c.transport, c.pick);
  const headers: Record<string, string> = { ...(operation.auth === 'token' ? tokenCredentials : api) };
  if (contentType) headers['content-type'] = contentType;
  if (operation.key) headers[operation.key.toLowerCase()] = `${fresh}-k`;
  switch (c.headers) {
    case 'no-key':
      delete headers['ocp-apim-subscription-key'];
      break;
    case 'bad-token':
      if (headers.authorization) headers.authorization = 'Bearer not-a-token';
      else headers.client_secret = 'wrong';
      break;
    case 'other-msn':
      headers['merchant-serial-number'] = '999999';
      break;
    case 'no-msn':
      delete headers['merchant-serial-number'];
      break;
    case 'odd-request-key':
      if (operation.key) headers[operation.key.toLowerCase()] = c.oddKey.replace(/[^\x20-\x7e]/g, '?');
      break;
    case 'no-request-key':
      if (operation.key) delete headers[operation.key.toLowerCase()];
      break;
    case 'long-system-header':
      headers['vipps-system-name'] = 'n'.repeat(31 + (c.pick % 40));
      break;
  }
  return { operation, method: c.wrongMethod ?? operation.method, url, headers, payload: c.wrongMethod === 'GET' ? undefined : payload };
}

/** Which spec an answer to a path is judged by (the route prefix decides, as in the sandbox). */
export function specOfPath(url: string): SpecName | undefined {
  const p = url.toLowerCase();
  if (p.startsWith('/ecomm/')) return 'ecom-v2';
  if (p.startsWith('/epayment/')) return 'epayment-v1';
  if (p.startsWith('/webhooks/')) return 'webhooks-v1';
  if (p.startsWith('/accesstoken/')) return 'access-token';
  if (p.startsWith('/order-management/')) return 'order-management-v2';
  return undefined;
}
