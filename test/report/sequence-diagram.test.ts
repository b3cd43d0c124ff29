import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/checks/types.ts';
import { sequenceDiagramSvg, wrap } from '../../src/report/sequence-diagram.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const T0 = 1_795_241_193_000;

function ex(seq: number, over: Partial<Exchange>): Exchange {
  return {
    seq,
    id: `e${seq}`,
    kind: 'api',
    api: 'epayment',
    startedAt: T0 + seq * 100,
    durationMs: 3,
    request: { method: 'GET', url: '/epayment/v1/payments/r1', path: '/epayment/v1/payments/r1', headers: {} },
    response: { status: 200, headers: {} },
    ...over,
  } as Exchange;
}

const create = ex(1, { operation: 'createPayment', request: { method: 'POST', url: '/epayment/v1/payments', path: '/epayment/v1/payments', headers: {} }, response: { status: 201, headers: {} } });
const webhook = ex(2, { kind: 'webhook', api: 'webhooks', request: { method: 'POST', url: 'http://m/hooks', path: '/hooks', headers: {}, body: { name: 'AUTHORIZED' } }, notes: { eventType: 'epayments.payment.authorized.v1' } });
const forged = ex(3, { kind: 'webhook', api: 'webhooks', fault: 'webhook-tamper-body', notes: { tamper: 'body', eventType: 'epayments.payment.captured.v1' }, request: { method: 'POST', url: 'http://m/hooks', path: '/hooks', headers: {} } });
const dropped = ex(4, { operation: 'capturePayment', request: { method: 'POST', url: '/x/capture', path: '/epayment/v1/payments/r1/capture', headers: {} }, response: undefined, error: 'dropped by fault', fault: 'drop-response' });
const merchant = ex(5, { kind: 'merchant', api: 'merchant', request: { method: 'GET', url: 'http://m/api/orders/r1', path: '/api/orders/r1', headers: {} } });
const landing = ex(6, { kind: 'control', api: 'landing', request: { method: 'GET', url: '/landing?token=t', path: '/landing', headers: {} } });

const observations: Observation[] = [
  { type: 'customer', at: T0 + 250, action: 'approve', reference: 'r1', redirect: true, via: 'landing' },
  { type: 'fault', at: T0 + 50, description: 'HTTP 500 on capturePayment <&> "x"', spec: {} },
  { type: 'step-error', at: T0 + 900, step: 'expect.payment (line 3)', message: 'expected <CAPTURED> & got AUTHORIZED' },
];

const arrows = (svg: string) => svg.match(/<g class="arrow"/g)?.length ?? 0;

/** Strict XML parsing with Chromium's DOMParser: the error text, or the arrows the DOM holds. */
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
});
afterAll(async () => browser?.close());
async function parse(svg: string): Promise<{ error?: string; root?: string; arrows?: number; texts?: number }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      if (error) return { error: error.textContent ?? 'not well-formed' };
      return { root: doc.documentElement.tagName, arrows: doc.querySelectorAll('g.arrow > line').length, texts: doc.querySelectorAll('text').length };
    }, svg);
  } finally {
    await page.close();
  }
}
const attr = (svg: string, name: string) => Number(new RegExp(`<svg[^>]* ${name}="(\\d+)"`).exec(svg)![1]);

describe('sequenceDiagramSvg', () => {
  const svg = sequenceDiagramSvg({ exchanges: [create, webhook, forged, dropped, merchant, landing], observations, title: 'flow <a & b>', startedAt: T0 });

  it('is well-formed XML with one arrow per exchange and the four lanes', async () => {
    expect(await parse(svg)).toMatchObject({ root: 'svg', arrows: 6 });
    expect(arrows(svg)).toBe(6);
    for (const lane of ['Customer', 'golive', 'Merchant', 'Vipps']) expect(svg).toContain(`>${lane}</text>`);
    expect(svg).toContain('<title>flow &lt;a &amp; b&gt;</title>');
  });

  it('labels arrows with method, path, status and the time since the flow started', () => {
    expect(svg).toContain('POST /epayment/v1/payments → 201');
    expect(svg).toContain('+0.100 s');
    expect(svg).toContain('webhook epayments.payment.authorized.v1 → 200');
    expect(svg).toContain('signature valid: accepted ✓');
  });

  it('marks faults, forged webhooks and missing responses, and escapes note text', () => {
    expect(svg).toContain('signature forged (body): ACCEPTED ✗');
    expect(svg).toContain('POST /epayment/v1/payments/r1/capture → no response');
    expect(svg).toContain('>(dropped by fault)<');
    expect(svg).toContain('fault: drop-response');
    expect(svg).toMatch(/stroke-dasharray="6 4"/);
    expect(svg).toContain('>⚡ fault armed: HTTP 500 on<');
    expect(svg).toContain('>capturePayment &lt;&amp;&gt; &quot;x&quot;<');
    expect(svg).toContain('expected &lt;CAPTURED&gt; &amp;');
  });

  it('draws webhooks from Vipps to the merchant and the landing page from the customer', () => {
    const line = (seq: number) => {
      const g = svg.slice(svg.indexOf(`data-seq="${seq}"`));
      const m = /<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/.exec(g)!;
      return [Number(m[1]), Number(m[2])];
    };
    const [wx1, wx2] = line(webhook.seq);
    expect(wx1).toBeGreaterThan(wx2); // right to left: Vipps → Merchant
    const [cx1, cx2] = line(landing.seq);
    const [ax1] = line(create.seq);
    expect(cx1).toBeLessThan(ax1); // the customer lane is left of the merchant's
    expect(cx2).toBeGreaterThan(cx1);
  });

  it('keeps its width and grows in height with 60 exchanges and long labels', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      ex(100 + i, { request: { method: 'GET', url: '/x', path: `/epayment/v1/payments/a-very-long-reference-${'x'.repeat(i)}/events`, headers: {} } }),
    );
    const big = sequenceDiagramSvg({ exchanges: many });
    expect(await parse(big)).toMatchObject({ root: 'svg', arrows: 60 });
    expect(attr(big, 'width')).toBe(attr(svg, 'width'));
    expect(attr(big, 'height')).toBeGreaterThan(60 * 40);
    // No text line is longer than the widest gap allows.
    const longest = Math.max(...[...big.matchAll(/class="label"[^>]*>([^<]*)</g)].map((m) => m[1].length));
    expect(longest).toBeLessThanOrEqual(60);
  });

  it('drops characters XML forbids', async () => {
    const weird = sequenceDiagramSvg({ exchanges: [ex(1, { request: { method: 'GET', url: '/', path: '/a\u0001b\u0007<x>', headers: {} } })] });
    expect(await parse(weird)).toMatchObject({ root: 'svg', arrows: 1 });
  });
});

describe('wrap', () => {
  it('breaks at spaces, then before path separators, and keeps → and the status together', () => {
    expect(wrap('GET /epayment/v1/payments/acme-shop-123/events →\u00a0200', 30)).toEqual(['GET /epayment/v1/payments', '/acme-shop-123/events → 200']);
    expect(wrap('webhook epayments.payment.authorized.v1 →\u00a0200', 24)).toEqual(['webhook epayments.', 'payment.authorized.v1', '→ 200']);
    expect(wrap('short', 30)).toEqual(['short']);
    for (const line of wrap('x'.repeat(100), 30)) expect(line.length).toBeLessThanOrEqual(30);
  });
});
