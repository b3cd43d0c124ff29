import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApiSide, type TestApiSide } from '../../src/runner/test-api-side.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { startUpstream, type TestUpstream } from '../proxy/helpers.ts';

describe("golive's own lane to the test API", () => {
  let upstream: TestUpstream | undefined;
  let side: TestApiSide | undefined;
  afterEach(async () => {
    await side?.close();
    await upstream?.close();
  });

  it('shares the rate limit with the integration, and its calls are not recorded as the integration\'s', async () => {
    const arrived: number[] = [];
    upstream = await startUpstream((_req, res) => {
      arrived.push(performance.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"state":"CREATED"}');
    });
    side = await startTestApiSide({ upstream: upstream.url, redactor: new Redactor(), timeoutMs: 5000, requestsPerSecond: 2, relay: { forwardTo: 'http://127.0.0.1:9' } });
    const get = async (base: string) => {
      const res = await request(`${base}/epayment/v1/payments/acme-1`, { headers: { 'merchant-serial-number': '123456' } });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('{"state":"CREATED"}');
    };
    // The integration's call takes the one token; golive's call right after must wait for the next (500 ms at 2/s).
    await Promise.all([get(side.proxyUrl), get(side.laneUrl)]);
    expect(upstream.received.map((r) => r.url)).toEqual(['/epayment/v1/payments/acme-1', '/epayment/v1/payments/acme-1']);
    expect(arrived[1] - arrived[0]).toBeGreaterThanOrEqual(400);
    // Only the integration's call is its traffic.
    expect(side.log.all().map((e) => e.operation)).toEqual(['getPayment']);
  });
});
