/**
 * The in-person checks (seed 003) from synthetic exchanges: EP-PROFILE-SHARING, EP-PUSH-OUTCOME,
 * EP-QR-REDIRECT, and EP-RECEIPT's receipts posted after the fact. Each has a passing case, a
 * breach (these items are recommended: WARNING), and the case where nothing exercised it (never
 * a pass).
 */
import { describe, expect, it } from 'vitest';
import { checkFor, evaluateRun, runCheck } from '../../src/checks/index.ts';
import type { CheckInput, FlowRecord, Observation, ProfileFacts } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const MSN = '123456';
const PHONE = '4712345678';
const T0 = 1_772_442_000_000;
const profile: ProfileFacts = {
  id: 'taxi',
  kind: 'direct',
  msn: MSN,
  capabilities: { webhooks: true, polling: true, profileSharing: true, qrMerchantRedirect: true, userFlows: ['PUSH_MESSAGE', 'QR'], receipts: true },
};

let seq = 0;
const x = (e: Partial<Exchange> & Pick<Exchange, 'api' | 'request' | 'startedAt'>): Exchange => ({ seq: ++seq, id: `x${seq}`, durationMs: 10, msn: MSN, kind: 'api', ...e });
const req = (method: string, path: string, body?: unknown) => ({ method, url: path, path, headers: {}, ...(body === undefined ? {} : { body }) });

const RECEIPT = {
  orderLines: [{ name: 'Ride', id: 'r1', totalAmount: 10_000, totalAmountExcludingTax: 8_000, totalTaxAmount: 2_000, taxPercentage: 25 }],
  bottomLine: { currency: 'NOK' },
};
const create = (reference: string, at: number, extra: Record<string, unknown> = {}): Exchange =>
  x({
    api: 'epayment',
    operation: 'createPayment',
    reference,
    startedAt: at,
    request: req('POST', '/epayment/v1/payments', { reference, amount: { currency: 'NOK', value: 10_000 }, userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: PHONE }, ...extra }),
    response: { status: 201, headers: {}, body: { reference } },
  });
const get = (reference: string, at: number, state: string, sub?: string): Exchange =>
  x({
    api: 'epayment',
    operation: 'getPayment',
    reference,
    startedAt: at,
    request: req('GET', `/epayment/v1/payments/${reference}`),
    response: { status: 200, headers: {}, body: { reference, state, ...(sub ? { profile: { sub } } : {}) } },
  });
const userinfo = (sub: string, at: number, status = 200): Exchange =>
  x({ api: 'userinfo', operation: 'getUserinfo', startedAt: at, request: req('GET', `/vipps-userinfo-api/userinfo/${sub}`), response: { status, headers: {}, body: { sub, phone_number: PHONE } } });
const qr = (operation: string, method: string, at: number, id: string, body?: unknown, status = 200): Exchange =>
  x({ api: 'qr', operation, startedAt: at, request: req(method, method === 'POST' ? '/qr/v1/merchant-redirect' : `/qr/v1/merchant-redirect/${id}`, body), response: { status, headers: {}, body: { id } } });

const approve = (reference: string, at: number, consent?: 'share' | 'decline'): Observation => ({
  type: 'customer',
  at,
  action: consent === 'decline' ? 'reject' : 'approve',
  reference,
  redirect: false,
  via: 'app',
  phoneNumber: PHONE,
  ...(consent ? { consent } : {}),
});
const order = (reference: string, at: number, status: string): Observation => ({ type: 'merchant-order', at, reference, status });

function input(traffic: Exchange[], observations: Observation[], checklist: string[], extra: Partial<ProfileFacts['capabilities']> = {}): CheckInput {
  const references = [...new Set(traffic.map((e) => e.reference).filter((r): r is string => r !== undefined))];
  const flow: FlowRecord = { suite: 'in-person', id: 'f', title: 'f', checklist, references, observations, startedAt: T0, endedAt: T0 + 60_000, outcome: 'completed' };
  return { traffic, flows: [flow], profile: { ...profile, capabilities: { ...profile.capabilities, ...extra } } };
}
const judge = (id: string, i: CheckInput) => runCheck(checkFor(id)!, i);

describe('EP-PROFILE-SHARING', () => {
  const item = 'EP-PROFILE-SHARING';
  const shared = (withUserinfo: boolean) =>
    input(
      [create('p1', T0, { profile: { scope: 'phoneNumber' } }), get('p1', T0 + 6_000, 'AUTHORIZED', 'sub-1'), ...(withUserinfo ? [userinfo('sub-1', T0 + 6_100)] : [])],
      [approve('p1', T0 + 3_000, 'share'), order('p1', T0 + 7_000, 'paid')],
      [item],
    );

  it('passes a shop that reads Userinfo with the payment\'s sub after the customer shared', () => {
    const f = judge(item, shared(true));
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/read Userinfo with its sub/);
  });

  it('warns when the shop asks for a scope but never reads Userinfo with the sub', () => {
    const f = judge(item, shared(false));
    expect(f.verdict).toBe('WARNING');
    expect(f.message).toMatch(/never read Userinfo with the payment's profile.sub sub-1/);
  });

  it('warns on a scope word the API does not know', () => {
    const i = input([create('p1', T0, { profile: { scope: 'phone' } })], [], [item]);
    expect(judge(item, i).message).toMatch(/"phone", which no scope of the API shares/);
  });

  it('warns when a payment goes to the phone after the customer declined to share it', () => {
    const i = input([create('p1', T0, { profile: { scope: 'phoneNumber' } }), create('p2', T0 + 20_000)], [approve('p1', T0 + 3_000, 'decline')], [item]);
    const f = judge(item, i);
    expect(f.verdict).toBe('WARNING');
    expect(f.message).toMatch(/p2: pushed to 4712345678 .* after the customer declined to share it on p1/);
  });

  it('passes a later payment to that phone when the customer gave the number again (golive typed it into the shop)', () => {
    const typed: Exchange = x({ kind: 'merchant', api: 'merchant', operation: 'checkoutAgain', startedAt: T0 + 15_000, request: req('POST', '/api/push-payments', { amount: 10_000, phoneNumber: '12345678' }) });
    const i = input([create('p1', T0, { profile: { scope: 'phoneNumber' } }), typed, create('p2', T0 + 20_000)], [approve('p1', T0 + 3_000, 'decline')], [item]);
    expect(judge(item, i).verdict).toBe('PASSED');
  });

  it('digits inside another value (a reference) are no number the customer gave', () => {
    const other: Exchange = x({ kind: 'merchant', api: 'merchant', operation: 'again', startedAt: T0 + 15_000, request: req('POST', '/api/push-payments', { amount: 4712, returningFrom: 'order-12345678' }) });
    const i = input([create('p1', T0, { profile: { scope: 'phoneNumber' } }), other, create('p2', T0 + 20_000)], [approve('p1', T0 + 3_000, 'decline')], [item]);
    expect(judge(item, i).verdict).toBe('WARNING');
  });

  it('a returning customer\'s payment goes only to a number shared earlier in the flow', () => {
    const returning: Observation = { type: 'role-action', at: T0 + 10_000, role: 'returningCheckout', name: 'again' };
    const sharedFirst = input(
      [create('p1', T0, { profile: { scope: 'phoneNumber' } }), get('p1', T0 + 6_000, 'AUTHORIZED', 'sub-1'), userinfo('sub-1', T0 + 6_100), create('p2', T0 + 11_000)],
      [approve('p1', T0 + 3_000, 'share'), returning],
      [item],
    );
    expect(judge(item, sharedFirst).verdict).toBe('PASSED');
    const neverAsked = input([create('p1', T0), create('p2', T0 + 11_000)], [approve('p1', T0 + 3_000), returning], [item]);
    expect(judge(item, neverAsked)).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/p2: the returning payment goes to 4712345678 .* which no earlier payment of the flow had the customer share/) });
  });

  it('never passes a flow in which nothing asked for or declined sharing; N/A without the capability; NOT_RUN when no flow lists it', () => {
    const none = input([create('p1', T0)], [approve('p1', T0 + 3_000)], [item]);
    expect(judge(item, none)).toMatchObject({ verdict: 'WARNING', message: expect.stringMatching(/No payment of this flow asked for profile sharing/) });
    expect(judge(item, input([create('p1', T0)], [], [item], { profileSharing: false })).verdict).toBe('NOT_APPLICABLE');
    expect(evaluateRun(input([create('p1', T0)], [], [])).find((r) => r.item === item)?.verdict).toBe('NOT_RUN');
  });
});

describe('EP-PUSH-OUTCOME', () => {
  const item = 'EP-PUSH-OUTCOME';
  it('passes when the order shows the approval, learned by polling', () => {
    const i = input([create('p1', T0), get('p1', T0 + 6_000, 'AUTHORIZED')], [approve('p1', T0 + 3_000), order('p1', T0 + 6_500, 'paid')], [item]);
    const f = judge(item, i);
    expect(f.verdict).toBe('PASSED');
    expect(f.details!.join('\n')).toMatch(/learned by polling/);
  });

  it('passes a refusal that ends the order unpaid (any word the profile maps to a final unpaid status)', () => {
    const i = input([create('p1', T0), get('p1', T0 + 6_000, 'ABORTED')], [approve('p1', T0 + 3_000, 'decline'), order('p1', T0 + 6_500, 'cancelled')], [item]);
    expect(judge(item, i).verdict).toBe('PASSED');
  });

  it('warns when no redirect comes and the shop never learns the outcome', () => {
    const i = input([create('p1', T0)], [approve('p1', T0 + 3_000), order('p1', T0 + 20_000, 'pending')], [item]);
    const f = judge(item, i);
    expect(f.verdict).toBe('WARNING');
    expect(f.message).toMatch(/never became paid \(last status: pending; 0 GET payments and 0 delivered webhooks after the answer\)/);
  });

  it('judges only no-redirect user flows; no answered push is no evidence; N/A for a web shop', () => {
    const web = input([create('p1', T0, { userFlow: 'WEB_REDIRECT' })], [approve('p1', T0 + 3_000), order('p1', T0 + 20_000, 'pending')], [item]);
    expect(judge(item, web).verdict).toBe('WARNING');
    expect(judge(item, web).message).toMatch(/No PUSH_MESSAGE\/QR payment of this flow was answered/);
    expect(judge(item, input([create('p1', T0)], [], [item], { userFlows: ['WEB_REDIRECT'] })).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-QR-REDIRECT', () => {
  const item = 'EP-QR-REDIRECT';
  const scan = (at: number, extra: Partial<Extract<Observation, { type: 'qr-scan' }>> = {}): Observation => ({
    type: 'qr-scan',
    at,
    kind: 'merchant-redirect',
    qrId: 'taxi-7',
    target: 'https://shop.example/bill/taxi-7',
    opened: { url: 'https://shop.example/bill/taxi-7', status: 200, freshBrowser: true },
    ...extra,
  });
  const made = (url = 'https://shop.example/bill/taxi-7') => qr('CreateMerchantRedirectQr', 'POST', T0, 'taxi-7', { id: 'taxi-7', redirectUrl: url });

  it('passes a code made with the QR API whose target opens in a fresh browser', () => {
    expect(judge(item, input([made()], [scan(T0 + 1_000)], [item])).verdict).toBe('PASSED');
  });

  it('warns on a redirectUrl that carries a session', () => {
    const f = judge(item, input([made('https://shop.example/bill/taxi-7?sid=abc123')], [scan(T0 + 1_000, { target: 'https://shop.example/bill/taxi-7?sid=abc123' })], [item]));
    expect(f.verdict).toBe('WARNING');
    expect(f.message).toMatch(/carries session parameter sid/);
  });

  it('warns on a target changed by deleting the printed code and making a new one, and on a code that no longer scans', () => {
    const traffic = [made(), qr('DeleteMerchantRedirectQr', 'DELETE', T0 + 2_000, 'taxi-7'), qr('CreateMerchantRedirectQr', 'POST', T0 + 3_000, 'taxi-7b', { id: 'taxi-7b', redirectUrl: 'https://shop.example/bill/taxi-7b' })];
    const f = judge(item, input(traffic, [scan(T0 + 1_000), scan(T0 + 4_000, { error: 'deleted-qr', target: undefined, opened: undefined })], [item]));
    expect(f.verdict).toBe('WARNING');
    expect(f.details!.join('\n')).toMatch(/deleting the printed code/);
    expect(f.details!.join('\n')).toMatch(/led nowhere \(deleted-qr\)/);
  });

  it('warns on a target that fails in a fresh browser, and on a code the shop made without the QR API', () => {
    expect(judge(item, input([made()], [scan(T0 + 1_000, { opened: { url: 'x', status: 401, freshBrowser: true } })], [item])).message).toMatch(/answered HTTP 401 in a fresh browser/);
    const noApi = input([], [{ type: 'role-action', at: T0, role: 'merchantRedirectQr', name: 'printQr' }], [item]);
    expect(judge(item, noApi).message).toMatch(/made no QR API call/);
  });

  it('never passes unproven: a create without any scan warns, nothing at all is no evidence, N/A without the capability', () => {
    expect(judge(item, input([made()], [], [item])).message).toMatch(/Not proven: no scanned code was opened/);
    expect(judge(item, input([], [], [item])).verdict).toBe('WARNING');
    expect(judge(item, input([made()], [scan(T0 + 1_000)], [item], { qrMerchantRedirect: false })).verdict).toBe('NOT_APPLICABLE');
  });
});

describe('EP-RECEIPT: receipts posted after the fact', () => {
  const post = (body: unknown): Exchange =>
    x({ api: 'order-management', operation: 'postReceiptV2', reference: 'p1', startedAt: T0 + 8_000, request: req('POST', '/order-management/v2/ecom/receipts/p1', body), response: { status: 200, headers: {}, body: {} } });
  const run = (receipt: unknown) => judge('EP-RECEIPT', input([create('p1', T0), get('p1', T0 + 6_000, 'AUTHORIZED'), post(receipt)], [approve('p1', T0 + 3_000)], ['EP-RECEIPT']));

  it('passes a posted receipt whose lines add up to the payment', () => {
    expect(run(RECEIPT).verdict).toBe('PASSED');
  });
  it('warns on a posted receipt whose lines do not add up to the amount', () => {
    const f = run({ ...RECEIPT, orderLines: [{ ...RECEIPT.orderLines[0], totalAmount: 9_000, totalAmountExcludingTax: 7_200, totalTaxAmount: 1_800 }] });
    expect(f.verdict).toBe('WARNING');
    expect(f.message + f.details!.join('\n')).toMatch(/receipt posted with .* is invalid: order lines add up to 9000, the payment amount is 10000/);
  });
});
