import { describe, expect, it } from 'vitest';
import { evaluateFlow, evaluateRun } from '../../src/checks/index.ts';
import { trafficOfInstallation } from '../../src/checks/support/platform.ts';
import type { CheckInput, FlowRecord, Observation, ProfileFacts } from '../../src/checks/types.ts';
import type { Exchange } from '../../src/traffic/types.ts';

/**
 * The platform items (src/checks/bindings/partner.ts) on synthetic partner-key traffic: each
 * passes what a platform that names its sales units and routes by msn does, fails each way it can
 * go wrong, never passes without evidence, and does not apply to a single merchant.
 */

const INSTALLATIONS = [
  { id: 'alpha', msn: '123456', title: 'Alpha' },
  { id: 'beta', msn: '234567', title: 'Beta' },
];
const SYSTEM = { 'vipps-system-name': 'acme', 'vipps-system-version': '1', 'vipps-system-plugin-name': 'acme-platform', 'vipps-system-plugin-version': '1' };
const base: ProfileFacts = { id: 'platform', kind: 'partner', api: 'epayment-v1', msn: '123456', capabilities: { webhooks: true, polling: true, capture: true, refund: true, cancel: true }, installations: INSTALLATIONS };
/** The facts a per-installation judgement gets (src/runner/finish.ts). */
const facts = (i: (typeof INSTALLATIONS)[number]): ProfileFacts => ({ ...base, msn: i.msn, installation: i });

let seq = 0;
function call(operation: string, path: string, headers: Record<string, string>, extra: Partial<Exchange> = {}): Exchange {
  const s = ++seq;
  return {
    seq: s,
    id: `e-${s}`,
    kind: 'api',
    api: path.startsWith('/webhooks') ? 'webhooks' : path.startsWith('/accesstoken') ? 'access-token' : 'epayment',
    operation,
    request: { method: 'POST', url: `http://sandbox${path}`, path, headers: { authorization: 'Bearer t', ...headers }, body: {} },
    response: { status: 201, headers: {}, body: {} },
    startedAt: s * 1000,
    durationMs: 20,
    ...extra,
  };
}
const create = (msn: string | undefined, reference: string, extra: Partial<Exchange> = {}) =>
  call('createPayment', '/epayment/v1/payments', { ...SYSTEM, ...(msn ? { 'merchant-serial-number': msn } : {}) }, { reference, ...(msn ? { msn } : {}), ...extra });
const token = () => call('fetchAuthorizationTokenUsingPost', '/accesstoken/get', SYSTEM);
const partnerWideRegistration = () => call('registerWebhook', '/webhooks/v1/webhooks', SYSTEM);

const flow = (id: string, references: string[], observations: Observation[] = []): FlowRecord => ({
  suite: 'partner-platform',
  id,
  title: id,
  checklist: ['PARTNER-WEBHOOK-ROUTING'],
  references,
  observations,
  startedAt: 0,
  endedAt: 1e9,
  outcome: 'completed',
});
const runVerdict = (item: string, input: CheckInput) => evaluateRun(input).find((r) => r.item === item)!;

describe('PARTNER-MSN', () => {
  it("passes when every request for the installation names its MSN; the token and a partner-wide registration may leave it out", () => {
    const traffic = [token(), partnerWideRegistration(), create('234567', 'b-1', { flowId: 'order@beta' })];
    const r = runVerdict('PARTNER-MSN', { traffic, flows: [flow('order@beta', ['b-1'])], profile: facts(INSTALLATIONS[1]) });
    expect(r.verdict).toBe('PASSED');
    expect(r.findings[0].message).toMatch(/installation beta \(MSN 234567\)/);
  });

  it("fails a request with another installation's MSN, naming whose, and cites it", () => {
    const foreign = create('123456', 'b-2'); // untagged (the sandbox tags by MSN), found by its flow's reference
    const traffic = [create('234567', 'b-1', { flowId: 'order@beta' }), foreign];
    const flows = [flow('order@beta', ['b-1']), flow('other@beta', ['b-2'])];
    const r = runVerdict('PARTNER-MSN', { traffic: trafficOfInstallation(traffic, flows, '234567'), flows, profile: facts(INSTALLATIONS[1]) });
    expect(r.verdict).toBe('FAILED');
    expect(r.findings[0].message).toMatch(/Merchant-Serial-Number 123456 \(installation alpha's\), not installation beta \(MSN 234567\)'s 234567/);
    expect(r.findings[0].cites).toContain(foreign.seq);
  });

  it('fails an ePayment request without an MSN (only partner-wide Webhooks API calls may omit it)', () => {
    const missing = create(undefined, 'b-1', { flowId: 'order@beta' });
    const r = runVerdict('PARTNER-MSN', { traffic: [missing], flows: [flow('order@beta', ['b-1'])], profile: facts(INSTALLATIONS[1]) });
    expect(r.verdict).toBe('FAILED');
    expect(r.findings[0].details?.join('\n')).toMatch(/no Merchant-Serial-Number/);
  });

  it('never passes without a request that names a sales unit', () => {
    expect(runVerdict('PARTNER-MSN', { traffic: [token(), partnerWideRegistration()], flows: [], profile: facts(INSTALLATIONS[0]) }).verdict).toBe('REVIEW');
  });

  it('does not apply to a profile without installations', () => {
    const r = runVerdict('PARTNER-MSN', { traffic: [create('123456', 'a-1')], flows: [], profile: { ...base, installations: undefined } });
    expect(r.verdict).toBe('NOT_APPLICABLE');
    expect(r.findings[0].message).toMatch(/not a platform/);
  });
});

describe('PARTNER-HEADERS', () => {
  it('fails an installation whose requests miss a Vipps-System-* header (mandatory for platforms); passes one that sends all four', () => {
    const bare = call('createPayment', '/epayment/v1/payments', { 'merchant-serial-number': '234567' }, { reference: 'b-1', msn: '234567' });
    expect(runVerdict('PARTNER-HEADERS', { traffic: [bare], flows: [], profile: facts(INSTALLATIONS[1]) }).verdict).toBe('FAILED');
    expect(runVerdict('PARTNER-HEADERS', { traffic: [create('123456', 'a-1')], flows: [], profile: facts(INSTALLATIONS[0]) }).verdict).toBe('PASSED');
    expect(runVerdict('PARTNER-HEADERS', { traffic: [bare], flows: [], profile: { ...base, installations: undefined } }).verdict).toBe('NOT_APPLICABLE');
  });
  it("lets the platform's partner token leave out the MSN or name any installation's (it serves them all), but no foreign one", () => {
    const named = (msn: string) => call('fetchAuthorizationTokenUsingPost', '/accesstoken/get', { ...SYSTEM, 'merchant-serial-number': msn });
    const beta = facts(INSTALLATIONS[1]);
    expect(runVerdict('PARTNER-HEADERS', { traffic: [token(), create('234567', 'b-2')], flows: [], profile: beta }).verdict).toBe('PASSED');
    expect(runVerdict('PARTNER-HEADERS', { traffic: [named('123456'), create('234567', 'b-3')], flows: [], profile: beta }).verdict).toBe('PASSED');
    expect(runVerdict('PARTNER-HEADERS', { traffic: [named('999999'), create('234567', 'b-4')], flows: [], profile: beta }).verdict).toBe('FAILED');
  });
});

describe('PARTNER-WEBHOOK-ROUTING', () => {
  const crossed = (before: string | undefined, after: string | undefined): Observation => ({ type: 'crossed-delivery', at: 5, reference: 'b-1', name: 'AUTHORIZED', msn: '345678', ownMsn: '234567', responseStatus: 200, statusBefore: before, statusAfter: after });
  const judge = (observations: Observation[], profile = facts(INSTALLATIONS[1])) => evaluateFlow(['PARTNER-WEBHOOK-ROUTING'], { traffic: [], flows: [flow('partner-webhook-routing@beta', ['b-1'], observations)], profile })[0];

  it("passes when another sales unit's delivery left the order as it was", () => {
    expect(judge([crossed('pending', 'pending')]).verdict).toBe('PASSED');
  });

  it("fails when a delivery for another MSN changed this installation's order, saying from what to what", () => {
    const r = judge([crossed('pending', 'pending'), crossed('pending', 'paid')]);
    expect(r.verdict).toBe('FAILED');
    expect(r.findings[0].message).toMatch(/AUTHORIZED for MSN 345678 with reference b-1 .*changed order b-1 of MSN 234567 from pending to paid/);
  });

  it('asks for review when the order could not be read, or no crossed delivery was made', () => {
    expect(judge([crossed(undefined, 'pending')]).verdict).toBe('REVIEW');
    expect(judge([]).verdict).toBe('REVIEW');
  });

  it('does not apply to a profile without installations', () => {
    expect(judge([crossed('pending', 'paid')], { ...base, installations: undefined }).verdict).toBe('NOT_APPLICABLE');
  });
});

describe("an installation's traffic", () => {
  it("keeps its flows' exchanges (tagged, or by reference even with a foreign MSN), untagged ones of its MSN and partner-wide ones; not another installation's", () => {
    const mine = create('234567', 'b-1', { flowId: 'order@beta' });
    const foreignForMe = create('123456', 'b-2');
    const othersTagged = create('123456', 'a-1', { flowId: 'order@alpha' });
    const othersUntagged = create('123456', 'a-2');
    const shared = token();
    const kept = trafficOfInstallation([mine, foreignForMe, othersTagged, othersUntagged, shared], [flow('order@beta', ['b-1', 'b-2'])], '234567');
    expect(kept).toEqual([mine, foreignForMe, shared]);
    // Alpha's view: beta's order sent under alpha's MSN is beta's, not alpha's.
    const alphas = trafficOfInstallation([mine, foreignForMe, othersTagged, othersUntagged, shared], [flow('order@alpha', ['a-1'])], '123456', [flow('order@beta', ['b-1', 'b-2'])]);
    expect(alphas).toEqual([othersTagged, othersUntagged, shared]);
  });
});
