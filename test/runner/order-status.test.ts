import { describe, expect, it } from 'vitest';
import { readOrder, showsWanted } from '../../src/runner/order-status.ts';
import { CANONICAL_STATUSES } from '../../src/suite/index.ts';

// The sdk-shop's words: one word for several canonical statuses of one class.
const words: Record<string, string[]> = { refunded: ['refunded'], 'partially-refunded': ['refunded'], failed: ['failed'], expired: ['failed'], captured: ['completed'] };
const profile = { statusMapping: Object.fromEntries(CANONICAL_STATUSES.map((s) => [s, words[s] ?? [s]])) as never };

describe('reading an order status by meaning', () => {
  it('accepts a word for any status it may mean', () => {
    const failed = readOrder(profile, { status: 'failed' }, 10000);
    expect(failed.statuses).toEqual(['failed', 'expired']);
    expect(showsWanted(failed, ['expired'])).toBe(true);
    expect(showsWanted(failed, ['paid'])).toBe(false);
  });
  it('tells a partial refund from a full one by the amounts', () => {
    const partial = readOrder(profile, { status: 'refunded', captured: 49903, refunded: 10000 }, 49903);
    expect(partial.statuses).toEqual(['partially-refunded']);
    expect(showsWanted(partial, ['refunded'])).toBe(false);
    const full = readOrder(profile, { status: 'refunded', captured: 49903, refunded: '49903' }, 49903);
    expect(full.statuses).toEqual(['refunded']);
    // Without amounts the word stays ambiguous, and either is accepted.
    expect(readOrder(profile, { status: 'refunded' }, 49903).statuses).toEqual(['refunded', 'partially-refunded']);
  });
  it('keeps an unmapped word as it is', () => {
    expect(readOrder(profile, { status: 'on-hold' }, 100).statuses).toEqual(['on-hold']);
  });
});
