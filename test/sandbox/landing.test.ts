import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, merchantHeaders, startSandbox } from '../helpers/sandbox.ts';

/** Text content of the element with a data-testid (our pages keep those elements flat). */
function testId(html: string, id: string): string | undefined {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return m?.[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").trim();
}
function stateOf(html: string): string | undefined {
  return /data-testid="landing-status" data-state="([A-Z]+)"/.exec(html)?.[1];
}

async function form(base: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await request(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function get(url: string) {
  const res = await request(url);
  const buf = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, buf, text: buf.toString('utf8') };
}

describe('landing page', () => {
  let sandbox: Sandbox;
  let api: Record<string, string>;
  const returnBase = 'https://shop.example/return';

  beforeAll(async () => {
    sandbox = await startSandbox({ settings: { rateLimits: { enabled: false } } });
    api = await merchantHeaders(sandbox.url);
  });
  afterAll(() => sandbox.close());

  async function createPayment(overrides: Record<string, unknown> = {}) {
    const reference = `landing-${randomUUID()}`;
    const returnUrl = `${returnBase}?order=${reference}&x=1`;
    const res = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
      headers: { ...api, 'Idempotency-Key': randomUUID() },
      body: {
        amount: { currency: 'NOK', value: 49900 },
        paymentMethod: { type: 'WALLET' },
        reference,
        userFlow: 'WEB_REDIRECT',
        returnUrl,
        paymentDescription: 'Two pairs of wool socks',
        ...overrides,
      },
    });
    expect(res.status, res.text).toBe(201);
    const token = new URL(res.body.redirectUrl).searchParams.get('token')!;
    expect(token).toBeTruthy();
    return { reference, returnUrl: (overrides.returnUrl as string) ?? returnUrl, redirectUrl: res.body.redirectUrl as string, token };
  }
  const getPayment = async (reference: string) => (await call(sandbox.url, 'GET', `/epayment/v1/payments/${reference}`, { headers: api })).body;

  it('renders merchant, amount, description, reference and a prefilled phone field', async () => {
    const p = await createPayment({ customer: { phoneNumber: '4791234567' } });
    expect(new URL(p.redirectUrl).pathname).toBe('/landing');
    const res = await get(p.redirectUrl);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(testId(res.text, 'landing-merchant')).toBe('golive test shop');
    expect(testId(res.text, 'landing-amount')).toBe('499,00 kr');
    expect(testId(res.text, 'landing-description')).toBe('Two pairs of wool socks');
    expect(testId(res.text, 'landing-reference')).toBe(p.reference);
    expect(res.text).toMatch(/data-testid="landing-phone"/);
    expect(/<input[^>]*value="(\d+)"[^>]*data-testid="landing-phone"/.exec(res.text)?.[1]).toBe('4791234567');
    expect(res.text).toContain('data-testid="approve-button"');
    expect(res.text).toContain('data-testid="reject-button"');
    expect(stateOf(res.text)).toBe('CREATED');
    expect(res.text).not.toContain('data-testid="landing-error"');
    // Self-contained and framing-proof, no JavaScript, no external assets.
    expect(res.text).not.toMatch(/<script|<link |src="http|href="http/i);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('escapes what the merchant sent', async () => {
    const p = await createPayment({ paymentDescription: '<b>Socks</b> & "more"' });
    const res = await get(p.redirectUrl);
    expect(res.text).toContain('&lt;b&gt;Socks&lt;/b&gt; &amp; &quot;more&quot;');
    expect(testId(res.text, 'landing-description')).toBe('<b>Socks</b> & "more"');
  });

  it('approve: 303 to returnUrl unchanged, no cookie, payment AUTHORIZED, recorded in traffic', async () => {
    const p = await createPayment();
    const before = sandbox.traffic.lastSeq;
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '47 912 34 567' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(p.returnUrl);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await getPayment(p.reference)).state).toBe('AUTHORIZED');
    const [e] = sandbox.traffic.query({ afterSeq: before, api: 'landing' });
    expect(e).toMatchObject({ kind: 'control', operation: 'approveOnLandingPage', msn: '123456', reference: p.reference });
    expect(e.notes).toMatchObject({ action: 'approve', outcome: 'AUTHORIZED' });
  });

  it('reject: 303 to returnUrl, payment ABORTED; the page then shows the final state with a link back', async () => {
    const p = await createPayment();
    const res = await form(sandbox.url, '/landing/reject', { token: p.token, phone: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(p.returnUrl);
    expect((await getPayment(p.reference)).state).toBe('ABORTED');
    const again = await get(p.redirectUrl);
    expect(again.status).toBe(200);
    expect(stateOf(again.text)).toBe('ABORTED');
    expect(again.text).toContain(`href="${p.returnUrl.replace(/&/g, '&amp;')}"`);
    expect(again.text).not.toContain('data-testid="approve-button"');
  });

  it('redirect=false: stays on the sandbox with a "you can close this window" page', async () => {
    const p = await createPayment();
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '4791234567', redirect: 'false' });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(testId(res.text, 'landing-done')).toMatch(/you can close this window/);
    expect(stateOf(res.text)).toBe('AUTHORIZED');
    expect((await getPayment(p.reference)).state).toBe('AUTHORIZED');
  });

  it('a final payment cannot be approved again: 409 page with the state and the error', async () => {
    const p = await createPayment();
    await form(sandbox.url, '/landing/reject', { token: p.token });
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '4791234567' });
    expect(res.status).toBe(409);
    expect(stateOf(res.text)).toBe('ABORTED');
    expect(testId(res.text, 'landing-error')).toMatch(/can no longer be approved/);
    expect((await getPayment(p.reference)).state).toBe('ABORTED');
  });

  it('shows EXPIRED and TERMINATED payments as such', async () => {
    const expired = await createPayment();
    sandbox.clock.advance(10 * 60_000 + 1000);
    expect((await getPayment(expired.reference)).state).toBe('EXPIRED');
    const page = await get(expired.redirectUrl);
    expect(stateOf(page.text)).toBe('EXPIRED');
    expect(testId(page.text, 'landing-headline')).toBe('Payment expired');

    const cancelled = await createPayment();
    const cancel = await call(sandbox.url, 'POST', `/epayment/v1/payments/${cancelled.reference}/cancel`, { headers: { ...api, 'Idempotency-Key': randomUUID() } });
    expect(cancel.status, cancel.text).toBe(200);
    const page2 = await get(cancelled.redirectUrl);
    expect(stateOf(page2.text)).toBe('TERMINATED');
  });

  it('an invalid phone number is refused with a readable error, the payment stays CREATED', async () => {
    const p = await createPayment();
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '12ab' });
    expect(res.status).toBe(400);
    expect(testId(res.text, 'landing-error')).toMatch(/country code/);
    expect(/<input[^>]*value="([^"]*)"[^>]*data-testid="landing-phone"/.exec(res.text)?.[1]).toBe('12ab');
    expect((await getPayment(p.reference)).state).toBe('CREATED');
  });

  it('a magic-amount decline shows a customer-readable error; the customer can retry or reject', async () => {
    const p = await createPayment({ amount: { currency: 'NOK', value: 151 } });
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '4791234567' });
    expect(res.status).toBe(402);
    expect(testId(res.text, 'landing-error')).toMatch(/not enough money/);
    expect(testId(res.text, 'landing-amount')).toBe('1,51 kr');
    expect(res.text).toContain('data-testid="approve-button"');
    expect(stateOf(res.text)).toBe('CREATED');
    expect((await getPayment(p.reference)).state).toBe('CREATED');
    const internal = sandbox.ctx.epayment!.get('123456', p.reference)!;
    expect(internal.failedAttempts.length).toBeGreaterThanOrEqual(1);
    const reject = await form(sandbox.url, '/landing/reject', { token: p.token });
    expect(reject.status).toBe(303);
    expect((await getPayment(p.reference)).state).toBe('ABORTED');
  });

  it('amount 201 (unknown result) tells the customer nothing is charged yet; the payment stays CREATED', async () => {
    const p = await createPayment({ amount: { currency: 'NOK', value: 201 } });
    const res = await form(sandbox.url, '/landing/approve', { token: p.token, phone: '4791234567' });
    expect(res.status).toBe(402);
    expect(testId(res.text, 'landing-error')).toMatch(/could not get an answer from your bank/);
    expect((await getPayment(p.reference)).state).toBe('CREATED');
  });

  it('lists what a profile scope asks the customer to share', async () => {
    const p = await createPayment({ profile: { scope: 'name phoneNumber' } });
    const res = await get(p.redirectUrl);
    expect(res.text).toMatch(/data-testid="landing-consent"><b>golive test shop asks you to share<\/b>Name, Phone number</);
    const plain = await createPayment();
    expect((await get(plain.redirectUrl)).text).not.toContain('landing-consent');
  });

  it('unknown, missing or absurd tokens get a 404 page, never a 500', async () => {
    for (const path of ['/landing?token=nope', '/landing', `/landing?token=${'x'.repeat(5000)}`, '/landing?token=a&token=b']) {
      const res = await get(sandbox.url + path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(testId(res.text, 'landing-error')).toMatch(/not valid/);
    }
    expect((await form(sandbox.url, '/landing/approve', { token: 'nope' })).status).toBe(404);
    expect((await form(sandbox.url, '/landing/reject', {})).status).toBe(404);
  });

  it('bad request bodies get a 4xx page, never a 500', async () => {
    const broken = await request(`${sandbox.url}/landing/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(broken.statusCode).toBe(400);
    expect(await broken.body.text()).toContain('data-testid="landing-error"');
    const json = await call(sandbox.url, 'POST', '/landing/approve', { body: [1, 2] });
    expect(json.status).toBe(404);
    const p = await createPayment();
    const viaJson = await call(sandbox.url, 'POST', '/landing/approve', { body: { token: p.token, phone: 4791234567, redirect: false } });
    expect(viaJson.status).toBe(200);
    expect((await getPayment(p.reference)).state).toBe('AUTHORIZED');
  });

  it('formats DKK and EUR amounts for their market', async () => {
    const dk = await startSandbox({
      includeDefaultMerchant: false,
      merchants: [
        { msn: '222222', name: 'Dansk Butik', clientId: 'dk-client', clientSecret: 'dk-secret-value', subscriptionKeys: ['dk-subscription-key'], currency: 'DKK' },
        { msn: '333333', name: 'Suomi Kauppa', clientId: 'fi-client', clientSecret: 'fi-secret-value', subscriptionKeys: ['fi-subscription-key'], currency: 'EUR' },
      ],
    });
    try {
      for (const [m, currency, expected] of [
        [{ msn: '222222', clientId: 'dk-client', clientSecret: 'dk-secret-value', subscriptionKeys: ['dk-subscription-key'] }, 'DKK', '65.432,10 kr.'],
        [{ msn: '333333', clientId: 'fi-client', clientSecret: 'fi-secret-value', subscriptionKeys: ['fi-subscription-key'] }, 'EUR', '65 432,10 €'],
      ] as const) {
        const headers = await merchantHeaders(dk.url, m as any);
        const res = await call(dk.url, 'POST', '/epayment/v1/payments', {
          headers: { ...headers, 'Idempotency-Key': randomUUID() },
          body: { amount: { currency, value: 6543210 }, paymentMethod: { type: 'WALLET' }, reference: `fmt-${randomUUID()}`, userFlow: 'WEB_REDIRECT', returnUrl: 'https://shop.example/r' },
        });
        expect(res.status, res.text).toBe(201);
        const page = await get(res.body.redirectUrl);
        expect(testId(page.text, 'landing-amount')).toBe(expected);
      }
    } finally {
      await dk.close();
    }
  });

  describe('QR image', () => {
    it('serves an SVG QR code of the landing URL by default', async () => {
      const p = await createPayment();
      const res = await get(`${sandbox.url}/qr-image/v1?token=${encodeURIComponent(p.token)}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(res.text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      const expected = await QRCode.toString(`${sandbox.url}/landing?token=${encodeURIComponent(p.token)}`, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      expect(res.text).toBe(expected);
      const other = await QRCode.toString(`${sandbox.url}/landing?token=other`, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      expect(res.text).not.toBe(other);
    });

    it('serves PNG at the requested size', async () => {
      const p = await createPayment();
      const res = await get(`${sandbox.url}/qr-image/v1?token=${encodeURIComponent(p.token)}&format=png&size=300`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.buf.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(res.buf.readUInt32BE(16)).toBe(300); // IHDR width
      const def = await get(`${sandbox.url}/qr-image/v1?token=${encodeURIComponent(p.token)}&format=image/png`);
      expect(def.buf.readUInt32BE(16)).toBe(1024);
    });

    it('serves the image a QR payment points at', async () => {
      const p = await call(sandbox.url, 'POST', '/epayment/v1/payments', {
        headers: { ...api, 'Idempotency-Key': randomUUID() },
        body: {
          amount: { currency: 'NOK', value: 10000 },
          paymentMethod: { type: 'WALLET' },
          reference: `qr-${randomUUID()}`,
          userFlow: 'QR',
          customerInteraction: 'CUSTOMER_PRESENT',
          qrFormat: { format: 'IMAGE/PNG', size: 400 },
        },
      });
      expect(p.status, p.text).toBe(201);
      const img = await get(p.body.redirectUrl);
      expect(img.status).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect(img.buf.readUInt32BE(16)).toBe(400);
    });

    it('answers 404 for an unknown token and 400 for a bad format or size', async () => {
      const p = await createPayment();
      expect((await get(`${sandbox.url}/qr-image/v1?token=nope`)).status).toBe(404);
      expect((await get(`${sandbox.url}/qr-image/v1`)).status).toBe(404);
      expect((await get(`${sandbox.url}/qr-image/v1?token=${p.token}&format=gif`)).status).toBe(400);
      expect((await get(`${sandbox.url}/qr-image/v1?token=${p.token}&format=png&size=50`)).status).toBe(400);
      expect((await get(`${sandbox.url}/qr-image/v1?token=${p.token}&format=png&size=abc`)).status).toBe(400);
    });
  });
});
