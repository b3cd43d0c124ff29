import { describe as group, expect, it } from 'vitest';
import { describe as describeExchange } from '../../src/checks/support/traffic.ts';
import { attachStepExchanges, exchangeDocument } from '../../src/report/exchange-attachments.ts';
import { exchangeNumber, goliveSeq, GOLIVE_SEQ_BASE } from '../../src/traffic/exchange-number.ts';
import type { Exchange } from '../../src/traffic/types.ts';

function exchange(seq: number, over: Partial<Exchange> = {}): Exchange {
  return {
    seq,
    id: `e${seq}`,
    kind: 'api',
    api: 'epayment',
    startedAt: 1_000 + seq,
    durationMs: 3,
    request: { method: 'POST', url: 'http://127.0.0.1:1/epayment/v1/payments', path: '/epayment/v1/payments', headers: {} },
    response: { status: 201, headers: {} },
    ...over,
  } as Exchange;
}

const merchant = (n: number) => exchange(goliveSeq(n), { kind: 'merchant', api: 'merchant', request: { method: 'GET', url: 'http://127.0.0.1:2/api/orders/o1', path: '/api/orders/o1', headers: {} }, response: { status: 200, headers: {} } } as Partial<Exchange>);

group('exchange numbers', () => {
  it('keeps the sandbox\'s sequence numbers and numbers golive\'s own requests G1, G2… per flow', () => {
    expect(exchangeNumber(exchange(42))).toBe('#42');
    expect(exchangeNumber(merchant(0))).toBe('G1');
    expect(exchangeNumber(merchant(2))).toBe('G3');
    expect(exchangeNumber(GOLIVE_SEQ_BASE + 9)).toBe('G10');
    // A merged shard's sandbox numbers (moved by 10¹⁰ per shard) stay sandbox numbers.
    expect(exchangeNumber(10_000_000_007)).toBe('#10000000007');
  });

  it('names attachments, exchange documents and findings by those numbers, never #1000000000…', async () => {
    const attached: string[] = [];
    const steps: string[] = [];
    await attachStepExchanges(
      {
        step: async (title, body) => {
          steps.push(title);
          return body();
        },
        attach: async (name) => void attached.push(name),
      },
      [exchange(7), merchant(0), merchant(1), exchange(8, { request: { method: 'GET', url: 'http://127.0.0.1:1/epayment/v1/payments/r1', path: '/epayment/v1/payments/r1', headers: {} }, response: { status: 200, headers: {} } } as Partial<Exchange>)],
    );
    expect(attached).toContain('#7 HTTP POST /epayment/v1/payments');
    expect(attached).toContain('#7 curl.sh');
    // Two equal merchant polls fold into one step: its first and last exchange.
    expect(attached).toContain('G1 exchange (first).json');
    expect(attached).toContain('G2 curl (last).sh');
    expect(attached).toContain('#8 exchange.json');
    expect(steps).toContain('golive → Merchant: GET /api/orders/o1 → 200 ×2');
    expect([...attached, ...steps].join('\n')).not.toMatch(/#1\d{9}/);
    expect(exchangeDocument(merchant(0)).exchange).toMatch(/^G1 golive → Merchant: GET \/api\/orders\/o1/);
    expect(String(exchangeDocument(merchant(0)).headersAndBodies)).toContain('merchantTraffic');
    expect(exchangeDocument(exchange(7)).exchange).toMatch(/^#7 Merchant → Vipps: POST/);
    expect(describeExchange(merchant(4))).toBe('G5 GET /api/orders/o1');
    expect(describeExchange(exchange(7))).toBe('#7 POST /epayment/v1/payments');
  });
});
