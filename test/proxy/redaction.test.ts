import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { Redactor } from '../../src/traffic/redact.ts';
import { startProxy, startUpstream, until } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWFjY2Vzcy10b2tlbi1wYXlsb2Fk.c2lnbmF0dXJlLXNlY3JldA';
const CLIENT_SECRET = 'Y8Kteew6GE2ZmeycEt6egg==';
const SUBSCRIPTION_KEY = '0f14ebcab0ec4b29ae0cb90d91b4a84a';
const REFRESH = 'refresh-token-value-123456';

describe('recording proxy: secrets never reach the log unredacted', () => {
  it('masks Authorization, client_secret, the subscription key and tokens in bodies, and keeps fingerprints comparable', async () => {
    const upstream = await startUpstream((req, res) => {
      if (req.url === '/accesstoken/get') {
        const body = JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: ACCESS_TOKEN, refresh_token: REFRESH });
        return res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }).end(body);
      }
      // An upstream echoing the token back in a body field without a secret name, and in a header.
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': `seen ${ACCESS_TOKEN}` }).end(JSON.stringify({ echo: ACCESS_TOKEN, reference: 'sec-1' }));
    });
    cleanups.push(() => upstream.close());
    const redactor = new Redactor();
    const proxy = await startProxy(upstream.url, { redactor });
    cleanups.push(() => proxy.close());

    const token = await request(`${proxy.url}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: 'fb492b5e-7907-4d83-ba20-c7fb60ca35de', client_secret: CLIENT_SECRET, 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY, 'Merchant-Serial-Number': '123456' },
    });
    // The integration gets the real token: redaction is for the record only.
    expect(((await token.body.json()) as { access_token: string }).access_token).toBe(ACCESS_TOKEN);
    const get = await request(`${proxy.url}/epayment/v1/payments/sec-1?t=${ACCESS_TOKEN}`, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}`, 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY, 'Merchant-Serial-Number': '123456' },
    });
    expect(get.headers['x-echo']).toBe(`seen ${ACCESS_TOKEN}`);
    await get.body.dump();
    const form = await request(`${proxy.url}/miami/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_secret=${encodeURIComponent(CLIENT_SECRET)}`,
    });
    await form.body.dump();
    await until(() => proxy.log.length === 3);

    const everything = JSON.stringify(proxy.log.all());
    for (const secret of [ACCESS_TOKEN, CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), SUBSCRIPTION_KEY, REFRESH]) expect(everything).not.toContain(secret);

    const [fetch, read, miami] = proxy.log.all();
    expect(fetch).toMatchObject({ api: 'access-token', operation: 'fetchAuthorizationTokenUsingPost', msn: '123456' });
    expect(fetch.request.headers.client_secret).toMatch(/^\[REDACTED:[0-9a-f]{8}\]$/);
    const tokenMark = (fetch.response?.body as { access_token: string }).access_token;
    expect(tokenMark).toMatch(/^\[REDACTED:[0-9a-f]{8}\]$/);
    // Same token, same fingerprint: checks can still tell reuse from a token per request.
    expect(read.request.headers.authorization).toBe(`Bearer ${tokenMark}`);
    expect(read.request.url).toBe(`/epayment/v1/payments/sec-1?t=${tokenMark}`);
    expect(read.request.headers['ocp-apim-subscription-key']).toBe(fetch.request.headers['ocp-apim-subscription-key']);
    expect(read.response?.body).toEqual({ echo: tokenMark, reference: 'sec-1' });
    expect(read).toMatchObject({ operation: 'getPayment', reference: 'sec-1' });
    expect(miami).toMatchObject({ api: 'access-token', operation: 'fetchToken' });
    expect(String(miami.request.body)).toMatch(/^grant_type=client_credentials&client_secret=/);
    // The run's redactor learnt them, for every other output.
    expect(redactor.text(`x ${ACCESS_TOKEN} y`)).toBe(`x ${tokenMark} y`);
  });
});
