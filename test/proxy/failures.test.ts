import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { upstreamFailure } from '../../src/proxy/failures.ts';
import { environmentProblemOf } from '../../src/traffic/environment.ts';
import { deadPort, rawRequest, startProxy, startUpstream, until } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function pair(handler: Parameters<typeof startUpstream>[0], options = {}) {
  const upstream = await startUpstream(handler);
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, options);
  cleanups.push(() => proxy.close());
  return { upstream, proxy };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording proxy: upstream failures are environment problems', () => {
  it('passes a slow answer that comes within the timeout', async () => {
    const { proxy } = await pair(async (_req, res) => {
      await sleep(150);
      res.end('{"late":"but in time"}');
    }, { timeoutMs: 1_000 });
    const res = await request(`${proxy.url}/epayment/v1/payments/slow-1`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('{"late":"but in time"}');
    await until(() => proxy.log.length === 1);
    expect(environmentProblemOf(proxy.log.all()[0])).toBeUndefined();
  });

  it('answers 504 when the upstream sends no headers in time, recorded as environment', async () => {
    const { proxy } = await pair(async (_req, res) => {
      await sleep(600);
      if (!res.destroyed) res.end('too late');
    }, { timeoutMs: 200 });
    const res = await request(`${proxy.url}/epayment/v1/payments/slow-2`);
    expect(res.statusCode).toBe(504);
    expect(res.headers['x-golive-proxy-error']).toBe('upstream-timeout');
    expect(((await res.body.json()) as { error: string }).error).toMatch(/^golive proxy: upstream did not answer in time/);
    await until(() => proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect(environmentProblemOf(e)).toMatchObject({ kind: 'environment problem', cause: 'upstream-timeout' });
    expect(e).toMatchObject({ api: 'epayment', operation: 'getPayment', reference: 'slow-2', response: { status: 504 } });
    expect(e.error).toMatch(/no answer from upstream/);
  });

  it('answers 502 when the upstream is down, also with a request body in flight', async () => {
    const proxy = await startProxy(`http://127.0.0.1:${await deadPort()}`);
    cleanups.push(() => proxy.close());
    const res = await request(`${proxy.url}/epayment/v1/payments`, { method: 'POST', body: JSON.stringify({ reference: 'down-1', pad: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-golive-proxy-error']).toBe('upstream-unreachable');
    expect(((await res.body.json()) as { error: string }).error).toMatch(/^golive proxy: upstream unreachable .*ECONNREFUSED/);
    await until(() => proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect(environmentProblemOf(e)?.cause).toBe('upstream-unreachable');
    expect(e).toMatchObject({ operation: 'createPayment', reference: 'down-1' });
  });

  it('aborts the answer when the upstream resets mid-body: no truncated success', async () => {
    const { proxy } = await pair((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    await expect(request(`${proxy.url}/epayment/v1/payments/reset-1`).then((r) => r.body.text())).rejects.toThrow();
    const raw = await rawRequest(proxy.url, 'GET /epayment/v1/payments/reset-2 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw.raw.toString()).toMatch(/^HTTP\/1\.1 200/);
    expect(raw.raw.toString()).not.toMatch(/\r\n0\r\n\r\n$/); // never a clean chunked end
    await until(() => proxy.log.length === 2);
    for (const e of proxy.log.all()) {
      expect(environmentProblemOf(e)?.cause).toBe('upstream-reset');
      expect(e.error).toMatch(/mid-body/);
    }
  });

  it('aborts the answer when the upstream stalls mid-body beyond the timeout', async () => {
    const { proxy } = await pair((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"stalled":'); // and nothing more
    }, { timeoutMs: 200 });
    const t0 = Date.now();
    await expect(request(`${proxy.url}/epayment/v1/payments/stall-1`).then((r) => r.body.text())).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1_500);
    await until(() => proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect(environmentProblemOf(e)?.cause).toBe('upstream-timeout');
    expect(e.response?.status).toBe(200);
    expect(e.error).toMatch(/mid-body/);
  });

  it('does not time out an upstream held back by a slowly reading client', async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 'y');
    const { proxy } = await pair((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': big.length }).end(big), { timeoutMs: 200 });
    const res = await request(`${proxy.url}/slow-reader`);
    await sleep(600); // far beyond the timeout, with the proxy's buffers full
    let n = 0;
    for await (const chunk of res.body) n += (chunk as Buffer).length;
    expect(n).toBe(big.length);
    await until(() => proxy.log.length === 1);
    expect(environmentProblemOf(proxy.log.all()[0])).toBeUndefined();
    expect(proxy.log.all()[0].error).toBeUndefined();
  });

  it('answers 502 on a TLS failure (an https upstream that speaks plain HTTP)', async () => {
    const plain = await startUpstream((_req, res) => res.end('not tls'));
    cleanups.push(() => plain.close());
    const proxy = await startProxy(plain.url.replace('http:', 'https:'));
    cleanups.push(() => proxy.close());
    const res = await request(`${proxy.url}/accesstoken/get`, { method: 'POST' });
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-golive-proxy-error']).toBe('upstream-tls');
    await res.body.dump();
    await until(() => proxy.log.length === 1);
    expect(environmentProblemOf(proxy.log.all()[0])?.cause).toBe('upstream-tls');
  });

  it('names DNS failures and undici timeouts by their codes, also when wrapped', () => {
    const wrapped = (code: string) => Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    expect(upstreamFailure(wrapped('ENOTFOUND'), 'https://apitest.vipps.no')).toMatchObject({ status: 502, cause: 'upstream-dns' });
    expect(upstreamFailure(wrapped('EAI_AGAIN'), 'u').cause).toBe('upstream-dns');
    expect(upstreamFailure(wrapped('UND_ERR_CONNECT_TIMEOUT'), 'u')).toMatchObject({ status: 504, cause: 'upstream-timeout' });
    expect(upstreamFailure(wrapped('CERT_HAS_EXPIRED'), 'u').cause).toBe('upstream-tls');
    expect(upstreamFailure(new Error('odd'), 'u')).toMatchObject({ status: 502, cause: 'upstream-error' });
  });

  it('aborts the upstream request when the integration goes away, and records that', async () => {
    let upstreamSawClose = false;
    const { proxy } = await pair((req, res) => {
      res.writeHead(200);
      res.write('x');
      res.on('close', () => (upstreamSawClose = true));
    });
    const res = await request(`${proxy.url}/epayment/v1/payments/gone-1`);
    res.body.destroy();
    await until(() => upstreamSawClose && proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect(e.notes?.clientAborted).toBe(true);
    expect(environmentProblemOf(e)).toBeUndefined();
  });

  it('passes a 429 through byte for byte (backoff is the integration\'s business)', async () => {
    const body = '{"type":"https://example/rate","title":"Too Many Requests","status":429}';
    const { upstream, proxy } = await pair((_req, res) => res.writeHead(429, 'Too Many Requests', { 'retry-after': '7', 'content-type': 'application/problem+json', 'content-length': body.length }).end(body));
    const raw = await rawRequest(proxy.url, 'POST /epayment/v1/payments/r/capture HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
    const text = raw.raw.toString();
    expect(text).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(text).toMatch(/\r\nretry-after: 7\r\n/i);
    expect(text.endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(upstream.received).toHaveLength(1); // no retry by the proxy
    await until(() => proxy.log.length === 1);
    expect(environmentProblemOf(proxy.log.all()[0])).toBeUndefined();
  });

  it('queues requests over the rate limit instead of refusing them', async () => {
    const at: number[] = [];
    const { proxy } = await pair((_req, res) => {
      at.push(performance.now());
      res.end('ok');
    }, { rateLimit: { requestsPerSecond: 20 } });
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => request(`${proxy.url}/q/${i}`).then((r) => r.body.text())));
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // 20/s with a burst of 1: one request every 50 ms at most.
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThan(40);
    await until(() => proxy.log.length === 5);
    expect(proxy.log.all().filter((e) => Number(e.notes?.rateLimitQueuedMs) > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('leaves nothing behind when closed with a request in flight', async () => {
    const { proxy } = await pair(() => {
      /* never answers */
    }, { timeoutMs: 10_000 });
    const pending = request(`${proxy.url}/hang`).then(
      (r) => r.statusCode,
      () => 'aborted',
    );
    await sleep(50);
    await proxy.close();
    expect(await pending).toBe('aborted');
  });
});
