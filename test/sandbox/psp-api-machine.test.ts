import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../src/sandbox/clock.ts';
import { PspMachine } from '../../src/sandbox/psp-api/machine.ts';
import { readAnswer } from '../../src/sandbox/psp-api/make-payment.ts';
import type { MakePaymentAttempt, PspPayment } from '../../src/sandbox/psp-api/types.ts';
import type { MakePaymentConfirmed } from '../../src/contract/psp-api.ts';
import type { AttemptResult } from '../../src/sandbox/shared/outbound.ts';

/** The PSP API machine without HTTP (clock injected, makePayment a stub), and the answer reader. */

/** The detail of the PspApiError `run` throws. */
function thrown(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return (err as { problem?: { detail?: string } }).problem?.detail;
  }
  return undefined;
}

type Call = { p: PspPayment; round: MakePaymentAttempt['round']; confirmed: MakePaymentConfirmed; attemptId: string; resolve: (a: Partial<MakePaymentAttempt>) => void };

function setup() {
  const clock = new SandboxClock();
  clock.freeze();
  const calls: Call[] = [];
  const machine = new PspMachine({
    clock,
    publicUrl: () => 'http://127.0.0.1:1',
    customerTimeoutMs: () => 600_000,
    makePayment: (p, round, confirmed, attemptId) =>
      new Promise((done) => calls.push({ p, round, confirmed, attemptId, resolve: (a) => done({ attemptId, round, confirmed, outcome: 'ok', at: clock.now(), ...a }) })),
  });
  const input = (id: string, amount = 1000) => ({
    pspTransactionId: id,
    merchantOrderId: `o-${id}`,
    amount,
    currency: 'NOK' as const,
    pspRedirectUrl: 'https://psp.example/r',
    makePaymentUrl: 'https://psp.example/mp',
    isApp: false,
    skipLandingPage: false,
  });
  return { clock, calls, machine, input, dispose: () => clock.dispose() };
}

describe('PspMachine', () => {
  it('holds the customer while makePayment is in flight, and the timeout waits for the answer', async () => {
    const { clock, calls, machine, input, dispose } = setup();
    machine.initiate('v2', 'psp', '223344', input('a1'));
    const approving = machine.approve('223344', 'a1', { source: 'control' });
    expect(thrown(() => machine.reject('223344', 'a1'))).toMatch(/in progress/);
    clock.advance(600_001);
    expect(machine.get('223344', 'a1')!.state).toBe('INITIATED');
    calls[0].resolve({ outcome: 'soft-decline', url3dSecure: 'https://acs.example/3ds' });
    const { payment } = await approving;
    expect(payment.pending3ds).toEqual({ attemptId: 'mp-a1-1', url3dSecure: 'https://acs.example/3ds' });
    // The customer took too long at the bank: the next look expires it and tells the PSP.
    expect(machine.get('223344', 'a1')!.state).toBe('EXPIRED');
    expect(calls[1]).toMatchObject({ confirmed: 'TIMEOUT', round: 'first' });
    calls[1].resolve({ outcome: 'fail', errorId: '93' });
    await machine.settled();
    expect(payment.makePayments.map((a) => a.confirmed)).toEqual(['YES', 'TIMEOUT']);
    dispose();
  });

  it('the post-3DS re-send reuses the attempt id; OK reserves', async () => {
    const { calls, machine, input, dispose } = setup();
    machine.initiate('v3', 'psp', '223344', input('b1'));
    const first = machine.approve('223344', 'b1', { source: 'landing', phoneNumber: '4791234567' });
    calls[0].resolve({ outcome: 'soft-decline', url3dSecure: 'https://acs.example/3ds' });
    await first;
    await expect(machine.approve('223344', 'b1', { source: 'landing' })).rejects.toMatchObject({ problem: { status: 409, detail: expect.stringMatching(/3-D Secure/) } });
    await expect(machine.completeSoftDecline('223344', 'b1', 'mp-b1-9')).rejects.toMatchObject({ problem: { detail: expect.stringMatching(/not the pending/) } });
    const second = machine.completeSoftDecline('223344', 'b1');
    expect(calls[1]).toMatchObject({ round: '3ds-completion', attemptId: 'mp-b1-1' });
    calls[1].resolve({ outcome: 'ok' });
    const { payment } = await second;
    expect(payment).toMatchObject({ state: 'RESERVED', reserved: 1000, approvedPhoneNumber: '4791234567' });
    dispose();
  });

  it('the v3 magic amount 3100 refuses the customer without calling the PSP', async () => {
    const { calls, machine, input, dispose } = setup();
    machine.initiate('v3', 'psp', '223344', input('c1', 3100));
    await expect(machine.approve('223344', 'c1', { source: 'control' })).rejects.toMatchObject({ reason: expect.stringMatching(/not eligible/) });
    expect(calls).toHaveLength(0);
    expect(machine.get('223344', 'c1')!.failedAttempts).toHaveLength(1);
    dispose();
  });
});

describe('readAnswer', () => {
  const result = (status: number | undefined, responseBody?: unknown): AttemptResult => ({ url: 'u', requestHeaders: {}, sentBody: '', status, responseBody, durationMs: 5, startedAt: 0, error: status === undefined ? 'timeout (no complete response within 15000 ms)' : undefined });
  const info = (status: string, extra: Record<string, unknown> = {}) => ({ paymentInfo: { pspTransactionId: 'x', status, ...extra } });

  it('reads each answer kind', () => {
    expect(readAnswer(result(200, info('OK')), 'x', 'first').outcome).toBe('ok');
    expect(readAnswer(result(200, { errorMessage: { errorId: '82', errorText: 'Refused by Issuer' }, ...info('FAIL') }), 'x', 'first')).toMatchObject({ outcome: 'fail', errorId: '82' });
    expect(readAnswer(result(200, info('SOFT_DECLINE', { url3dSecure: 'https://acs.example/' })), 'x', 'first')).toMatchObject({ outcome: 'soft-decline', url3dSecure: 'https://acs.example/' });
    expect(readAnswer(result(200, info('SOFT_DECLINE')), 'x', 'first').outcome).toBe('invalid');
    expect(readAnswer(result(200, info('SOFT_DECLINE', { url3dSecure: 'https://acs.example/' })), 'x', '3ds-completion').outcome).toBe('invalid');
    expect(readAnswer(result(200, info('RESERVE')), 'x', 'first').outcome).toBe('invalid');
    expect(readAnswer(result(200, info('OK')), 'y', 'first').problem).toMatch(/not y/);
    expect(readAnswer(result(200, { paymentInfo: { status: 'OK' } }), 'x', 'first').outcome).toBe('ok');
    expect(readAnswer(result(202, info('OK')), 'x', 'first').outcome).toBe('invalid');
    expect(readAnswer(result(503), 'x', 'first').outcome).toBe('server-error');
    expect(readAnswer(result(undefined), 'x', 'first').outcome).toBe('timeout');
  });
});
