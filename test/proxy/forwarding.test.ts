import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { rawRequest, startProxy, startUpstream, until } from './helpers.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
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
const headerBlock = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0];

describe('recording proxy: byte-for-byte forwarding', () => {
  it.each([
    [207, 'Multi-Status'],
    [418, 'Short And Stout'],
    [503, 'Service Unavailable'],
  ])('passes status %i with its status text and repeated headers through', async (status, text) => {
    const { proxy } = await pair((_req, res) => {
      res.writeHead(status, text, ['Set-Cookie', 'a=1; Path=/', 'Set-Cookie', 'b=2; Path=/', 'X-Repeat', 'one', 'X-Repeat', 'two', 'Content-Type', 'application/json', 'Content-Length', '11']);
      res.end('{"ok":true}');
    });
    const { raw, broken } = await rawRequest(proxy.url, 'GET /epayment/v1/payments/r-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(broken).toBe(false);
    const head = headerBlock(raw);
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${text}`);
    expect(head.match(/^set-cookie: .*$/gim)).toEqual(['set-cookie: a=1; Path=/', 'set-cookie: b=2; Path=/']);
    expect(head.match(/^x-repeat: .*$/gim)).toEqual(['x-repeat: one', 'x-repeat: two']);
    expect(raw.toString('latin1').endsWith('\r\n\r\n{"ok":true}')).toBe(true);
    await until(() => proxy.log.length === 1);
    const [e] = proxy.log.all();
    expect(e.response?.status).toBe(status);
    expect(e.response?.headers['x-repeat']).toEqual(['one', 'two']);
    expect(e.response?.body).toEqual({ ok: true });
  });

  it('forwards repeated request headers, rewrites Host, drops hop-by-hop headers', async () => {
    const { upstream, proxy } = await pair((_req, res) => res.end());
    const req =
      'GET /anything?q=1 HTTP/1.1\r\nHost: proxy.local\r\nX-Trace: a\r\nX-Trace: b\r\nConnection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\n' +
      'Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\n\r\n';
    const res = await rawRequest(proxy.url, req.replace('keep-alive, X-Secret-Hop', 'close, X-Secret-Hop'));
    expect(headerBlock(res.raw)).toMatch(/^HTTP\/1\.1 200 OK/);
    const got = upstream.received[0];
    expect(got.url).toBe('/anything?q=1');
    const names = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    const values = (name: string) => got.rawHeaders.filter((_, i) => i % 2 === 1 && got.rawHeaders[i - 1].toLowerCase() === name);
    expect(values('x-trace')).toEqual(['a', 'b']);
    expect(values('host')).toEqual([new URL(upstream.url).host]);
    for (const hop of ['x-secret-hop', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) expect(names).not.toContain(hop);
  });

  it('forwards a binary body both ways unchanged', async () => {
    const sent = randomBytes(64 * 1024);
    const answer = randomBytes(70 * 1024);
    const { upstream, proxy } = await pair((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(answer));
    const res = await request(`${proxy.url}/upload`, { method: 'POST', body: sent, headers: { 'content-type': 'application/octet-stream' } });
    const got = Buffer.from(await res.body.arrayBuffer());
    expect(sha(got)).toBe(sha(answer));
    expect(sha(upstream.received[0].body)).toBe(sha(sent));
    await until(() => proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect(e.request.body).toBe('[binary body: 65536 bytes, application/octet-stream]');
    expect(e.response?.body).toBe('[binary body: 71680 bytes, application/octet-stream]');
  });

  it('streams a chunked answer as it comes, and a chunked upload', async () => {
    const parts = ['{"a":', '1,', '"b":2}'];
    let firstSeenBeforeLast = false;
    let release!: () => void;
    const last = new Promise<void>((r) => (release = r));
    const { upstream, proxy } = await pair(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(parts[0]);
      await last; // the client must have seen the first chunk before the upstream sends the rest
      res.write(parts[1]);
      res.end(parts[2]);
    });
    const upload = Readable.from([Buffer.from('{"x":'), Buffer.from('42}')]);
    const res = await request(`${proxy.url}/stream`, { method: 'POST', body: upload, headers: { 'content-type': 'application/json' } });
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const chunks: string[] = [];
    for await (const c of res.body) {
      chunks.push(String(c));
      if (chunks.length === 1) {
        firstSeenBeforeLast = true;
        release();
      }
    }
    expect(firstSeenBeforeLast).toBe(true);
    expect(chunks.join('')).toBe(parts.join(''));
    expect(upstream.received[0].body.toString()).toBe('{"x":42}');
    await until(() => proxy.log.length === 1);
    expect(proxy.log.all()[0].request.body).toEqual({ x: 42 });
    expect(proxy.log.all()[0].response?.body).toEqual({ a: 1, b: 2 });
  });

  it('forwards a body over 1 MiB whole and records its first MiB, noting the cut', async () => {
    const big = Buffer.from('x'.repeat(3 * 1024 * 1024 + 17));
    const { proxy } = await pair((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(big));
    const res = await request(`${proxy.url}/big`);
    expect(sha(Buffer.from(await res.body.arrayBuffer()))).toBe(sha(big));
    await until(() => proxy.log.length === 1);
    const e = proxy.log.all()[0];
    expect((e.response?.body as string).length).toBe(1024 * 1024);
    expect(e.notes?.bodyTruncated).toEqual({ response: big.length, keptBytes: 1024 * 1024 });
  });

  it('passes a gzip body through compressed; the record reads it decoded', async () => {
    const zipped = gzipSync(JSON.stringify({ state: 'AUTHORIZED' }));
    const { proxy } = await pair((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length }).end(zipped));
    const res = await request(`${proxy.url}/epayment/v1/payments/ref-gz`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(await res.body.arrayBuffer()).equals(zipped)).toBe(true);
    await until(() => proxy.log.length === 1);
    expect(proxy.log.all()[0].response?.body).toEqual({ state: 'AUTHORIZED' });
  });

  it('forwards empty bodies (204, 200 with Content-Length 0) and HEAD', async () => {
    const { upstream, proxy } = await pair((req, res) => {
      if (req.url === '/204') return res.writeHead(204).end();
      if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': '1234', 'content-type': 'application/json' }).end();
      res.writeHead(200, { 'content-length': '0' }).end();
    });
    const noContent = await request(`${proxy.url}/204`, { method: 'DELETE' });
    expect(noContent.statusCode).toBe(204);
    expect(await noContent.body.text()).toBe('');
    const empty = await request(`${proxy.url}/empty`, { method: 'POST', body: '', headers: { 'content-length': '0' } });
    expect(empty.headers['content-length']).toBe('0');
    expect(await empty.body.text()).toBe('');
    const head = await rawRequest(proxy.url, 'HEAD /epayment/v1/payments/r-head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.broken).toBe(false);
    expect(headerBlock(head.raw)).toMatch(/content-length: 1234/i);
    expect(head.raw.toString('latin1').endsWith('\r\n\r\n')).toBe(true);
    expect(upstream.received.map((r) => r.method)).toEqual(['DELETE', 'POST', 'HEAD']);
    await until(() => proxy.log.length === 3);
    const [a, b, c] = proxy.log.all();
    expect(a.response?.body).toBeUndefined();
    expect(b.request.body).toBeUndefined();
    expect(c).toMatchObject({ api: 'epayment', operation: 'getPayment', reference: 'r-head' });
  });

  it('reuses its upstream connections (keep-alive)', async () => {
    const { upstream, proxy } = await pair((_req, res) => res.end('ok'));
    const client = new Client(proxy.url);
    cleanups.push(() => client.close());
    for (let i = 0; i < 20; i++) expect(await (await client.request({ path: `/n/${i}`, method: 'GET' })).body.text()).toBe('ok');
    expect(upstream.received).toHaveLength(20);
    expect(upstream.connections).toBe(1);
  });
});

