import { describe, expect, it } from 'vitest';
import type { SandboxControl } from '../../src/runner/control.ts';
import { testApiCardDriver } from '../../src/runner/drivers/test-api-card.ts';
import type { TestApiClient } from '../../src/runner/drivers/test-api-client.ts';
import { EnvironmentProblem } from '../../src/shared/errors.ts';

/** A recorded create (card passthrough unless `wallet`), the relayed card callbacks so far, and the upstream's payment state. */
function fakes(o: { wallet?: boolean; callbacksAfterPolls?: number; state?: string }) {
  let polls = 0;
  const approved: string[] = [];
  const create = { kind: 'api', operation: 'createPayment', reference: 'r1', request: { body: o.wallet ? { reference: 'r1' } : { reference: 'r1', cardPassthrough: { pspReference: 'p1', cardCallbackUrl: 'https://relay.example/card-callback' } } }, response: { status: 201 } };
  const callback = { kind: 'callback', api: 'epayment', operation: 'cardCallback', reference: 'r1', notes: { outcome: 'reserved', relayed: true } };
  const control = {
    traffic: async (q: { operation?: string[] }) => {
      if (q.operation?.includes('createPayment')) return { exchanges: [create], lastSeq: 1 };
      polls += 1;
      return { exchanges: o.callbacksAfterPolls !== undefined && polls > o.callbacksAfterPolls ? [callback] : [], lastSeq: 1 };
    },
  } as unknown as SandboxControl;
  const client = {
    forceApprove: async (reference: string) => void approved.push(reference),
    findPayment: async (reference: string) => ({ reference, state: o.state ?? 'CREATED', amount: { value: 1000, currency: 'NOK' }, aggregate: {} }),
  } as unknown as TestApiClient;
  return { driver: testApiCardDriver(client, control, '223344', { mode: 'force-approve', phoneNumber: '4791234567', timeoutMs: 5000, pollMs: 20 }), approved };
}

describe('test-api card-passthrough driver', () => {
  it('force-approves, then waits for the relayed card callback', async () => {
    const f = fakes({ callbacksAfterPolls: 2 });
    await f.driver.decide('approve', 'r1');
    expect(f.approved).toEqual(['r1']);
  });

  it('a payment authorized with no card callback reaching golive is an environment problem naming --interactive', async () => {
    const f = fakes({ state: 'AUTHORIZED' });
    const err = await f.driver.decide('approve', 'r1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentProblem);
    expect((err as Error).message).toMatch(/r1: force approve made the payment AUTHORIZED with no card callback reaching golive .*--interactive.*https:\/\/relay\.example\/card-callback is not under \{\{relay\.url\}\}/);
  });

  it('a payment without cardPassthrough is force-approved as the ePayment driver does', async () => {
    const f = fakes({ wallet: true, state: 'AUTHORIZED' });
    await f.driver.decide('approve', 'r1');
    expect(f.approved).toEqual(['r1']);
  });
});
