import { describe, expect, it } from 'vitest';
import { stepTitle } from '../../src/runner/flow-runner.ts';

const step = (name: string, args: Record<string, unknown>) => ({ name, args, index: 0, line: 1, col: 1 }) as any;

describe('step titles in the report', () => {
  it('show the step and its meaningful args, leaving out defaults that say nothing', () => {
    expect(stepTitle(step('merchant.checkout', { expectError: false }))).toBe('merchant.checkout');
    expect(stepTitle(step('merchant.checkout', { expectError: true }))).toBe('merchant.checkout { expectError: true }');
    expect(stepTitle(step('customer.approve', { redirect: false, via: 'control' }))).toBe('customer.approve { redirect: false, via: control }');
    expect(stepTitle(step('sandbox.fault', { match: { operation: 'capturePayment' }, effect: { type: 'drop-response' }, times: 1 }))).toBe(
      'sandbox.fault { match: {"operation":"capturePayment"}, effect: {"type":"drop-response"}, times: 1 }',
    );
    expect(stepTitle(step('sandbox.clearFaults', {}))).toBe('sandbox.clearFaults');
  });
});
