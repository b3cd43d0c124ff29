import { describe, expect, it } from 'vitest';
import { itemOfId } from '../../src/checklist/index.ts';
import { ALL_CHECKS, checksOfIntegration, combineFindings, evaluateFlow, evaluateRun, mergeResults, runCheck } from '../../src/checks/index.ts';
import type { Check, Finding, Verdict } from '../../src/checks/types.ts';
import { flowInput, good, runInput, sloppy, withProfile } from './fixture-builder.ts';
import { trafficOfFlow } from '../../src/checks/support/payments.ts';

const f = (verdict: Verdict): Finding => ({ item: 'EP-HEADERS', verdict, message: verdict });

describe('combineFindings', () => {
  it('any FAILED wins, then WARNING, then REVIEW, then PASSED', () => {
    expect(combineFindings([f('PASSED'), f('WARNING'), f('FAILED'), f('REVIEW')])).toBe('FAILED');
    expect(combineFindings([f('PASSED'), f('REVIEW'), f('WARNING')])).toBe('WARNING');
    expect(combineFindings([f('PASSED'), f('REVIEW'), f('NOT_APPLICABLE')])).toBe('REVIEW');
    expect(combineFindings([f('PASSED'), f('NOT_APPLICABLE')])).toBe('PASSED');
  });
  it('is NOT_APPLICABLE only when every finding is, and never passes on nothing', () => {
    expect(combineFindings([f('NOT_APPLICABLE'), f('NOT_APPLICABLE')])).toBe('NOT_APPLICABLE');
    expect(combineFindings([])).toBe('REVIEW');
  });
});

describe('runCheck', () => {
  const item = itemOfId('EP-DESIGN');
  it('turns a crashing check into REVIEW "check crashed", marked as a golive error', () => {
    const broken: Check = {
      item,
      scope: 'run',
      evaluate: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    };
    const finding = runCheck(broken, runInput(good()));
    expect(finding.verdict).toBe('REVIEW');
    expect(finding.message).toMatch(/^check crashed: Cannot read properties of undefined/);
    expect(finding.internalError).toMatch(/TypeError/);
    expect(finding.item).toBe('EP-DESIGN');
  });
  it('asks notApplicable first and never evaluates then', () => {
    let evaluated = false;
    const check: Check = { item, scope: 'run', notApplicable: () => 'no shop front', evaluate: () => ((evaluated = true), f('PASSED')) };
    const finding = runCheck(check, runInput(good()));
    expect(finding).toMatchObject({ item: 'EP-DESIGN', verdict: 'NOT_APPLICABLE', message: 'Not applicable: no shop front.' });
    expect(evaluated).toBe(false);
  });
  it('survives malformed traffic in every real check', () => {
    const input = runInput(good());
    input.traffic = [...input.traffic, { seq: 9999, kind: 'api', api: 'epayment', operation: 'capturePayment' } as never];
    for (const check of ALL_CHECKS) {
      const finding = runCheck(check, input);
      expect(finding.item).toBe(check.item.id);
      expect(['PASSED', 'FAILED', 'WARNING', 'REVIEW', 'NOT_APPLICABLE']).toContain(finding.verdict);
    }
  });
});

describe('evaluateFlow / evaluateRun / mergeResults', () => {
  it('judges the flow-scoped items a flow lists and leaves run-scoped ones to the run', () => {
    const run = good();
    const results = evaluateFlow(['EP-STATES-AUTHORIZED', 'EP-ORDER-CAPTURED', 'EP-REDIRECT'], flowInput(run, 'order-captured'));
    expect(results.map((r) => r.item)).toEqual(['EP-STATES-AUTHORIZED', 'EP-REDIRECT']);
    expect(results.every((r) => r.verdict === 'PASSED')).toBe(true);
    expect(results[0].findings[0].flowId).toBe('order-captured');
  });
  it('marks items of a not-applicable flow NOT_APPLICABLE, and notes a failed step on non-passing findings', () => {
    const run = good();
    const input = flowInput(run, 'payment-expired');
    input.flows[0].outcome = 'not-applicable';
    input.flows[0].error = 'profile has no expiry test';
    expect(evaluateFlow(['EP-STATES-EXPIRED'], input)[0].findings[0].message).toBe('Not applicable: the flow payment-expired did not apply (profile has no expiry test).');
    input.flows[0].outcome = 'step-failed';
    input.flows[0].error = 'expect.merchantOrder timed out';
    const [r] = evaluateFlow(['EP-STATES-ABORTED'], input);
    expect(r.verdict).toBe('FAILED');
    expect(r.findings[0].details!.at(-1)).toBe('note: the flow stopped at a failed step (expect.merchantOrder timed out), so evidence may be missing');
  });
  it('gives unknown item ids a REVIEW finding instead of dropping them', () => {
    const [r] = evaluateFlow(['x-shop-receipt'], flowInput(good(), 'order-captured'));
    expect(r).toMatchObject({ item: 'x-shop-receipt', verdict: 'REVIEW' });
  });
  it('reports flow-scoped items no flow exercised as NOT_RUN (never a pass, never a failure), N/A when ruled out', () => {
    const run = good();
    run.flows = run.flows.filter((f) => !f.checklist.includes('EP-STATES-EXPIRED') && !f.checklist.includes('WH-IDEMPOTENT') && !f.checklist.includes('EP-STATES-TERMINATED'));
    withProfile(run, { capabilities: { cancel: false } });
    const results = evaluateRun(runInput(run));
    const by = new Map(results.map((r) => [r.item, r]));
    expect(by.get('EP-STATES-EXPIRED')!.verdict).toBe('NOT_RUN');
    expect(by.get('EP-STATES-EXPIRED')!.findings[0].message).toMatch(/^Not run: no flow of this run lists EP-STATES-EXPIRED/);
    expect(by.get('WH-IDEMPOTENT')!.verdict).toBe('NOT_RUN');
    expect(by.get('EP-STATES-TERMINATED')!.verdict).toBe('NOT_APPLICABLE');
    expect(by.has('EP-STATES-AUTHORIZED')).toBe(false); // listed by a flow: judged there
    expect(by.get('EP-HEADERS')!.verdict).toBe('PASSED'); // run-scoped
  });
  it('in a partial run, judges run-scoped items only when an executed flow lists them', () => {
    const run = good();
    run.flows = run.flows.filter((f) => f.id === 'order-captured');
    const listed = new Set(run.flows.flatMap((f) => f.checklist));
    const results = evaluateRun(runInput(run), { partial: true });
    const runScoped = checksOfIntegration({ api: 'epayment-v1' }).filter((c) => c.scope === 'run');
    for (const c of runScoped) {
      const r = results.find((x) => x.item === c.item.id)!;
      if (listed.has(c.item.id)) expect(r.verdict, c.item.id).not.toBe('NOT_RUN');
      else expect(['NOT_RUN', 'NOT_APPLICABLE'], c.item.id).toContain(r.verdict);
    }
    expect(runScoped.some((c) => !listed.has(c.item.id))).toBe(true);
    expect(results.some((r) => r.verdict === 'PASSED' && !listed.has(r.item))).toBe(false);
  });
  it('combines NOT_RUN below every other verdict', () => {
    const f = (verdict: Finding['verdict']): Finding => ({ item: 'EP-HEADERS', verdict, message: '' });
    expect(combineFindings([f('NOT_RUN')])).toBe('NOT_RUN');
    expect(combineFindings([f('NOT_RUN'), f('NOT_APPLICABLE')])).toBe('NOT_APPLICABLE');
    expect(combineFindings([f('NOT_RUN'), f('PASSED')])).toBe('PASSED');
    expect(combineFindings([f('NOT_RUN'), f('FAILED')])).toBe('FAILED');
  });
  it('the good integration passes every item that can be judged automatically', () => {
    const run = good();
    const input = runInput(run);
    const merged = mergeResults(evaluateRun(input), ...run.flows.map((fl) => evaluateFlow(fl.checklist, { traffic: trafficOfFlow(input, fl), flows: [fl], profile: run.profile })));
    expect(merged).toHaveLength(51);
    const notPassed = merged.filter((r) => r.verdict !== 'PASSED').map((r) => `${r.item}:${r.verdict}`);
    // The in-person items do not apply to a web shop's profile, nor the platform items to a single merchant.
    expect(notPassed.sort()).toEqual([
      'EP-CUSTOMER-PRESENT:NOT_APPLICABLE',
      'EP-DESIGN:REVIEW',
      'EP-EVIDENCE-FRESH:NOT_APPLICABLE',
      'EP-ORDER-PROD:REVIEW',
      'EP-PROFILE-SHARING:NOT_APPLICABLE',
      'EP-PUSH-OUTCOME:NOT_APPLICABLE',
      'EP-QR-REDIRECT:NOT_APPLICABLE',
      'EP-SUPPORT:REVIEW',
      'PARTNER-HEADERS:NOT_APPLICABLE',
      'PARTNER-MSN:NOT_APPLICABLE',
      'PARTNER-WEBHOOK-ROUTING:NOT_APPLICABLE',
    ]);
  });
  it('the sloppy integration fails where it breaks the rules', () => {
    const run = sloppy();
    const input = runInput(run);
    const merged = mergeResults(evaluateRun(input), ...run.flows.map((fl) => evaluateFlow(fl.checklist, { traffic: trafficOfFlow(input, fl), flows: [fl], profile: run.profile })));
    const by = Object.fromEntries(merged.map((r) => [r.item, r.verdict]));
    expect(by).toMatchObject({
      'EP-TOKEN-CACHE': 'FAILED',
      'EP-IDEMPOTENCY': 'FAILED',
      'EP-REFERENCE': 'FAILED',
      'EP-REDIRECT': 'FAILED',
      'EP-ERRORS-DISPLAY': 'FAILED',
      'WH-VERIFY-HMAC': 'FAILED',
      'WH-IDEMPOTENT': 'FAILED',
      'EP-HEADERS': 'WARNING',
      'EP-CAPTURE-ON-DELIVERY': 'WARNING',
      'EP-429-BACKOFF': 'WARNING',
      'WH-ACK-FAST': 'WARNING',
      'WH-NOT-TRUTH': 'WARNING',
      'EP-RECEIPT': 'WARNING',
      'EP-ERRORS-LOG': 'REVIEW',
    });
  });
  it('mergeResults folds findings per item in catalogue order', () => {
    const merged = mergeResults(
      [{ item: 'WH-ACK-FAST', verdict: 'PASSED', findings: [{ item: 'WH-ACK-FAST', verdict: 'PASSED', message: 'a' }] }],
      [
        { item: 'EP-HEADERS', verdict: 'PASSED', findings: [{ item: 'EP-HEADERS', verdict: 'PASSED', message: 'b' }] },
        { item: 'WH-ACK-FAST', verdict: 'WARNING', findings: [{ item: 'WH-ACK-FAST', verdict: 'WARNING', message: 'c' }] },
      ],
    );
    expect(merged.map((r) => [r.item, r.verdict, r.findings.length])).toEqual([
      ['EP-HEADERS', 'PASSED', 1],
      ['WH-ACK-FAST', 'WARNING', 2],
    ]);
  });
});
