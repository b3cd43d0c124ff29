import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';

describe('Access Token API', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      merchants: [{ msn: '654321', clientId: 'second-client', clientSecret: 'second-secret-value', subscriptionKeys: ['second-sub-key'] }],
    });
  });
  afterAll(() => sandbox.close());

  const headersFor = (m: { clientId: string; clientSecret: string; subscriptionKeys: string[]; msn: string }) => ({
    client_id: m.clientId,
    client_secret: m.clientSecret,
    'Ocp-Apim-Subscription-Key': m.subscriptionKeys[0],
    'Merchant-Serial-Number': m.msn,
  });

  it('issues a Bearer token with every field a string, for an empty JSON body', async () => {
    const res = await call(sandbox.url, 'POST', '/accesstoken/get', {
      headers: { ...headersFor(TEST_MERCHANT), 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json;\s*charset=UTF-8/i);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.body.expires_in).toBe('3600');
    for (const k of ['token_type', 'expires_in', 'ext_expires_in', 'expires_on', 'not_before', 'resource', 'access_token']) {
      expect(typeof res.body[k]).toBe('string');
    }
    expect(res.body.access_token.split('.')).toHaveLength(3);
    expect(Number(res.body.expires_on) - Number(res.body.not_before)).toBe(3600);
  });

  it('serves several merchants, each with its own keys', async () => {
    const res = await call(sandbox.url, 'POST', '/accesstoken/get', {
      headers: headersFor({ msn: '654321', clientId: 'second-client', clientSecret: 'second-secret-value', subscriptionKeys: ['second-sub-key'] }),
    });
    expect(res.status).toBe(200);
    // The second merchant's keys do not unlock the first merchant's MSN.
    const crossed = await call(sandbox.url, 'POST', '/accesstoken/get', {
      headers: { ...headersFor({ msn: '123456', clientId: 'second-client', clientSecret: 'second-secret-value', subscriptionKeys: ['second-sub-key'] }) },
    });
    expect(crossed.status).toBe(403);
  });

  it('answers 401 for a wrong client secret, in Azure AD shape', async () => {
    const res = await call(sandbox.url, 'POST', '/accesstoken/get', { headers: { ...headersFor(TEST_MERCHANT), client_secret: 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body.error_codes).toEqual([7000215]);
  });

  it('answers 400 for an unknown client_id and 401 for a missing or invalid subscription key', async () => {
    expect((await call(sandbox.url, 'POST', '/accesstoken/get', { headers: { ...headersFor(TEST_MERCHANT), client_id: 'nope' } })).status).toBe(400);
    const missing = await call(sandbox.url, 'POST', '/accesstoken/get', { headers: { client_id: TEST_MERCHANT.clientId, client_secret: TEST_MERCHANT.clientSecret } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ statusCode: 401, message: expect.stringContaining('missing subscription key') });
    const invalid = await call(sandbox.url, 'POST', '/accesstoken/get', { headers: { ...headersFor(TEST_MERCHANT), 'Ocp-Apim-Subscription-Key': 'bogus' } });
    expect(invalid.status).toBe(401);
    expect(invalid.body.message).toContain('invalid subscription key');
  });

  it('lets tokens expire on the sandbox clock', async () => {
    const res = await call(sandbox.url, 'POST', '/accesstoken/get', { headers: headersFor(TEST_MERCHANT) });
    const token = res.body.access_token as string;
    expect(sandbox.ctx.tokens.verify(token, sandbox.clock.now())).not.toBe('expired');
    sandbox.clock.advance(3600 * 1000);
    expect(sandbox.ctx.tokens.verify(token, sandbox.clock.now())).toBe('expired');
  });

  it('records every exchange in the traffic log', async () => {
    const before = sandbox.traffic.lastSeq;
    await call(sandbox.url, 'POST', '/accesstoken/get', { headers: headersFor(TEST_MERCHANT) });
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'access-token' });
    expect(e.operation).toBe('fetchAuthorizationTokenUsingPost');
    expect(e.msn).toBe('123456');
    expect(e.response?.status).toBe(200);
    expect((e.response?.body as any).token_type).toBe('Bearer');
  });
});

import { specAvailable, SPEC_MISSING_MESSAGE, validateTraffic } from '../helpers/openapi.ts';

describe.skipIf(!specAvailable())('Access Token API contract', () => {
  it('every recorded response validates against access-token.yaml', async () => {
    const sandbox = await startSandbox();
    try {
      await call(sandbox.url, 'POST', '/accesstoken/get', {
        headers: { client_id: TEST_MERCHANT.clientId, client_secret: TEST_MERCHANT.clientSecret, 'Ocp-Apim-Subscription-Key': TEST_MERCHANT.subscriptionKeys[0] },
      });
      const { validated, failures } = await validateTraffic(sandbox.traffic.all());
      expect(failures).toEqual([]);
      expect(validated).toBe(1);
    } finally {
      await sandbox.close();
    }
  });
});
if (!specAvailable()) console.warn(SPEC_MISSING_MESSAGE);
