import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markVerdictSteps, verdictStepStatus } from '../../src/report/allure-verdict-step.ts';

/**
 * A flow result as allure-playwright writes it for flows.spec.ts: the suite's steps, the
 * "checklist verdicts" step (passed: Playwright ends it when judging returns), and findings.json
 * filed as a step of its own holding the attachment.
 */
function flowResult(dir: string, uuid: string, results: { item: string; verdict: string; message: string }[]): string {
  const findings = `${uuid}-f-attachment.json`;
  writeFileSync(join(dir, findings), JSON.stringify(results.map((r) => ({ item: r.item, verdict: r.verdict, findings: [{ item: r.item, verdict: r.verdict, message: r.message }] }))));
  const step = (name: string, extra: object = {}) => ({ status: 'passed', statusDetails: {}, stage: 'finished', steps: [], attachments: [], parameters: [], start: 1, stop: 2, name, ...extra });
  const file = join(dir, `${uuid}-result.json`);
  writeFileSync(
    file,
    JSON.stringify({
      uuid,
      name: `flow ${uuid}`,
      status: results.some((r) => r.verdict === 'FAILED') ? 'failed' : 'passed',
      steps: [step('merchant.checkout'), step('checklist verdicts'), step('findings.json', { status: undefined, attachments: [{ name: 'findings.json', source: findings, type: 'application/json' }] })],
      attachments: [],
      labels: [],
    }),
  );
  return file;
}

const verdictStep = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { steps: any[] }).steps.find((s) => s.name === 'checklist verdicts');

describe('the "checklist verdicts" step in the Allure results', () => {
  it('fails when an item the flow judged failed, and names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-verdict-step-'));
    const file = flowResult(dir, 'a', [
      { item: 'EP-ORDER-CAPTURED', verdict: 'PASSED', message: 'captured' },
      { item: 'EP-IDEMPOTENCY', verdict: 'FAILED', message: 'the retry used a new Idempotency-Key' },
      { item: 'EP-ERRORS-LOG', verdict: 'REVIEW', message: 'a person must check the log' },
    ]);
    expect(markVerdictSteps(dir)).toBe(1);
    const step = verdictStep(file);
    expect(step.status).toBe('failed');
    expect(step.statusDetails.message).toBe('EP-IDEMPOTENCY FAILED: the retry used a new Idempotency-Key');
    expect(step.steps.map((s: any) => [s.name, s.status])).toEqual([
      ['EP-ORDER-CAPTURED: PASSED', 'passed'],
      ['EP-IDEMPOTENCY: FAILED', 'failed'],
      ['EP-ERRORS-LOG: REVIEW', 'unknown'],
    ]);
  });

  it('is not passed for a WARNING (broken) or a REVIEW (unknown) item', () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-verdict-step-'));
    const warned = flowResult(dir, 'w', [
      { item: 'EP-A', verdict: 'REVIEW', message: 'look' },
      { item: 'EP-B', verdict: 'WARNING', message: 'recommended, not done' },
    ]);
    const review = flowResult(dir, 'r', [{ item: 'EP-DESIGN', verdict: 'REVIEW', message: 'compare the branding' }]);
    const passed = flowResult(dir, 'p', [{ item: 'EP-C', verdict: 'PASSED', message: 'ok' }, { item: 'EP-D', verdict: 'NOT_APPLICABLE', message: 'n/a' }]);
    markVerdictSteps(dir);
    expect(verdictStep(warned).status).toBe('broken');
    expect(verdictStep(review)).toMatchObject({ status: 'unknown', statusDetails: { message: 'EP-DESIGN REVIEW: compare the branding' } });
    expect(verdictStep(passed).status).toBe('passed');
    expect(verdictStep(passed).steps.map((s: any) => s.status)).toEqual(['passed', 'skipped']);
  });

  it('marks each flow once, however often it runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-verdict-step-'));
    const file = flowResult(dir, 'x', [{ item: 'EP-C', verdict: 'PASSED', message: 'ok' }]);
    markVerdictSteps(dir);
    expect(markVerdictSteps(dir)).toBe(0);
    expect(verdictStep(file).steps).toHaveLength(1);
  });

  it('orders verdicts worst first', () => {
    const r = (verdict: string) => ({ item: 'X', verdict, findings: [] });
    expect(verdictStepStatus([r('REVIEW'), r('WARNING')])).toBe('broken');
    expect(verdictStepStatus([r('WARNING'), r('FAILED')])).toBe('failed');
    expect(verdictStepStatus([r('PASSED'), r('NOT_RUN')])).toBe('passed');
  });
});
