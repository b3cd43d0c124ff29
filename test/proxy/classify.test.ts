import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_ROUTES, classifyRoute } from '../../src/contract/api-routes.ts';
import { classifyRequest } from '../../src/proxy/classify.ts';
import { Sandbox } from '../../src/sandbox/index.ts';
import type { ApiName } from '../../src/traffic/types.ts';
import { SPEC_DIR, SPEC_MISSING_MESSAGE, specAvailable } from '../helpers/openapi.ts';

const sample = (template: string) => template.replace(/\{(\w+)\}|:(\w+)/g, (_m, a: string, b: string) => `sample-${a ?? b}`);

describe('API route table (src/contract/api-routes.ts)', () => {
  it('names every sandbox-served Vipps route exactly as the sandbox records it', async () => {
    const sandbox = new Sandbox();
    const routes: { method: string; url: string; api: ApiName; operation: string }[] = [];
    sandbox.app.addHook('onRoute', (r) => {
      const c = r.config as { api?: ApiName; operation?: string } | undefined;
      if (!c?.api || c.api === 'landing' || c.api === 'sandbox-control') return;
      for (const method of [r.method].flat()) routes.push({ method, url: r.url, api: c.api, operation: c.operation! });
    });
    await sandbox.ready();
    await sandbox.close();
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) expect(classifyRoute(r.method, sample(r.url)), `${r.method} ${r.url}`).toMatchObject({ api: r.api, operation: r.operation });
  });

  it.skipIf(!specAvailable())('holds every operationId of the official specs under its server prefix', () => {
    if (!specAvailable()) return console.warn(SPEC_MISSING_MESSAGE);
    const prefixOf = (doc: any) => (doc.basePath ?? new URL(doc.servers?.[0]?.url ?? 'https://x').pathname).replace(/\/$/, '');
    let checked = 0;
    for (const file of readdirSync(SPEC_DIR).filter((f) => f.endsWith('.yaml') && f !== 'ecom-v2-merchant-endpoints.yaml')) {
      const doc = parse(readFileSync(resolve(SPEC_DIR, file), 'utf8'));
      for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths ?? {})) {
        if (!path.startsWith('/')) continue; // Vipps ⇒ PSP callbacks (`[makePaymentUrl]`), not requests to Vipps
        for (const [method, op] of Object.entries(ops)) {
          if (!op?.operationId) continue;
          const full = prefixOf(doc) + path;
          expect(classifyRoute(method, sample(full))?.operation, `${file}: ${method.toUpperCase()} ${full}`).toBe(op.operationId);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(48);
  });

  it('has no route shadowed by an earlier one', () => {
    for (const r of API_ROUTES) expect(classifyRoute(r.method, sample(r.path)), `${r.method} ${r.path}`).toMatchObject({ api: r.api, operation: r.operation });
  });

  it('matches paths case-insensitively, with a trailing slash, HEAD as GET; unknown paths are unknown', () => {
    expect(classifyRoute('POST', '/accessToken/get')?.operation).toBe('fetchAuthorizationTokenUsingPost');
    expect(classifyRoute('HEAD', '/epayment/v1/payments/r%2F1/')).toMatchObject({ operation: 'getPayment', params: { reference: 'r/1' } });
    expect(classifyRoute('GET', '/epayment/v1/payments')).toBeUndefined();
    expect(classifyRequest('GET', '/nowhere', {}, undefined)).toEqual({ api: 'unknown', msn: undefined });
  });
});

describe('classifyRequest: operation, MSN, reference and key, where the sandbox finds them', () => {
  const h = { 'merchant-serial-number': '123456', 'idempotency-key': 'idem-1', 'x-request-id': 'req-1' };
  it.each([
    ['POST', '/epayment/v1/payments', { reference: 'ep-1' }, { api: 'epayment', operation: 'createPayment', reference: 'ep-1', idempotencyKey: 'idem-1', msn: '123456' }],
    ['GET', '/epayment/v1/payments/ep-2', undefined, { operation: 'getPayment', reference: 'ep-2' }],
    ['POST', '/epayment/v1/payments/ep-3/capture', { modificationAmount: { value: 1, currency: 'NOK' } }, { operation: 'capturePayment', reference: 'ep-3' }],
    ['GET', '/epayment/v1/payments/ep-4/events', undefined, { operation: 'getPaymentEventLog', reference: 'ep-4' }],
    ['POST', '/epayment/v1/test/payments/ep-5/approve', {}, { operation: 'forceApprove', reference: 'ep-5' }],
    ['POST', '/accesstoken/get', undefined, { api: 'access-token', operation: 'fetchAuthorizationTokenUsingPost', reference: undefined }],
    ['POST', '/webhooks/v1/webhooks', { url: 'https://x', events: [] }, { api: 'webhooks', operation: 'registerWebhook', reference: undefined }],
    ['DELETE', '/webhooks/v1/webhooks/5c8b2c9e-0000-0000-0000-000000000000', undefined, { api: 'webhooks', operation: 'deleteWebhook' }],
    ['POST', '/ecomm/v2/payments', { transaction: { orderId: 'ec-1' } }, { api: 'ecom-v2', operation: 'initiatePaymentV3UsingPOST', reference: 'ec-1', idempotencyKey: 'req-1' }],
    ['PUT', '/ecomm/v2/payments/ec-2/cancel', {}, { operation: 'cancelPaymentRequestUsingPUT', reference: 'ec-2' }],
    ['POST', '/psp/v2/psppayments/updatestatus', { transactions: [{ pspTransactionId: 'psp-1' }] }, { api: 'psp-v2', operation: 'updatestatusUsingPOST', reference: 'psp-1', idempotencyKey: undefined }],
    ['GET', '/psp/v3/psppayments/psp-2/details', undefined, { api: 'psp-v3', operation: 'getPSPPaymentDetailsUsingGET', reference: 'psp-2' }],
    ['POST', '/order-management/v2/ecom/receipts/om-1', {}, { api: 'order-management', operation: 'postReceiptV2', reference: 'om-1' }],
    ['GET', '/vipps-userinfo-api/userinfo/sub-1', undefined, { api: 'userinfo', operation: 'getUserinfo' }],
    ['POST', '/qr/v1/merchant-redirect', {}, { api: 'qr', operation: 'CreateMerchantRedirectQr' }],
  ])('%s %s', (method, path, body, want) => {
    expect(classifyRequest(method, path, h, body)).toMatchObject(want);
  });

  it('takes eCom\'s MSN from the body when the header is absent', () => {
    expect(classifyRequest('POST', '/ecomm/v2/payments', {}, { merchantInfo: { merchantSerialNumber: '654321' }, transaction: { orderId: 'o' } }).msn).toBe('654321');
  });
});
