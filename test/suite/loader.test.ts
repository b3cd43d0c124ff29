import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, SuiteError, type Diagnostic } from '../../src/suite/diagnostics.ts';
import { loadSuite, loadSuites, parseSuite, globToRegExp } from '../../src/suite/loader.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'valid.suite.yaml');

/** Lines of `file:line:col: message` for the errors of a suite text. */
function problems(text: string, file = 'suite.yaml'): string[] {
  const res = parseSuite(text, file);
  expect(res.value).toBeUndefined();
  return res.diagnostics.map(formatDiagnostic);
}

const head = `suite: s\ntitle: T\napi: epayment-v1\nflows:\n`;
// Lines 1-4 are the header above; flows start on line 5.

describe('loading a valid suite', () => {
  it('parses the fixture with defaults, durations in ms and step positions', async () => {
    const warnings: Diagnostic[] = [];
    const suite = await loadSuite(FIXTURE, { onWarning: (d) => warnings.push(d) });
    expect(warnings).toEqual([]);
    expect(suite).toMatchObject({ suite: 'epayment-checklist', api: 'epayment-v1', vars: { amount: 49900 }, file: FIXTURE });
    expect(suite.flows.map((f) => f.id)).toEqual(['order-captured', 'polling-without-webhooks']);

    const [captured, polling] = suite.flows;
    expect(captured).toMatchObject({ browser: true, timeout: 60_000, requires: ['capture'], line: 8, col: 5 });
    expect(captured.sandbox.faults).toEqual([{ match: { operation: 'capturePayment' }, effect: { type: 'drop-response' }, times: 1 }]);
    expect(captured.steps[0]).toEqual({ name: 'merchant.checkout', args: { amount: '{{vars.amount}}', as: 'order', expectError: false }, index: 0, line: 17, col: 9 });
    // Defaults filled in; durations turned into milliseconds.
    expect(captured.steps[1].args).toEqual({ redirect: true, via: 'landing' });
    expect(captured.steps[3].args).toEqual({ status: 'paid', within: 15_000 });

    // browser inferred (approve via control without redirect needs no page); default timeout.
    expect(polling).toMatchObject({ browser: false, timeout: 60_000, checklist: ['EP-POLLING', 'x-shop-polling'], requires: ['polling', 'userFlow:WEB_REDIRECT'] });
    expect(polling.sandbox.faults).toEqual([{ match: {}, effect: { type: 'webhook-drop' } }]);
    // `- customer.ignore:` with no value means {}.
    expect(polling.steps.find((s) => s.name === 'customer.ignore')?.args).toEqual({});
    expect(polling.steps.find((s) => s.name === 'expect.noTraffic')?.args).toEqual({ operation: 'cancelPayment', during: 2000 });
    expect(polling.steps.find((s) => s.name === 'sandbox.forgeWebhook')?.args).toEqual({ name: 'CAPTURED', success: false });
  });

  it('infers browser: true from steps that need a page', () => {
    const res = parseSuite(`${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.page: { text: Thanks }\n`, 's.yaml');
    expect(res.diagnostics).toEqual([]);
    expect(res.value?.flows[0].browser).toBe(true);
  });
});

describe('schema errors point at the offending node', () => {
  it('a wrong enum value: expected list and the value', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { state: PAID }\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:9:34: flows[0].steps[1].expect.payment.state: expected one of CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED, INITIATE, RESERVE, SALE, CAPTURE, REFUND, CANCEL, VOID, REJECTED, FAILED, INITIATED, RESERVED, CAPTURED, REFUNDED, CANCELLED, got "PAID" (did you mean VOID?)',
    ]);
  });

  it('a missing property points at the parent mapping', () => {
    const text = `${head}  - id: a\n    steps:\n      - merchant.checkout: {}\n`;
    expect(problems(text)).toEqual(['suite.yaml:5:5: flows[0].title: missing property "title" (expected a string)']);
  });

  it('a missing step argument points at the step\'s argument mapping', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.merchantOrder:\n          within: 5s\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:10:11: flows[0].steps[1].expect.merchantOrder.status: missing property "status" (expected one of pending, paid, captured, partially-captured, refunded, partially-refunded, cancelled, failed, expired, terminated)',
    ]);
  });

  it('an unknown step name lists the valid ones and suggests the closest', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.chekout: {}\n`;
    const [line] = problems(text);
    expect(line).toMatch(/^suite\.yaml:8:9: flows\[0\]\.steps\[0\]\.merchant\.chekout: unknown step "merchant\.chekout" \(did you mean "merchant\.checkout"\?\); expected one of: merchant\.checkout, merchant\.capture, /);
    expect(line).toContain('expect.noTraffic, wait, set');
  });

  it('an unknown property is reported at its key, with the accepted ones', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: { amount: 100, colour: red }\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:8:43: flows[0].steps[0].merchant.checkout.colour: unknown property "colour"; expected one of: amount, description, as, expectError',
    ]);
  });

  it('wrong types, numbers out of range, durations, empty lists', () => {
    const text = [
      'suite: s',
      'title: T',
      'api: epayment-v2',
      'flows:',
      '  - id: Not-Kebab',
      '    title: A',
      '    timeout: soon',
      '    steps:',
      '      - merchant.checkout: { amount: -5 }',
      '      - customer.approve: { redirect: "yes" }',
      '  - id: b',
      '    title: B',
      '    steps: []',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'suite.yaml:3:6: api: expected one of epayment-v1, epayment-psp, ecom-v2, psp-v2, webhooks-v1, got "epayment-v2" (did you mean epayment-v1?)',
      'suite.yaml:5:9: flows[0].id: expected a kebab-case id such as order-captured, got "Not-Kebab"',
      'suite.yaml:7:14: flows[0].timeout: expected a duration such as 15s, 500ms, 2m or a number of milliseconds, got "soon"',
      'suite.yaml:9:38: flows[0].steps[0].merchant.checkout.amount: expected a number > 0, got -5',
      'suite.yaml:10:39: flows[0].steps[1].customer.approve.redirect: expected true or false, got "yes"',
      'suite.yaml:13:12: flows[1].steps: expected at least 1 item, got 0',
    ]);
  });

  it('a templatable number field says a {{variable}} is accepted too', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: { amount: lots }\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:8:38: flows[0].steps[0].merchant.checkout.amount: expected an amount in minor units (øre/cents) or a single {{variable}}, got "lots"',
    ]);
  });

  it('sandbox faults use the sandbox fault vocabulary, strictly', () => {
    const text = `${head}  - id: a\n    title: A\n    sandbox:\n      faults:\n        - { effect: { type: teapot } }\n        - { effect: { type: delay, ms: 5 }, tims: 1 }\n    steps:\n      - merchant.checkout: {}\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:9:29: flows[0].sandbox.faults[0].effect.type: expected one of status, delay, drop-response, hang, stale-read, webhook-drop, webhook-delay, webhook-duplicate, webhook-reorder, callback-drop, callback-delay, callback-duplicate, card-callback-timeout, expire-after, got "teapot"',
      'suite.yaml:10:45: flows[0].sandbox.faults[1].tims: unknown property "tims" (did you mean "times"?); expected one of: id, label, match, effect, times',
    ]);
  });

  it('a step with two keys says arguments belong under the step name', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout:\n        amount: 5\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:9:9: flows[0].steps[0].amount: a step has exactly one key, found "merchant.checkout", "amount" (arguments belong in the mapping under "merchant.checkout")',
    ]);
  });

  it('cross-field refinements: at least one expectation, count vs min/max', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { within: 5s }\n      - expect.traffic: { operation: x, count: 1, min: 1 }\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:9:25: flows[0].steps[1].expect.payment: expected at least one of state, authorizedAmount, capturedAmount, refundedAmount, cancelledAmount',
      'suite.yaml:10:25: flows[0].steps[2].expect.traffic: expected either count or min/max, not both',
    ]);
  });

  it('unknown checklist ids suggest the closest; x- ids are allowed', () => {
    const text = `${head}  - id: a\n    title: A\n    checklist: [x-mine, EP-ORDER-CAPTURD]\n    steps:\n      - merchant.checkout: {}\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:7:25: flows[0].checklist[1]: unknown checklist item "EP-ORDER-CAPTURD" (did you mean EP-ORDER-CAPTURED?); expected an id from vipps-facts.md §8 such as EP-ORDER-CAPTURED, or a custom id starting with x-',
    ]);
  });

  it('YAML syntax errors have line and column', () => {
    const lines = problems(`suite: s\ntitle: [unclosed\napi: epayment-v1\n`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^suite\.yaml:\d+:\d+: YAML: /);
    expect(problems(`suite: s\nsuite: t\n`)).toEqual(['suite.yaml:2:1: YAML: Map keys must be unique']);
  });

  it('a document that is not a mapping', () => {
    expect(problems(`- just\n- a list\n`)).toEqual(['suite.yaml:1:1: expected a mapping, got a list']);
  });
});

describe('checks across fields', () => {
  it('duplicate flow ids', () => {
    const text = `${head}  - id: a\n    title: A\n    steps: [ merchant.checkout: {} ]\n  - id: a\n    title: B\n    steps: [ merchant.checkout: {} ]\n`;
    expect(problems(text)).toEqual(['suite.yaml:8:9: flows[1].id: duplicate flow id "a" (also flows[0])']);
  });

  it('steps that need an order before any checkout', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.capture: {}\n      - merchant.refund: { reference: known-ref-1 }\n      - merchant.checkout: {}\n      - merchant.cancel: {}\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:8:9: flows[0].steps[0].merchant.capture: merchant.capture needs an order, but no merchant.checkout (or merchant.action) comes before it in this flow; add one or give reference',
    ]);
  });

  it('a custom action may create the order', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.action: { name: subscribe, as: sub }\n      - customer.approve: {}\n      - expect.traffic: { operation: x, where: { "$.reference": "{{sub.anything}}" } }\n`;
    expect(parseSuite(text, 's.yaml').diagnostics).toEqual([]);
  });

  it('template variables that can never be defined', () => {
    const text = [
      'suite: s',
      'title: T',
      'api: epayment-v1',
      'vars: { amount: 100 }',
      'flows:',
      '  - id: a',
      '    title: A',
      '    vars: { half: 50 }',
      '    steps:',
      '      - merchant.checkout: { amount: "{{vars.half}}", description: "{{reference}}" }',
      '      - merchant.capture: { amount: "{{vars.later}}" }',
      '      - set: { later: 10 }',
      '      - merchant.refund: { amount: "{{vars.nothing}}" }',
      '      - expect.page: { text: "{{first.reference}} {{order.colour}} {{sandbox.port}} {{nope}} {{env.HOME}}" }',
      '      - merchant.checkout: { as: order }',
      '      - expect.page: { text: "{{order.reference}} {{first.reference}} {{broken" }',
      '      - merchant.checkout: { as: first }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'suite.yaml:10:68: flows[0].steps[0].merchant.checkout.description: {{reference}} is not defined yet: no merchant.checkout (or merchant.action) comes before this step',
      'suite.yaml:11:37: flows[0].steps[1].merchant.capture.amount: {{vars.later}} is used before it is set (by the set step at steps[2])',
      'suite.yaml:13:36: flows[0].steps[3].merchant.refund.amount: unknown variable {{vars.nothing}}: "nothing" is not in the suite\'s or flow\'s vars, and no set step before this one defines it',
      'suite.yaml:14:30: flows[0].steps[4].expect.page.text: {{first.reference}} is used before steps[7] captures "first"',
      'suite.yaml:14:30: flows[0].steps[4].expect.page.text: {{order.colour}} is used before steps[5] captures "order"',
      'suite.yaml:14:30: flows[0].steps[4].expect.page.text: unknown variable {{sandbox.port}}; {{sandbox.…}} has sandbox.url',
      'suite.yaml:14:30: flows[0].steps[4].expect.page.text: unknown variable {{nope}}; steps can use {{vars.*}}, {{reference}}, {{redirectUrl}}, {{amount}}, captured {{<as>.reference}}, {{env.*}}, {{sandbox.url}}, {{baseUrl}}, {{msn}}, {{flow.id}}, {{flow.title}}, {{suite.id}}, {{suite.title}}, {{installation.id}}, {{installation.msn}}, {{installation.title}}',
      'suite.yaml:16:30: flows[0].steps[6].expect.page.text: unterminated {{ in "{{order.reference}} {{first.reference}} {{broken"',
    ]);
  });

  it('an alias holds reference, redirectUrl and amount only', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: { as: o }\n      - expect.page: { text: "{{o.status}}" }\n`;
    expect(problems(text)).toEqual(['suite.yaml:9:30: flows[0].steps[1].expect.page.text: unknown variable {{o.status}}; o holds o.reference, o.redirectUrl, o.amount']);
  });

  it('reserved names cannot be aliases', () => {
    const text = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: { as: vars }\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:8:34: flows[0].steps[0].merchant.checkout.as: expected a name that is not reserved (vars, env, sandbox, baseUrl, reference, redirectUrl, amount, flow, suite, msn, params, merchant, phoneNumber, qrTarget, qrId), got "vars"',
    ]);
  });

  it('browser: false with steps that need a page', () => {
    const text = `${head}  - id: a\n    title: A\n    browser: false\n    steps:\n      - merchant.checkout: {}\n      - customer.approve: {}\n`;
    expect(problems(text)).toEqual([
      'suite.yaml:7:14: flows[0].browser: browser is false, but steps of this flow need a browser page (returnPage, orderPage, openLanding, expect.page, or approve/reject via landing or with redirect)',
    ]);
  });

  it('checklist items of another API are a warning, not an error', () => {
    const text = `${head}  - id: a\n    title: A\n    checklist: [EC-CALLBACK]\n    steps: [ merchant.checkout: {} ]\n`;
    const res = parseSuite(text, 's.yaml');
    expect(res.value).toBeDefined();
    expect(res.diagnostics.map(formatDiagnostic)).toEqual(['s.yaml:7:17: warning: flows[0].checklist[0]: EC-CALLBACK is a checklist item for ecom-v2, but this suite tests epayment-v1']);
  });

  it('expect.payment states are the suite API\'s own words', () => {
    const ecom = (state: string) => `suite: s\ntitle: T\napi: ecom-v2\nflows:\n  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { state: ${state} }\n`;
    expect(parseSuite(ecom('RESERVE'), 's.yaml').diagnostics).toEqual([]);
    expect(parseSuite(ecom('AUTHORIZED'), 's.yaml').diagnostics.map(formatDiagnostic)).toEqual([
      's.yaml:9:34: flows[0].steps[1].expect.payment.state: AUTHORIZED is not a ecom-v2 payment state; expected one of INITIATE, RESERVE, SALE, CAPTURE, REFUND, CANCEL, VOID, REJECTED, FAILED',
    ]);
    const epayment = `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { state: RESERVE }\n`;
    expect(parseSuite(epayment, 's.yaml').diagnostics.map(formatDiagnostic)).toEqual([
      's.yaml:9:34: flows[0].steps[1].expect.payment.state: RESERVE is not a epayment-v1 payment state; expected one of CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED',
    ]);
  });

  it('collects every error of a file at once, in file order', () => {
    const text = `${head}  - id: a\n    steps:\n      - merchant.capture: {}\n      - expect.payment: { state: PAID }\n  - id: a\n    title: B\n    steps: [ merchant.checkout: {} ]\n`;
    const needsOrder = (step: string) => `${step} needs an order, but no merchant.checkout (or merchant.action) comes before it in this flow; add one or give reference`;
    expect(problems(text)).toEqual([
      'suite.yaml:5:5: flows[0].title: missing property "title" (expected a string)',
      `suite.yaml:7:9: flows[0].steps[0].merchant.capture: ${needsOrder('merchant.capture')}`,
      `suite.yaml:8:9: flows[0].steps[1].expect.payment: ${needsOrder('expect.payment')}`,
      'suite.yaml:8:34: flows[0].steps[1].expect.payment.state: expected one of CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED, INITIATE, RESERVE, SALE, CAPTURE, REFUND, CANCEL, VOID, REJECTED, FAILED, INITIATED, RESERVED, CAPTURED, REFUNDED, CANCELLED, got "PAID" (did you mean VOID?)',
      'suite.yaml:9:9: flows[1].id: duplicate flow id "a" (also flows[0])',
    ]);
  });
});

describe('files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-suite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loadSuite throws a SuiteError whose format() prints file:line:col lines', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, `${head}  - id: a\n    title: A\n    steps:\n      - merchant.checkout: {}\n      - expect.payment: { state: PAID }\n`);
    const err = await loadSuite(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuiteError);
    expect((err as SuiteError).format()).toBe(
      `${file}:9:34: flows[0].steps[1].expect.payment.state: expected one of CREATED, AUTHORIZED, ABORTED, EXPIRED, TERMINATED, INITIATE, RESERVE, SALE, CAPTURE, REFUND, CANCEL, VOID, REJECTED, FAILED, INITIATED, RESERVED, CAPTURED, REFUNDED, CANCELLED, got "PAID" (did you mean VOID?)`,
    );
    expect((err as SuiteError).message).toContain('1 error in');
  });

  it('loadSuites reads a directory or a glob, skips profiles, and rejects duplicate suite ids', async () => {
    const sub = join(dir, 'many');
    await writeFile(join(dir, 'ignored.profile.yaml'), 'not: a suite\n').catch(() => undefined);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(sub, 'nested'), { recursive: true });
    const suite = (id: string) => `suite: ${id}\ntitle: T\napi: epayment-v1\nflows:\n  - id: a\n    title: A\n    steps: [ merchant.checkout: {} ]\n`;
    await writeFile(join(sub, 'one.yaml'), suite('one'));
    await writeFile(join(sub, 'nested', 'two.yml'), suite('two'));
    await writeFile(join(sub, 'shop.profile.yaml'), 'profile: x\n');
    expect((await loadSuites(sub)).map((s) => s.suite).sort()).toEqual(['one', 'two']);
    expect((await loadSuites(join(sub, '**', '*.yml'))).map((s) => s.suite)).toEqual(['two']);

    await writeFile(join(sub, 'nested', 'three.yaml'), suite('one'));
    const err = (await loadSuites(sub).catch((e: unknown) => e)) as SuiteError;
    expect(err).toBeInstanceOf(SuiteError);
    expect(err.format()).toMatch(/one\.yaml:1:8: suite: duplicate suite id "one" \(also in .*\)$/);
  });

  it('globToRegExp', () => {
    expect(globToRegExp('**/*.yaml').test('a/b/c.yaml')).toBe(true);
    expect(globToRegExp('**/*.yaml').test('c.yaml')).toBe(true);
    expect(globToRegExp('*.yaml').test('a/c.yaml')).toBe(false);
    expect(globToRegExp('*.{yaml,yml}').test('c.yml')).toBe(true);
    expect(globToRegExp('s?.yaml').test('s1.yaml')).toBe(true);
  });
});
