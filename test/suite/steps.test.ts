import { describe, expect, it } from 'vitest';
import { InterpolationError } from '../../src/suite/template.ts';
import { DOCUMENT_STEP_ARGS, resolveStep, STEP_ARGS, STEP_NAMES, StepArgsError, type SuiteStep } from '../../src/suite/steps.ts';
import { parseSuite } from '../../src/suite/loader.ts';

const step = (name: SuiteStep['name'], args: Record<string, unknown>): SuiteStep => ({ name, args, index: 0, line: 3, col: 9 });

describe('the step library', () => {
  it('has exactly the documented steps, with runtime and document schemas for each', () => {
    expect(STEP_NAMES).toEqual([
      'merchant.checkout',
      'merchant.capture',
      'merchant.refund',
      'merchant.cancel',
      'merchant.returnPage',
      'merchant.orderPage',
      'merchant.eventLog',
      'merchant.action',
      'customer.approve',
      'customer.scanQr',
      'customer.tryCard',
      'customer.reject',
      'customer.ignore',
      'customer.openLanding',
      'sandbox.fault',
      'sandbox.clearFaults',
      'sandbox.advanceClock',
      'sandbox.expire',
      'sandbox.forgeWebhook',
      'sandbox.forgeCardCallback',
      'sandbox.duplicateWebhooks',
      'expect.payment',
      'expect.merchantOrder',
      'expect.page',
      'expect.traffic',
      'expect.noTraffic',
      'wait',
      'set',
    ]);
    expect(Object.keys(DOCUMENT_STEP_ARGS)).toEqual(STEP_NAMES);
  });

  it('applies defaults', () => {
    expect(STEP_ARGS['customer.approve'].parse({})).toEqual({ redirect: true, via: 'landing' });
    expect(STEP_ARGS['customer.reject'].parse({ via: 'control' })).toEqual({ redirect: true, via: 'control' });
    expect(STEP_ARGS['merchant.returnPage'].parse({})).toEqual({ freshBrowser: true });
    expect(STEP_ARGS['merchant.action'].parse({ name: 'retry' })).toEqual({ name: 'retry', params: {}, expectRefusal: false });
    expect(STEP_ARGS['sandbox.duplicateWebhooks'].parse({})).toEqual({ copies: 2 });
    expect(STEP_ARGS['sandbox.forgeWebhook'].parse({ name: 'AUTHORIZED', tamper: 'signature' })).toEqual({ name: 'AUTHORIZED', tamper: 'signature', success: true });
    expect(STEP_ARGS['sandbox.fault'].parse({ effect: { type: 'status', status: 500 } })).toEqual({ match: {}, effect: { type: 'status', status: 500 } });
    expect(STEP_ARGS['expect.merchantOrder'].parse({ status: ['cancelled', 'failed'], within: '2m' })).toEqual({ status: ['cancelled', 'failed'], within: 120_000 });
  });

  it('rejects what makes no sense', () => {
    expect(STEP_ARGS['sandbox.advanceClock'].safeParse({}).success).toBe(false);
    expect(STEP_ARGS['wait'].safeParse({}).success).toBe(false);
    expect(STEP_ARGS['expect.page'].safeParse({}).success).toBe(false);
    expect(STEP_ARGS['set'].safeParse({}).success).toBe(false);
    expect(STEP_ARGS['set'].safeParse({ 'bad-name': 1 }).success).toBe(false);
    expect(STEP_ARGS['sandbox.forgeWebhook'].safeParse({ name: 'PAID' }).success).toBe(false);
    expect(STEP_ARGS['sandbox.fault'].safeParse({ effect: { type: 'delay', ms: 1, extra: 1 } }).success).toBe(false);
    // Templates are for documents only.
    expect(STEP_ARGS['merchant.capture'].safeParse({ amount: '{{vars.x}}' }).success).toBe(false);
    expect(DOCUMENT_STEP_ARGS['merchant.capture'].safeParse({ amount: '{{vars.x}}' }).success).toBe(true);
    expect(DOCUMENT_STEP_ARGS['merchant.capture'].safeParse({ amount: 'x {{vars.x}}' }).success).toBe(false);
  });
});

describe('resolveStep', () => {
  const scope = { vars: { amount: 49900, half: '250', label: 'x' }, reference: 'r-1', order: { reference: 'r-0' } };

  it('interpolates, keeps number types and re-checks the args', () => {
    const resolved = resolveStep(step('merchant.capture', { amount: '{{vars.amount}}', reference: '{{order.reference}}' }), scope);
    expect(resolved).toEqual({ name: 'merchant.capture', args: { amount: 49900, reference: 'r-0', expectError: false }, index: 0, line: 3, col: 9 });
    if (resolved.name === 'merchant.capture') expect(resolved.args.amount! + 1).toBe(49901);
  });

  it('a variable of the wrong type is a StepArgsError naming the step and line', () => {
    expect(() => resolveStep(step('merchant.capture', { amount: '{{vars.half}}' }), scope)).toThrow(StepArgsError);
    expect(() => resolveStep(step('merchant.capture', { amount: '{{vars.half}}' }), scope)).toThrow(/^merchant\.capture \(line 3\): .*amount/);
  });

  it('unknown variables are InterpolationErrors', () => {
    expect(() => resolveStep(step('merchant.refund', { amount: '{{vars.nope}}' }), scope)).toThrow(InterpolationError);
  });

  it('works on steps as loaded from a suite', () => {
    const suite = parseSuite(
      'suite: s\ntitle: T\napi: epayment-v1\nvars: { amount: 100 }\nflows:\n  - id: a\n    title: A\n    steps:\n      - merchant.checkout: { amount: "{{vars.amount}}", as: o }\n      - expect.payment: { capturedAmount: "{{o.amount}}", within: 5s }\n',
      's.yaml',
    ).value!;
    const [checkout, expectPayment] = suite.flows[0].steps;
    expect(resolveStep(checkout, { vars: suite.vars })).toMatchObject({ name: 'merchant.checkout', args: { amount: 100, as: 'o' }, line: 9, col: 9 });
    expect(resolveStep(expectPayment, { vars: suite.vars, o: { amount: 100 } })).toMatchObject({ args: { capturedAmount: 100, within: 5000 } });
  });
});

describe('in-person steps', () => {
  const flowOf = (steps: string) => parseSuite(`suite: s\ntitle: T\napi: epayment-v1\nflows:\n  - id: a\n    title: A\n    steps:\n${steps}`, 's.yaml');
  const errorsOf = (steps: string) => flowOf(steps).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

  it('customer.approve answers the consent question only in the app', () => {
    expect(STEP_ARGS['customer.approve'].parse({ via: 'app', consent: 'decline' })).toMatchObject({ via: 'app', consent: 'decline', redirect: true });
    expect(STEP_ARGS['customer.approve'].safeParse({ via: 'landing', consent: 'share' }).success).toBe(false);
    expect(STEP_ARGS['customer.approve'].safeParse({ via: 'app', consent: 'maybe' }).success).toBe(false);
  });

  it('customer.scanQr scans a merchant-redirect code or the payment QR, not both; opens by default', () => {
    expect(STEP_ARGS['customer.scanQr'].parse({})).toEqual({ open: true });
    expect(STEP_ARGS['customer.scanQr'].parse({ payment: true, as: 'scan' })).toEqual({ payment: true, open: true, as: 'scan' });
    expect(STEP_ARGS['customer.scanQr'].safeParse({ qrId: 'taxi-1', payment: true }).success).toBe(false);
    expect(STEP_ARGS['customer.scanQr'].safeParse({ payment: false }).success).toBe(false);
  });

  it('steps may use {{phoneNumber}}, {{qrTarget}}, {{qrId}} and what scanQr stored under as', () => {
    const steps = [
      '      - customer.scanQr: { qrId: "{{qrId}}", as: scan }',
      '      - merchant.action: { role: pushCheckout, params: { from: "{{scan.target}}", page: "{{qrTarget}}" } }',
      '      - merchant.action: { role: pushCheckout, params: { phone: "{{phoneNumber}}" } }',
      '      - customer.approve: { via: app }',
    ].join('\n');
    expect(errorsOf(steps)).toEqual([]);
    expect(errorsOf('      - customer.scanQr: { as: scan }\n      - merchant.action: { role: pushCheckout, params: { x: "{{scan.url}}" } }')).toEqual([expect.stringMatching(/scan holds scan\.kind, scan\.qrId, scan\.reference, scan\.target, scan\.status/)]);
  });

  it('merchant.action expectRefusal defaults to false', () => {
    expect(STEP_ARGS['merchant.action'].parse({ role: 'returningCheckout', expectRefusal: true })).toMatchObject({ role: 'returningCheckout', expectRefusal: true });
  });
});
