import { describe, expect, it } from 'vitest';
import { AcquirerError, AcquirerStub, mask } from '../src/acquirer.ts';
import { normaliseCardType } from '../src/card-callback.ts';
import { FAULT_NAMES, FAULTS, loadConfig, parseFaults } from '../src/config.ts';
import { contentHash, HMAC_PREFIX, signature, signRequest, verifyHmac } from '../src/hmac.ts';
import { luhnValid, testCardNumber } from './fake-vipps.ts';

describe('acquirer stub', () => {
  const card = (last4: string) => testCardNumber(last4);

  it('declines numbers ending in 0002 with 300 Refused by Issuer', () => {
    const a = new AcquirerStub();
    expect(a.authorize({ number: card('0002'), cardType: 'MC_DEBIT', amount: 1000, currency: 'NOK' })).toEqual({ outcome: 'declined', code: 300, message: 'Refused by Issuer', reason: 'refused' });
  });

  it('declines 0051 for insufficient funds and 0069 as an expired card', () => {
    const a = new AcquirerStub();
    expect(a.authorize({ number: card('0051'), cardType: 'VISA_DEBIT', amount: 1000, currency: 'NOK' })).toEqual({ outcome: 'declined', code: 308, message: 'Insufficient funds', reason: 'insufficient-funds' });
    expect(a.authorize({ number: card('0069'), cardType: 'VISA_DEBIT', amount: 1000, currency: 'NOK' })).toEqual({ outcome: 'declined', code: 309, message: 'Expired card', reason: 'expired-card' });
  });

  it('asks for 3-D Secure on numbers ending in 3220, and approves them once it is done', () => {
    const a = new AcquirerStub();
    const n = card('3220');
    expect(a.authorize({ number: n, cardType: 'VISA_CREDIT', amount: 1000, currency: 'NOK' })).toEqual({ outcome: '3ds-required' });
    expect(a.authorize({ number: n, cardType: 'VISA_CREDIT', amount: 1000, currency: 'NOK', threeDSecureDone: true }).outcome).toBe('approved');
  });

  it('approves other cards and keeps the reservation: capture, refund and release within it', () => {
    const a = new AcquirerStub();
    const r = a.authorize({ number: card('1234'), cardType: 'VISA_DEBIT', amount: 1000, currency: 'NOK' });
    if (r.outcome !== 'approved') throw new Error('expected approval');
    expect(r.networkTransactionReference).toMatch(/^\d+$/);
    a.capture(r.networkTransactionReference, 600);
    expect(() => a.capture(r.networkTransactionReference, 500)).toThrow(AcquirerError);
    a.refund(r.networkTransactionReference, 200);
    expect(() => a.refund(r.networkTransactionReference, 401)).toThrow(AcquirerError);
    expect(a.release(r.networkTransactionReference)).toBe(400);
    expect(a.remaining(r.networkTransactionReference)).toBe(0);
    expect(a.log.map((l) => l.cardType)).toEqual(['VISA_DEBIT']);
    expect(a.log[0].number).not.toContain(card('1234').slice(6, 12));
  });

  it('masks card numbers and generates Luhn-valid test numbers with the requested ending', () => {
    const n = testCardNumber('3220');
    expect(n).toHaveLength(16);
    expect(n.endsWith('3220')).toBe(true);
    expect(luhnValid(n)).toBe(true);
    expect(mask(n)).toBe(`${n.slice(0, 6)}XXXXXX3220`);
  });
});

describe('HMAC (Webhooks request authentication)', () => {
  it('matches the published known-answer test', () => {
    const secret = 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==';
    const body = '{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}';
    const date = 'Thu, 30 Mar 2023 08:38:32 GMT';
    expect(contentHash(body)).toBe('lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=');
    expect(signature(secret, 'POST', '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', date, 'webhook.site', contentHash(body))).toBe('agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=');
    const headers = signRequest(secret, 'https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', body, date);
    expect(headers.authorization).toBe(`${HMAC_PREFIX}agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=`);
    const req = { method: 'POST', pathAndQuery: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', host: 'webhook.site', headers, rawBody: Buffer.from(body) };
    expect(verifyHmac(secret, req)).toBe(true);
    expect(verifyHmac('wrong', req)).toBe(false);
    expect(verifyHmac(secret, { ...req, rawBody: Buffer.from(`${body} `) })).toBe(false);
  });
});

describe('config', () => {
  const env = { VIPPS_CLIENT_ID: 'a', VIPPS_CLIENT_SECRET: 'b', VIPPS_SUBSCRIPTION_KEY: 'c', VIPPS_PSP_ID: 'd', VIPPS_MSN: '223344' };

  it('names every fault switch with a one-line description and refuses unknown ones', () => {
    expect(FAULT_NAMES).toEqual(['slow-callback', 'decline-as-500', 'accept-wrong-auth', 'unknown-status', 'no-report-after-timeout', 'ignore-card-type', 'reuse-psp-reference', 'no-psp-id', 'no-system-headers', 'webhooks-only']);
    for (const name of FAULT_NAMES) expect(FAULTS[name]).toMatch(/^[^\n]+\.\)?$/);
    expect([...parseFaults('slow-callback, no-psp-id')]).toEqual(['slow-callback', 'no-psp-id']);
    expect(() => parseFaults('slow-callbak')).toThrow(/unknown REFERENCE_PSP_FAULTS: slow-callbak/);
  });

  it('reads its environment: PUBLIC_URL defaults to the port, the PSP id and MSN are required', () => {
    const c = loadConfig({ ...env, GOLIVE_INTEGRATION_PORT: '4555' });
    expect(c.publicUrl).toBe('http://127.0.0.1:4555');
    expect(c.pspId).toBe('d');
    expect(loadConfig({ ...env, PUBLIC_URL: 'https://psp.example/' }).publicUrl).toBe('https://psp.example');
    expect(() => loadConfig({ ...env, VIPPS_PSP_ID: '' })).toThrow(/VIPPS_PSP_ID/);
  });

  it('reads the callback cardType as an allowed-type word', () => {
    expect(normaliseCardType('VISA-DEBIT')).toBe('VISA_DEBIT');
    expect(normaliseCardType('visa-dankort')).toBe('VISA_DANKORT');
    expect(normaliseCardType('MC_CREDIT')).toBe('MC_CREDIT');
  });
});
