import { describe, expect, it } from 'vitest';
import { evaluateFlow, evaluateRun } from '../../src/checks/index.ts';
import type { CheckInput, FlowRecord, Observation } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';

/**
 * The PSP API checklist's rules (src/checks/bindings/psp-api.ts) on makePayment traffic as the
 * sandbox records it (kind callback, api psp-v2, notes per MakePaymentNotes): each passes the
 * documented answers and fails each way a PSP can get them wrong.
 */

let seq = 0;
const REF = 'pspapi1';
const profile = { id: 'reference-psp-v2', kind: 'psp' as const, api: 'psp-v2' as const, msn: '223344', capabilities: { capture: true, refund: true, cancel: true }, cardErrorIds: { declined: 82 } };

function makePayment(answer: { status?: number; body?: unknown }, notes: Record<string, unknown> = {}, extra: Partial<Exchange> = {}): Exchange {
  const s = ++seq;
  return {
    seq: s,
    id: `mp-${s}`,
    kind: 'callback',
    api: 'psp-v2',
    operation: 'makePaymentSwaggerUsingPOST',
    msn: '223344',
    reference: REF,
    request: { method: 'POST', url: 'http://127.0.0.1:9/make-payment', path: '/make-payment', headers: {}, body: { pspTransactionId: REF, confirmed: notes.confirmed ?? 'YES' } },
    ...(answer.status !== undefined ? { response: { status: answer.status, headers: {}, body: answer.body } } : {}),
    startedAt: 1_000 * s,
    durationMs: 80,
    notes: { version: 'v2', round: 'first', confirmed: 'YES', outcome: 'ok', ...notes },
    ...extra,
  };
}
const OK = { status: 200, body: { paymentInfo: { pspTransactionId: REF, status: 'OK' } } };
const FAIL = (errorId: number, errorText = 'Refused by Issuer') => ({ status: 200, body: { paymentInfo: { pspTransactionId: REF, status: 'FAIL' }, errorMessage: { errorId, errorText } } });

function input(checklist: string[], traffic: Exchange[], observations: Observation[] = []): CheckInput {
  const flow: FlowRecord = { suite: 'psp-api', id: 'f', title: 'f', checklist, references: [REF], observations, startedAt: 0, endedAt: 1e9, outcome: 'completed' };
  return { traffic, flows: [flow], profile };
}
const verdict = (item: string, i: CheckInput) => evaluateFlow([item], i).find((r) => r.item === item)!.verdict;
const attempt = (card: string): Observation => ({ type: 'card-attempt', at: 1, reference: REF, card, outcome: 'declined' });

describe('PSPAPI-MAKEPAYMENT-TOKENS', () => {
  it('passes answers in time and refused forgeries; fails a late answer and forgeries answered OK', () => {
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(OK)]))).toBe('PASSED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(OK, {}, { durationMs: 16_000 })]))).toBe('FAILED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment({ status: 401 }, { forged: 'wrong-auth-header', outcome: 'invalid' })]))).toBe('PASSED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(OK, { forged: 'no-auth-header' })]))).toBe('FAILED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(OK, { forged: 'bad-card-data' })]))).toBe('FAILED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(FAIL(92, 'Unable to decrypt'), { forged: 'bad-card-data', outcome: 'fail' })]))).toBe('PASSED');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], [makePayment(FAIL(82), { forged: 'bad-card-data', outcome: 'fail' })]))).toBe('WARNING');
    expect(verdict('PSPAPI-MAKEPAYMENT-TOKENS', input([], []))).toBe('FAILED');
  });
});

describe('PSPAPI-ERRORS', () => {
  it('wants 93 for a cancel, a documented errorId, and the one the profile names for the card', () => {
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(FAIL(93, 'Status from Vipps:CANCEL'), { confirmed: 'CANCEL', outcome: 'fail' })]))).toBe('PASSED');
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(OK, { confirmed: 'TIMEOUT' })]))).toBe('FAILED');
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(FAIL(82), { outcome: 'fail' })], [attempt('declined')]))).toBe('PASSED');
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(FAIL(72, 'Different texts'), { outcome: 'fail' })], [attempt('declined')]))).toBe('FAILED');
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(FAIL(4711), { outcome: 'fail' })]))).toBe('FAILED');
    expect(verdict('PSPAPI-ERRORS', input([], [makePayment(OK)]))).toBe('FAILED');
  });
});

describe('PSPAPI-SOFTDECLINE', () => {
  it('wants SOFT_DECLINE with url3dSecure and a re-send answered OK or FAIL', () => {
    const soft = makePayment({ status: 200, body: { paymentInfo: { pspTransactionId: REF, status: 'SOFT_DECLINE', url3dSecure: 'http://127.0.0.1:9/3ds' }, errorMessage: { errorId: 1036, errorText: 'Soft Decline' } } }, { outcome: 'soft-decline' });
    expect(verdict('PSPAPI-SOFTDECLINE', input([], [soft, makePayment(OK, { round: '3ds-completion' })]))).toBe('PASSED');
    expect(verdict('PSPAPI-SOFTDECLINE', input([], [soft]))).toBe('FAILED');
    expect(verdict('PSPAPI-SOFTDECLINE', input([], [makePayment(OK)]))).toBe('FAILED');
  });
});

describe('PSPAPI-NO-REDIRECT-RELIANCE', () => {
  const approve: Observation = { type: 'customer', at: 10, action: 'approve', reference: REF, redirect: false, via: 'control' };
  it('passes when the order follows makePayment, fails when it waits for the redirect', () => {
    expect(verdict('PSPAPI-NO-REDIRECT-RELIANCE', input([], [], [approve, { type: 'merchant-order', at: 20, reference: REF, status: 'paid' }]))).toBe('PASSED');
    expect(verdict('PSPAPI-NO-REDIRECT-RELIANCE', input([], [], [approve, { type: 'merchant-order', at: 20, reference: REF, status: 'pending' }]))).toBe('FAILED');
  });
});

describe('PSPAPI-UPDATESTATUS (whole run)', () => {
  const update = (status: string, httpStatus = 200): Exchange => ({
    seq: ++seq,
    id: `u-${seq}`,
    kind: 'api',
    api: 'psp-v2',
    operation: 'updatestatusUsingPOST',
    request: { method: 'POST', url: '/psp/v2/psppayments/updatestatus', path: '/psp/v2/psppayments/updatestatus', headers: {}, body: { transactions: [{ pspTransactionId: REF, status, amount: 100 }] } },
    response: { status: httpStatus, headers: {}, body: {} },
    startedAt: seq,
    durationMs: 5,
  });
  // The PSP reserved the payment (makePayment OK): its captures and cancels are its to report.
  const run = (reports: Exchange[], orderStatus: string) => {
    const traffic = [makePayment(OK), ...reports];
    const flow: FlowRecord = { suite: 'psp-api', id: 'f', title: 'f', checklist: [], references: [REF], observations: [{ type: 'merchant-order', at: 5, reference: REF, status: orderStatus }], startedAt: 0, endedAt: 1e9, outcome: 'completed' };
    return evaluateRun({ traffic, flows: [flow], profile }).find((r) => r.item === 'PSPAPI-UPDATESTATUS')!.verdict;
  };
  it('wants every capture, refund and cancel the PSP shows reported', () => {
    expect(run([update('CAPTURED')], 'captured')).toBe('PASSED');
    expect(run([update('CAPTURED')], 'refunded')).toBe('FAILED');
    expect(run([], 'captured')).toBe('FAILED');
    expect(run([update('CAPTURED'), update('REFUNDED', 400)], 'captured')).toBe('FAILED');
  });
});
