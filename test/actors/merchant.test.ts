// The merchant actor records what golive does to the integration (kind `merchant` exchanges), so
// the checks can tell the integration's own API calls from those a person asked for. A browser
// action that submits a form (the back office's "Ship" button) is such an action, just as an
// HTTP action is.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantActor } from '../../src/actors/merchant.ts';
import type { ResolvedProfile } from '../../src/suite/index.ts';
import type { ExchangeInput } from '../../src/traffic/types.ts';

let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/orders/ref-1/capture') {
      req.resume();
      req.on('end', () => res.writeHead(303, { location: '/orders/ref-1' }).end());
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><form method="post" action="/orders/ref-1/capture"><input name="amount" value="12.50"><button data-testid="capture-button">Ship</button></form><p data-testid="order-status">paid</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

const profile = (actions: Record<string, unknown>) => ({ profile: 'test', actions, secretValues: [] }) as unknown as ResolvedProfile;

describe('MerchantActor, browser actions', () => {
  it('records a submitted form as a merchant exchange (method, path, form body, answer), and page loads not', async () => {
    const recorded: ExchangeInput[] = [];
    const actor = new MerchantActor(
      profile({
        ship: {
          browser: [{ goto: '{{baseUrl}}/orders/{{reference}}?from=test' }, { click: '[data-testid=capture-button]' }, { waitForURL: '/\\/orders\\/ref-1$/' }, { waitFor: '[data-testid=order-status]' }],
        },
      }),
      // The flow's clock (the sandbox's) runs an hour ahead of the wall clock here.
      { timeoutMs: 10_000, record: (e) => recorded.push(e), now: () => Date.now() + 3_600_000 },
    );
    const context = await browser.newContext();
    let posted = 0;
    try {
      const page = await context.newPage();
      await page.goto(base); // warm up; a GET navigation is not an action
      server.on('request', (req) => req.method === 'POST' && (posted = Date.now()));
      await actor.run('ship', { baseUrl: base, reference: 'ref-1' } as never, page);
    } finally {
      await context.close();
      await actor.close();
    }
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      kind: 'merchant',
      api: 'merchant',
      operation: 'ship',
      reference: 'ref-1',
      request: { method: 'POST', path: '/orders/ref-1/capture', body: { amount: '12.50' } },
      response: { status: 303 },
    });
    // When the browser sent it (not when Playwright told us), on the flow's clock.
    // What matters to the checks: it is not later than the integration got the form.
    const sent = recorded[0].startedAt - 3_600_000;
    expect(sent).toBeLessThanOrEqual(posted + 2);
    expect(sent).toBeGreaterThan(posted - 2000);
  });
});
