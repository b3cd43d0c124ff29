import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRequestSchemas, REQUEST_SCHEMAS_FILE } from '../../scripts/export-request-schemas.ts';
import { specShapeErrors } from '../../src/sandbox/shared/spec-shapes.ts';
import { SPEC_MISSING_MESSAGE, specAvailable } from '../helpers/openapi.ts';

describe('request schemas compiled from the official specs', () => {
  it.skipIf(!specAvailable())(`are what the specs say now (${specAvailable() ? 'specs found' : SPEC_MISSING_MESSAGE})`, async () => {
    const fresh = `${JSON.stringify(await buildRequestSchemas(), null, 1)}\n`;
    expect(readFileSync(REQUEST_SCHEMAS_FILE, 'utf8'), 'stale: run node bin/run-ts.mjs scripts/export-request-schemas.ts').toBe(fresh);
  });

  it('name fields in the APIs’ path style, null as absent, one error per field', () => {
    const errors = specShapeErrors('epayment-v1', 'createPayment', {
      amount: { currency: 'SEK', value: null },
      paymentMethod: null,
      reference: 'acme-1234',
      userFlow: 'WEB_REDIRECT',
      returnUrl: null,
      paymentDescription: 'ab',
      receipt: { orderLines: [{ name: 'x', id: '1', totalAmount: '10', totalAmountExcludingTax: 8, totalTaxAmount: 2, taxRate: 2500 }], bottomLine: { currency: 'NOK' } },
    });
    expect(errors).toEqual([
      { name: 'amount.currency', reason: 'must be one of NOK, DKK, EUR.' },
      { name: 'amount.value', reason: 'The property is required and cannot be null.' },
      { name: 'paymentMethod', reason: 'The property is required and cannot be null.' },
      { name: 'paymentDescription', reason: 'The length must be between 3 and 100.' },
      { name: 'receipt.orderLines[0].totalAmount', reason: 'The value must be an integer.' },
    ]);
  });

  it('let a oneOf speak through the branch the client meant, or as one error', () => {
    const meant = specShapeErrors('epayment-v1', 'forceApprove', { customer: { phoneNumber: 4791234567 } });
    expect(meant).toEqual([{ name: 'customer.phoneNumber', reason: 'The value must be a string.' }]);
    const none = specShapeErrors('epayment-v1', 'forceApprove', { customer: {} });
    expect(none).toEqual([{ name: 'customer', reason: 'Exactly one of phoneNumber, personalQr, customerToken is required.' }]);
  });

  it('leave deferred constraints to the API’s own rules', () => {
    const body = { customer: { phoneNumber: '12' } };
    expect(specShapeErrors('epayment-v1', 'forceApprove', body).length).toBeGreaterThan(0);
    expect(specShapeErrors('epayment-v1', 'forceApprove', body, { deferred: (path) => path === '/customer/phoneNumber' })).toEqual([]);
  });
});
