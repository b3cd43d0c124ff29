import { describe, expect, it } from 'vitest';
import { evidenceEndingsOf } from '../../src/report/summary-model.ts';

describe('evidence endings in the API’s words', () => {
  it('ePayment asks for its four states; eCom for CAPTURE, REFUND and VOID/CANCEL, showing RESERVE without asking', () => {
    expect(evidenceEndingsOf(undefined).map((e) => [e.label, e.required])).toEqual([
      ['AUTHORIZED', true],
      ['CAPTURED', true],
      ['REFUNDED', true],
      ['CANCELLED', true],
    ]);
    expect(evidenceEndingsOf('ecom-v2').map((e) => [e.state, e.label, e.required])).toEqual([
      ['AUTHORIZED', 'RESERVE', false],
      ['CAPTURED', 'CAPTURE', true],
      ['REFUNDED', 'REFUND', true],
      ['CANCELLED', 'VOID/CANCEL', true],
    ]);
  });
});
