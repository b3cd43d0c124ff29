import { describe, expect, it } from 'vitest';
import { evaluateFlow, evaluateRun } from '../../src/checks/index.ts';
import type { CheckInput, FlowRecord, Observation } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { CARD_CALLBACK_OP, type CardCallbackNotes } from '../../src/contract/card-passthrough.ts';

/**
 * The PSP checklist's rules (src/checks/bindings/psp.ts) on card-callback traffic as the sandbox
 * records it (kind callback, operation cardCallback, notes per src/contract/card-passthrough.ts):
 * each rule passes the documented answers and fails each way a PSP can get them wrong.
 */

let seq = 0;
const REF = 'psp-order-1';
const profile = { id: 'reference-psp', kind: 'psp' as const, api: 'epayment-v1' as const, msn: '223344', capabilities: { capture: true, refund: true, cancel: true, webhooks: true, polling: true } };

function callback(answer: { status?: number; body?: unknown; error?: string }, notes: Partial<CardCallbackNotes> = {}, extra: Partial<Exchange> = {}): Exchange {
  const s = ++seq;
  return {
    seq: s,
    id: `cb-${s}`,
    kind: 'callback',
    api: 'epayment',
    operation: CARD_CALLBACK_OP,
    msn: '223344',
    reference: REF,
    request: { method: 'POST', url: 'http://127.0.0.1:9/card-callback', path: '/card-callback', headers: {}, body: { pspReference: 'p-1', authorizationAttemptId: notes.authorizationAttemptId ?? `a-${s}`, cardInfo: { cardType: 'VISA-DEBIT' } } },
    ...(answer.status !== undefined ? { response: { status: answer.status, headers: {}, body: answer.body } } : {}),
    ...(answer.error ? { error: answer.error } : {}),
    startedAt: 1_000 * s,
    durationMs: 120,
    notes: { authorizationAttemptId: `a-${s}`, round: 'first', cardType: 'VISA_DEBIT', auth: 'auth-header', outcome: 'reserved', ...notes },
    ...extra,
  };
}

const RESERVE = { status: 200, body: { status: 'RESERVE', networkTransactionReference: 'ntr-1' } };
const FAIL = { status: 200, body: { status: 'FAIL', errorCode: 300, errorMessage: 'Refused by Issuer' } };

function flowInput(id: string, checklist: string[], traffic: Exchange[], observations: Observation[] = []): CheckInput {
  const flow: FlowRecord = { suite: 'psp', id, title: id, checklist, references: [REF], observations, startedAt: 0, endedAt: 1e9, outcome: 'completed' };
  return { traffic, flows: [flow], profile };
}
const verdictOf = (item: string, input: CheckInput) => evaluateFlow([item], input).find((r) => r.item === item)!;

describe('PSP-CB-RESERVE', () => {
  it('passes a 200 RESERVE with networkTransactionReference, fails an unknown status or a missing reference', () => {
    expect(verdictOf('PSP-CB-RESERVE', flowInput('f', ['PSP-CB-RESERVE'], [callback(RESERVE)])).verdict).toBe('PASSED');
    expect(verdictOf('PSP-CB-RESERVE', flowInput('f', ['PSP-CB-RESERVE'], [callback({ status: 200, body: { status: 'APPROVED' } }, { outcome: 'invalid' })])).verdict).toBe('FAILED');
    expect(verdictOf('PSP-CB-RESERVE', flowInput('f', ['PSP-CB-RESERVE'], [callback({ status: 200, body: { status: 'RESERVE' } }, { outcome: 'invalid' })])).verdict).toBe('FAILED');
    // No callback at all is no evidence, never a pass.
    expect(verdictOf('PSP-CB-RESERVE', flowInput('f', ['PSP-CB-RESERVE'], [])).verdict).toBe('FAILED');
  });
});

describe('PSP-CB-FAIL', () => {
  it('passes FAIL with errorCode and errorMessage followed by a reserved retry (a new attempt)', () => {
    const input = flowInput('f', ['PSP-CB-FAIL'], [callback(FAIL, { outcome: 'declined', retryable: true }), callback(RESERVE)]);
    expect(verdictOf('PSP-CB-FAIL', input).verdict).toBe('PASSED');
  });
  it('fails a decline answered 500, a FAIL without errorCode, and a retry that was not reserved', () => {
    const as500 = flowInput('f', ['PSP-CB-FAIL'], [callback({ status: 500, body: 'oops' }, { outcome: 'server-error' })]);
    expect(verdictOf('PSP-CB-FAIL', as500)).toMatchObject({ verdict: 'FAILED' });
    expect(verdictOf('PSP-CB-FAIL', as500).findings[0].details?.join(' ')).toMatch(/non-retryable/);
    const noCode = flowInput('f', ['PSP-CB-FAIL'], [callback({ status: 200, body: { status: 'FAIL', errorMessage: 'no' } }, { outcome: 'declined' }), callback(RESERVE)]);
    expect(verdictOf('PSP-CB-FAIL', noCode).verdict).toBe('FAILED');
    const retryFailed = flowInput('f', ['PSP-CB-FAIL'], [callback(FAIL, { outcome: 'declined' }), callback({ status: 401 }, { outcome: 'invalid' })]);
    expect(verdictOf('PSP-CB-FAIL', retryFailed).verdict).toBe('FAILED');
  });
});

describe('PSP-CB-SOFTDECLINE', () => {
  it('passes SOFT_DECLINE with a softDeclineUrl and a second callback of the same attempt answered RESERVE', () => {
    const first = callback({ status: 200, body: { status: 'SOFT_DECLINE', softDeclineUrl: 'http://127.0.0.1:9/3ds/a' } }, { outcome: 'soft-decline', authorizationAttemptId: 'same' });
    const second = callback(RESERVE, { authorizationAttemptId: 'same', round: 'soft-decline-completion' });
    expect(verdictOf('PSP-CB-SOFTDECLINE', flowInput('f', ['PSP-CB-SOFTDECLINE'], [first, second])).verdict).toBe('PASSED');
    const again = callback({ status: 200, body: { status: 'SOFT_DECLINE', softDeclineUrl: 'x' } }, { authorizationAttemptId: 'same', round: 'soft-decline-completion', outcome: 'invalid' });
    expect(verdictOf('PSP-CB-SOFTDECLINE', flowInput('f', ['PSP-CB-SOFTDECLINE'], [first, again])).verdict).toBe('FAILED');
    expect(verdictOf('PSP-CB-SOFTDECLINE', flowInput('f', ['PSP-CB-SOFTDECLINE'], [first])).verdict).toBe('FAILED');
    expect(verdictOf('PSP-CB-SOFTDECLINE', flowInput('f', ['PSP-CB-SOFTDECLINE'], [callback(RESERVE)])).verdict).toBe('FAILED');
  });
});

describe('PSP-CB-AUTH', () => {
  it('passes forgeries refused with 401, fails one accepted or one that changed the order', () => {
    const refused = callback({ status: 401 }, { forged: 'wrong-auth-header', outcome: 'invalid' });
    expect(verdictOf('PSP-CB-AUTH', flowInput('f', ['PSP-CB-AUTH'], [refused])).verdict).toBe('PASSED');
    const accepted = callback(RESERVE, { forged: 'wrong-auth-header' });
    expect(verdictOf('PSP-CB-AUTH', flowInput('f', ['PSP-CB-AUTH'], [accepted])).verdict).toBe('FAILED');
    const changed: Observation = { type: 'card-forgery', at: 1, reference: REF, forgery: 'wrong-auth-header', responseStatus: 401, statusBefore: 'created', statusAfter: 'authorised' };
    expect(verdictOf('PSP-CB-AUTH', flowInput('f', ['PSP-CB-AUTH'], [refused], [changed])).verdict).toBe('FAILED');
    expect(verdictOf('PSP-CB-AUTH', flowInput('f', ['PSP-CB-AUTH'], [callback(RESERVE)])).verdict).toBe('FAILED');
  });
});

describe('PSP-CB-CARDTYPE', () => {
  const order = (cardType?: string): Observation => ({ type: 'merchant-order', at: 5, reference: REF, status: 'authorised', ...(cardType ? { cardType } : {}) });
  it('compares the processed card type with the callback, REVIEW when the PSP shows none', () => {
    expect(verdictOf('PSP-CB-CARDTYPE', flowInput('f', ['PSP-CB-CARDTYPE'], [callback(RESERVE)], [order('VISA_DEBIT')])).verdict).toBe('PASSED');
    expect(verdictOf('PSP-CB-CARDTYPE', flowInput('f', ['PSP-CB-CARDTYPE'], [callback(RESERVE)], [order('DANKORT')])).verdict).toBe('FAILED');
    expect(verdictOf('PSP-CB-CARDTYPE', flowInput('f', ['PSP-CB-CARDTYPE'], [callback(RESERVE)], [order()])).verdict).toBe('REVIEW');
  });
});

describe('PSP-CB-20S (whole run)', () => {
  const run = (traffic: Exchange[]) => evaluateRun({ traffic, flows: [], profile }).find((r) => r.item === 'PSP-CB-20S')!;
  const capture = (at: number): Exchange => ({
    seq: ++seq,
    id: `api-${seq}`,
    kind: 'api',
    api: 'epayment',
    operation: 'capturePayment',
    reference: REF,
    request: { method: 'POST', url: `/epayment/v1/payments/${REF}/capture`, path: `/epayment/v1/payments/${REF}/capture`, headers: { 'psp-id': 'p' }, body: {} },
    response: { status: 200, headers: {}, body: {} },
    startedAt: at,
    durationMs: 5,
  });
  it('passes answers within 20 s, fails a late one and a 5xx, and wants a report after an unknown outcome', () => {
    expect(run([callback(RESERVE)]).verdict).toBe('PASSED');
    expect(run([callback(RESERVE, {}, { durationMs: 21_000 })]).verdict).toBe('FAILED');
    expect(run([callback({ status: 500 }, { outcome: 'server-error' })]).verdict).toBe('FAILED');
    // The sandbox cut the callback short on purpose: not the PSP's slowness, but it must report after.
    const cut = callback({ error: 'timeout' }, { outcome: 'timeout' }, { fault: 'card-callback-timeout', durationMs: 30 });
    expect(run([cut]).verdict).toBe('FAILED');
    expect(run([cut, capture(cut.startedAt + 500)]).verdict).toBe('PASSED');
  });
  it('is no pass without any callback', () => {
    expect(run([]).verdict).toBe('FAILED');
  });
});

describe('PSP-CREATE and PSP-HEADERS (whole run)', () => {
  const create = (body: Record<string, unknown>, headers: Record<string, string> = { 'psp-id': 'golive-test-psp' }): Exchange => ({
    seq: ++seq,
    id: `api-${seq}`,
    kind: 'api',
    api: 'epayment',
    operation: 'createPayment',
    reference: String(body.reference),
    request: { method: 'POST', url: '/epayment/v1/payments', path: '/epayment/v1/payments', headers: { 'idempotency-key': `k-${seq}`, ...headers }, body },
    response: { status: 201, headers: {}, body: { reference: body.reference, redirectUrl: 'http://127.0.0.1:1/landing' } },
    startedAt: seq,
    durationMs: 5,
  });
  const body = (reference: string, pspReference: string) => ({
    amount: { currency: 'NOK', value: 1000 },
    paymentMethod: { type: 'CARD_PASSTHROUGH' },
    reference,
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'http://127.0.0.1:1/return',
    cardPassthrough: { pspReference, cardCallbackUrl: 'http://127.0.0.1:1/card-callback' },
  });
  const item = (traffic: Exchange[], id: string) => evaluateRun({ traffic, flows: [], profile }).find((r) => r.item === id)!;
  it('passes card-passthrough creates with Psp-Id and their own pspReference; fails a reused pspReference or a missing Psp-Id', () => {
    expect(item([create(body('r1', 'p1')), create(body('r2', 'p2'))], 'PSP-CREATE').verdict).toBe('PASSED');
    expect(item([create(body('r1', 'p1')), create(body('r2', 'p1'))], 'PSP-CREATE').verdict).toBe('FAILED');
    expect(item([create(body('r1', 'p1'), {})], 'PSP-CREATE').verdict).toBe('FAILED');
    expect(item([create({ ...body('r1', 'p1'), paymentMethod: { type: 'WALLET' } })], 'PSP-CREATE').verdict).toBe('FAILED');
    expect(item([create(body('r1', 'p1'), {})], 'PSP-HEADERS').verdict).toBe('FAILED');
  });
  it('lets a PSP\'s token request go without an MSN (its token acts for all its sales units), never an ePayment call', () => {
    const system = { 'vipps-system-name': 'psp', 'vipps-system-version': '1', 'vipps-system-plugin-name': 'psp-cp', 'vipps-system-plugin-version': '1' };
    const token: Exchange = {
      seq: ++seq,
      id: `api-${seq}`,
      kind: 'api',
      api: 'access-token',
      operation: 'fetchAuthorizationTokenUsingPost',
      request: { method: 'POST', url: '/accesstoken/get', path: '/accesstoken/get', headers: { ...system } },
      response: { status: 200, headers: {}, body: {} },
      startedAt: seq,
      durationMs: 5,
    };
    const withMsn = create(body('r1', 'p1'), { 'psp-id': 'golive-test-psp', 'merchant-serial-number': '223344', ...system });
    expect(item([token, withMsn], 'PSP-HEADERS').verdict).toBe('PASSED');
    const noMsn = create(body('r2', 'p2'), { 'psp-id': 'golive-test-psp', ...system });
    expect(item([token, noMsn], 'PSP-HEADERS').verdict).toBe('FAILED');
    // A direct merchant's token call still names its MSN (a WARNING for direct merchants).
    expect(evaluateRun({ traffic: [token], flows: [], profile: { ...profile, kind: 'direct' } }).find((r) => r.item === 'EP-HEADERS')!.verdict).toBe('WARNING');
  });

  it('judges the merchant-management and optional-feature items REVIEW, never PASSED', () => {
    for (const id of ['PSP-MERCHANT-CREATE', 'PSP-MERCHANT-DELETE', 'PSP-CREATE-EXPRESS', 'PSP-CREATE-PROFILE', 'PSP-CREATE-MINAGE']) expect(item([], id).verdict, id).toBe('REVIEW');
  });
});

describe('PSP-WEBHOOKS-AND-POLLING (whole run)', () => {
  const get = (at: number, state: string): Exchange => ({
    seq: ++seq,
    id: `api-${seq}`,
    kind: 'api',
    api: 'epayment',
    operation: 'getPayment',
    reference: REF,
    request: { method: 'GET', url: `/epayment/v1/payments/${REF}`, path: `/epayment/v1/payments/${REF}`, headers: {} },
    response: { status: 200, headers: {}, body: { reference: REF, state } },
    startedAt: at,
    durationMs: 5,
  });
  const register: Exchange = {
    seq: ++seq,
    id: 'reg',
    kind: 'api',
    api: 'webhooks',
    operation: 'registerWebhook',
    request: { method: 'POST', url: '/webhooks/v1/webhooks', path: '/webhooks/v1/webhooks', headers: { 'merchant-serial-number': '223344' }, body: { url: 'http://127.0.0.1:1/wh', events: ['epayments.payment.authorized.v1', 'epayments.payment.aborted.v1', 'epayments.payment.expired.v1'] } },
    response: { status: 201, headers: {}, body: { id: 'w1', secret: 's' } },
    startedAt: 0,
    durationMs: 5,
  };
  const judge = (traffic: Exchange[], flows: FlowRecord[] = []) => evaluateRun({ traffic, flows, profile }).find((r) => r.item === 'PSP-WEBHOOKS-AND-POLLING')!;
  it('does not count a GET after the PSP\'s own RESERVE answer as polling while pending', () => {
    const reserved = callback(RESERVE);
    expect(judge([register, reserved, get(reserved.startedAt + 1_000, 'AUTHORIZED')]).verdict).toBe('FAILED');
    expect(judge([register, get(reserved.startedAt - 500, 'CREATED'), reserved]).verdict).toBe('PASSED');
  });
  it('fails when, with webhooks withheld, a rejection in the app never reaches the PSP\'s order', () => {
    const flow = (status: string): FlowRecord => ({
      suite: 'psp',
      id: 'rejection-found-by-polling',
      title: 't',
      checklist: ['PSP-WEBHOOKS-AND-POLLING'],
      references: [REF],
      observations: [
        { type: 'fault', at: 1, description: 'webhook-drop', spec: { effect: { type: 'webhook-drop' } }, fired: 1 },
        { type: 'customer', at: 2_000, action: 'reject', reference: REF, redirect: false, via: 'control' },
        { type: 'merchant-order', at: 9_000, reference: REF, status },
      ],
      startedAt: 0,
      endedAt: 10_000,
      outcome: 'completed',
    });
    const polled = [register, get(1_000, 'CREATED')];
    expect(judge(polled, [flow('cancelled')]).verdict).toBe('PASSED');
    expect(judge(polled, [flow('pending')]).verdict).toBe('FAILED');
  });
});
