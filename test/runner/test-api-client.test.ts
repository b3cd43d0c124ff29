import { afterEach, describe, expect, it } from 'vitest';
import { retryAfterMs, TestApiClient } from '../../src/runner/drivers/test-api-client.ts';
import { EnvironmentProblem } from '../../src/shared/errors.ts';
import { startUpstream, type TestUpstream } from '../proxy/helpers.ts';

const credentials = { msn: '123456', clientId: 'id', clientSecret: 'secret', subscriptionKey: 'key' };

describe("golive's client for the test API", () => {
  let upstream: TestUpstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  /** A test API that rate-limits GET payment `limited` times, with this Retry-After, then answers. */
  async function rateLimited(limited: number, retryAfter?: string): Promise<TestUpstream> {
    let left = limited;
    return startUpstream((req, res) => {
      if (req.url === '/accesstoken/get') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t","expires_in":3600}');
      if (left-- > 0) return void res.writeHead(429, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end('{"title":"Too Many Requests"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"reference":"acme-1","state":"CREATED"}');
    });
  }

  it('backs off on 429 as Retry-After says, then reads the payment', async () => {
    upstream = await rateLimited(2, '0');
    const payment = await new TestApiClient(upstream.url, credentials, 5000).findPayment('acme-1');
    expect(payment).toMatchObject({ reference: 'acme-1', state: 'CREATED' });
    expect(upstream.received.filter((r) => r.url.startsWith('/epayment/')).length).toBe(3);
  });

  it('gives up within its timeout and reports the 429 as an environment problem, not a verdict', async () => {
    upstream = await rateLimited(100, '30');
    const read = new TestApiClient(upstream.url, credentials, 1000).findPayment('acme-1');
    await expect(read).rejects.toBeInstanceOf(EnvironmentProblem);
    await expect(read).rejects.toThrow(/HTTP 429/);
    // A Retry-After beyond the timeout is not waited for: one attempt only.
    expect(upstream.received.filter((r) => r.url.startsWith('/epayment/')).length).toBe(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 01 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
