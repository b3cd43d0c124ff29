import { describe, expect, it } from 'vitest';
import { finalChangeOf } from '../../src/runner/payment-records.ts';

const at = (s: string) => Date.parse(`2026-12-01T10:00:${s}.000Z`);

describe('finalChangeOf: when a control record reached its final state', () => {
  it('ePayment: the last final event; a CREATED payment has none', () => {
    const events = [
      { name: 'CREATED', timestamp: new Date(at('00')).toISOString() },
      { name: 'AUTHORIZED', timestamp: new Date(at('05')).toISOString() },
      { name: 'TERMINATED', timestamp: new Date(at('09')).toISOString() },
    ];
    expect(finalChangeOf({ reference: 'a', state: 'TERMINATED', createdAt: at('00'), events })).toEqual({ reference: 'a', createdAt: at('00'), at: at('09') });
    expect(finalChangeOf({ reference: 'a', state: 'CREATED', createdAt: at('00'), events: events.slice(0, 1) })).toBeUndefined();
  });

  it('eCom: the first entry after INITIATE in the log (newest first); an INITIATE order has none', () => {
    const log = [
      { operation: 'CAPTURE', timeStamp: new Date(at('20')).toISOString(), operationSuccess: true },
      { operation: 'RESERVE', timeStamp: new Date(at('07')).toISOString(), operationSuccess: true },
      { operation: 'INITIATE', timeStamp: new Date(at('01')).toISOString(), operationSuccess: true },
    ];
    expect(finalChangeOf({ reference: 'o-1', state: 'CAPTURE', transactionLogHistory: log })).toEqual({ reference: 'o-1', createdAt: at('01'), at: at('07') });
    expect(finalChangeOf({ reference: 'o-1', state: 'INITIATE', transactionLogHistory: log.slice(2) })).toBeUndefined();
    // A timed-out order has no log word for its end: its last entry's time stands in.
    expect(finalChangeOf({ reference: 'o-2', state: 'REJECTED', transactionLogHistory: log.slice(2) })).toEqual({ reference: 'o-2', createdAt: at('01'), at: at('01') });
  });
});
