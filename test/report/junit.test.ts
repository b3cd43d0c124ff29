import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROFILE, runCommand, type RunOutcome } from '../../src/cli/run.ts';
import { childrenNamed, parseXml, type XmlElement } from './helpers/xml.ts';

/**
 * What CI relies on: junit.xml in the shape JUnit consumers read (testsuites > testsuite >
 * testcase, failure elements for failed flows) and the exit codes (0 all required items pass,
 * 1 anything fails, 2 usage or configuration errors, before any browser starts). Exit 0 of a full
 * run is asserted by the secret-scan test's full run.
 */
const REFUNDED = 'A complete order ending in REFUNDED';
const CANCELLED = 'A complete order ending in CANCELLED';
const NUMBER = /^\d+(\.\d+)?$/;

describe('a run with a failing flow', () => {
  const root = mkdtempSync(join(tmpdir(), 'golive-junit-'));
  let run: RunOutcome;
  let junit: XmlElement;

  beforeAll(async () => {
    run = await runCommand({
      out: join(root, 'reports'),
      quiet: true,
      workers: '2',
      grep: '@order-refunded|@order-cancelled',
      // The shop's refund answers 501: the REFUNDED flow fails, the CANCELLED flow passes.
      integrationEnv: { REFERENCE_MERCHANT_FAULTS: 'no-refund' },
    });
    junit = await parseXml(readFileSync(join(run.runDir!, 'junit.xml'), 'utf8'));
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1', () => {
    expect(run.exitCode).toBe(1);
    expect(run.summary!.flows.find((f) => f.title === REFUNDED)!.outcome).toBe('step-failed');
  });

  it('writes junit.xml as testsuites > testsuite[name,tests,failures,time] > testcase[name,classname,time]', () => {
    expect(junit.name).toBe('testsuites');
    expect(junit.attrs.tests).toMatch(/^\d+$/);
    expect(junit.attrs.failures).toMatch(/^\d+$/);
    const suites = childrenNamed(junit, 'testsuite');
    expect(suites.length).toBeGreaterThan(0);
    let tests = 0;
    let failures = 0;
    for (const suite of suites) {
      expect(suite.attrs.name).toBeTruthy();
      for (const a of ['tests', 'failures']) expect(suite.attrs[a]).toMatch(/^\d+$/);
      for (const a of ['errors', 'skipped']) if (a in suite.attrs) expect(suite.attrs[a]).toMatch(/^\d+$/);
      expect(suite.attrs.time).toMatch(NUMBER);
      const cases = childrenNamed(suite, 'testcase');
      expect(cases.length).toBe(Number(suite.attrs.tests));
      for (const c of cases) {
        expect(c.attrs.name).toBeTruthy();
        expect(c.attrs.classname).toBeTruthy();
        expect(c.attrs.time).toMatch(NUMBER);
        // Only elements JUnit consumers know inside a testcase.
        for (const child of c.children) expect(['failure', 'error', 'skipped', 'properties', 'system-out', 'system-err']).toContain(child.name);
      }
      const failed = cases.filter((c) => childrenNamed(c, 'failure').length > 0).length;
      expect(failed).toBe(Number(suite.attrs.failures));
      if ('errors' in suite.attrs) expect(cases.filter((c) => childrenNamed(c, 'error').length > 0).length).toBe(Number(suite.attrs.errors));
      tests += cases.length;
      failures += failed;
    }
    expect(Number(junit.attrs.tests)).toBe(tests);
    expect(Number(junit.attrs.failures)).toBe(failures);
    // The two flows, plus one testcase per checklist item in the `golive checklist` suite.
    const checklist = suites.find((s) => s.attrs.name === 'golive checklist');
    expect(checklist, 'golive checklist testsuite').toBeTruthy();
    expect(tests).toBe(2 + Number(checklist!.attrs.tests));
    expect(Number(checklist!.attrs.tests)).toBeGreaterThanOrEqual(40);
  });

  // JUnit's <failure> is "the code under test did something wrong" (<error>: the test itself broke).
  // A flow failed by the integration (a step's expectation, a checklist item) must be a <failure>.
  it('has a failure element for the failed flow and none for the passing one', () => {
    const cases = childrenNamed(junit, 'testsuite').flatMap((s) => childrenNamed(s, 'testcase'));
    const refunded = cases.find((c) => c.attrs.name.endsWith(REFUNDED))!;
    const cancelled = cases.find((c) => c.attrs.name.endsWith(CANCELLED))!;
    expect(refunded).toBeDefined();
    expect(cancelled).toBeDefined();
    const [failure] = childrenNamed(refunded, 'failure');
    expect(failure).toBeDefined();
    expect(failure!.attrs.message).toBeTruthy();
    expect(failure!.text).toMatch(/refund/i);
    expect(childrenNamed(cancelled, 'failure')).toEqual([]);
    expect(childrenNamed(cancelled, 'error')).toEqual([]);
  });

  it('rejects XML that is not well-formed (the parser is strict)', async () => {
    await expect(parseXml('<testsuites><testsuite name="a"></testsuites>')).rejects.toThrow(/not well-formed/);
  }, 60_000);
});

describe('usage and configuration errors exit 2 before anything starts', () => {
  const root = mkdtempSync(join(tmpdir(), 'golive-exit2-'));
  const errors: string[] = [];
  const spy = () => vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  afterEach(() => {
    vi.restoreAllMocks();
    errors.length = 0;
  });
  const noRunStarted = (out: string) => !existsSync(out) || readdirSync(out).length === 0;

  it('a malformed suite: exit 2 with file:line:col, no run folder', async () => {
    const suite = join(root, 'bad.suite.yaml');
    writeFileSync(suite, 'suite: bad\ntitle: Bad\napi: epayment-v1\nflows:\n  - id: x\n    title: X\n    checklist: [EP-ENDPOINT-CREATE]\n    steps:\n      - merchant.chekout: { amount: 10000 }\n');
    spy();
    const out = join(root, 'out-suite');
    const outcome = await runCommand({ suite: [suite], out, quiet: true });
    expect(outcome.exitCode).toBe(2);
    expect(errors.join('\n')).toMatch(new RegExp(`${suite.replace(/[.]/g, '\\.')}:9:9: .*unknown step "merchant\\.chekout"`));
    expect(noRunStarted(out)).toBe(true);
  });

  it('a malformed profile: exit 2 with file:line:col, no run folder', async () => {
    const profile = join(root, 'bad.profile.yaml');
    writeFileSync(profile, readFileSync(DEFAULT_PROFILE, 'utf8').replace('kind: partner', 'kind: partnr'));
    spy();
    const out = join(root, 'out-profile');
    const outcome = await runCommand({ profile, out, quiet: true });
    expect(outcome.exitCode).toBe(2);
    expect(errors.join('\n')).toMatch(new RegExp(`${profile.replace(/[.]/g, '\\.')}:\\d+:\\d+: .*kind`));
    expect(noRunStarted(out)).toBe(true);
  });

  it('a missing profile: exit 2 naming the file, no run folder', async () => {
    spy();
    const out = join(root, 'out-missing');
    const outcome = await runCommand({ profile: join(root, 'nope.profile.yaml'), out, quiet: true });
    expect(outcome.exitCode).toBe(2);
    expect(errors.join('\n')).toMatch(/nope\.profile\.yaml not found/);
    expect(noRunStarted(out)).toBe(true);
  });
});
