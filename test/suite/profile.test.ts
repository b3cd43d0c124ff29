import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/suite/diagnostics.ts';
import { loadProfile, parseProfile } from '../../src/suite/loader.ts';
import { canonicalStatus, canonicalStatuses, resolveSecrets, SecretResolutionError } from '../../src/suite/profile.ts';
import { flowApplicability, flowNeedsBrowser } from '../../src/suite/applicability.ts';
import { loadSuite, parseSuite } from '../../src/suite/loader.ts';
import { DEFAULT_CUSTOMER_PHONE_NUMBER, IN_PERSON_ROLES } from '../../src/contract/in-person.ts';
import { DEFAULT_TEST_PHONE_NUMBER } from '../../src/sandbox/shared/test-customer.ts';
import { ACTION_ROLES } from '../../src/suite/roles.ts';
import { flowScope } from '../../src/suite/scope.ts';

const TEMPLATE = join(import.meta.dirname, '..', '..', 'config', 'template.profile.yaml');

const minimal = (extra = '', merchant = '') =>
  [
    'profile: shop',
    'name: Shop',
    'kind: direct',
    'merchant:',
    '  msn: 123456',
    merchant || '  clientId: ${env:CID}\n  clientSecret: ${env:CSECRET}\n  subscriptionKey: ${env:SUBKEY}',
    'baseUrl: http://localhost:3000',
    'capabilities: { capture: false, refund: false, cancel: false }',
    'actions:',
    '  checkout:',
    '    http: { method: POST, url: "{{baseUrl}}/checkout", body: { amount: "{{amount}}" }, extract: { reference: $.reference } }',
    '  orderStatus:',
    '    http: { url: "{{baseUrl}}/orders/{{reference}}", extract: { status: $.order.status } }',
    extra,
  ].join('\n');

function errors(text: string): string[] {
  const res = parseProfile(text, 'shop.profile.yaml');
  expect(res.value).toBeUndefined();
  return res.diagnostics.map(formatDiagnostic);
}

describe('profiles', () => {
  it('the annotated template is a valid profile with defaults filled in', async () => {
    const p = await loadProfile(TEMPLATE);
    expect(p).toMatchObject({ profile: 'template-shop', kind: 'direct', merchant: { msn: '123456', clientSecret: '${env:VIPPS_CLIENT_SECRET}' } });
    expect(p.capabilities).toEqual({
      capture: true,
      partialCapture: true,
      refund: true,
      partialRefund: true,
      cancel: true,
      webhooks: true,
      polling: true,
      eventLog: false,
      receipts: false,
      inStore: false,
      contentMonitored: false,
      encryptedCardData: false,
      userFlows: ['WEB_REDIRECT'],
      profileSharing: false,
      qrMerchantRedirect: false,
    });
    expect(p.customer).toEqual({ phoneNumber: DEFAULT_CUSTOMER_PHONE_NUMBER });
    expect(p.timeouts).toEqual({ action: 15_000, status: 15_000 });
    expect(p.start?.timeout).toBe(60_000);
    expect(p.actions.checkout.http).toMatchObject({ method: 'POST', extract: { reference: '$.reference', redirectUrl: '$.redirectUrl' }, followRedirects: true });
    expect(p.actions.orderPage?.browser).toEqual([{ goto: '{{baseUrl}}/return?reference={{reference}}' }, { waitFor: 'body' }]);
    expect(p.actions.retry?.http?.method).toBe('POST');
  });

  it('a minimal profile: MSN as a number becomes a string, partial capabilities follow their whole', () => {
    const res = parseProfile(minimal(), 'p.yaml');
    expect(res.diagnostics).toEqual([]);
    expect(res.value?.merchant.msn).toBe('123456');
    expect(res.value?.capabilities).toMatchObject({ capture: false, partialCapture: false, refund: false, partialRefund: false });
    expect(res.value?.actions.orderStatus.http?.method).toBe('GET');
  });

  it('literal secrets are rejected, naming the field and never echoing the value', () => {
    const lines = errors(minimal('', '  clientId: ${env:CID}\n  clientSecret: hunter2-very-secret\n  subscriptionKey: 0123456789abcdef'));
    expect(lines).toEqual([
      'shop.profile.yaml:7:17: merchant.clientSecret: expected ${env:NAME}: a literal secret is not allowed here; put the value in an environment variable',
      'shop.profile.yaml:8:20: merchant.subscriptionKey: expected ${env:NAME}: a literal secret is not allowed here; put the value in an environment variable',
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('0123456789abcdef');
  });

  it('a missing credential points at merchant', () => {
    expect(errors(minimal('', '  clientId: ${env:CID}\n  clientSecret: ${env:S}'))).toEqual([
      'shop.profile.yaml:5:3: merchant.subscriptionKey: missing property "subscriptionKey" (expected a string)',
    ]);
  });

  it('capabilities need their actions; orderStatus must extract status', () => {
    const text = minimal().replace('capabilities: { capture: false, refund: false, cancel: false }', 'capabilities: { refund: false, cancel: false, partialRefund: true }')
      .replace('extract: { status: $.order.status }', 'extract: { state: $.state }');
    expect(errors(text)).toEqual([
      'shop.profile.yaml:10:47: capabilities.partialRefund: partialRefund needs refund: true',
      'shop.profile.yaml:12:3: actions: capabilities.capture is true by default, but there is no actions.capture; add the action or set capabilities.capture: false',
      'shop.profile.yaml:14:3: actions.orderStatus: orderStatus must extract status (http: extract: { status: $.status } or browser: - extract: { name: status, … })',
    ]);
  });

  it('actions: exactly one of http/browser, browser ops, extract paths, template variables', () => {
    const text = minimal(
      [
        '  orderPage:',
        '    http: { url: "{{baseUrl}}/o/{{orderId}}" }',
        '    browser: [ { goto: x } ]',
        '  eventLog:',
        '    browser:',
        '      - clik: "#x"',
        '      - extract: { name: status, from: page, pattern: "(" }',
        '  retry:',
        '    http: { url: x, extract: { reference: reference } }',
      ].join('\n'),
    );
    expect(errors(text)).toEqual([
      'shop.profile.yaml:17:5: actions.orderPage: expected exactly one of http or browser',
      'shop.profile.yaml:17:18: actions.orderPage.http.url: unknown variable {{orderId}}; actions.orderPage can use {{env.*}}, {{sandbox.url}}, {{baseUrl}}, {{msn}}, {{flow.id}}, {{flow.title}}, {{suite.id}}, {{suite.title}}, {{installation.id}}, {{installation.msn}}, {{installation.title}}, {{vars.*}}, {{reference}}, {{amount}}',
      'shop.profile.yaml:21:9: actions.eventLog.browser[0].clik: unknown browser action "clik" (did you mean "click"?); expected one of: goto, click, fill, expectText, waitForURL, waitFor, extract',
      'shop.profile.yaml:22:40: actions.eventLog.browser[1].extract.from: expected one of url, text, got "page"',
      'shop.profile.yaml:22:55: actions.eventLog.browser[1].extract.pattern: expected a valid regular expression, got "("',
      'shop.profile.yaml:24:43: actions.retry.http.extract.reference: expected a JSON path such as $.reference or $.data.items[0].id, or header:Name, got "reference"',
    ]);
  });

  it('status mapping: canonical keys only; one word for several statuses of a class, a warning across classes', () => {
    const text = minimal('statusMapping:\n  paid: [Reserved, OK]\n  captured: ok\n  payd: x');
    expect(errors(text)).toEqual([
      'shop.profile.yaml:18:13: warning: statusMapping.captured: "ok" is mapped to both paid and captured, which the checklist tells apart; golive will accept "ok" for either',
      'shop.profile.yaml:19:3: statusMapping.payd: unknown property "payd" (did you mean "paid"?); expected one of: pending, paid, captured, partially-captured, refunded, partially-refunded, cancelled, failed, expired, terminated',
    ]);
    const ok = parseProfile(minimal('statusMapping:\n  paid: [Reserved, OK]\n  captured: shipped'), 'p.yaml').value!;
    expect(canonicalStatus(ok, 'reserved')).toBe('paid');
    expect(canonicalStatus(ok, ' SHIPPED ')).toBe('captured');
    expect(canonicalStatus(ok, 'refunded')).toBe('refunded');
    expect(canonicalStatus(ok, 'paid')).toBeUndefined();
    expect(canonicalStatus(ok, 'whatever')).toBeUndefined();
    // A real shop's vocabulary: `failed` for ABORTED and EXPIRED, `refunded` for any refund.
    const shop = parseProfile(minimal('statusMapping:\n  failed: failed\n  expired: failed\n  cancelled: [cancelled]\n  terminated: cancelled\n  refunded: refunded\n  partially-refunded: refunded'), 'p.yaml');
    expect(shop.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(canonicalStatuses(shop.value!, 'Failed')).toEqual(['failed', 'expired']);
    expect(canonicalStatuses(shop.value!, 'cancelled')).toEqual(['cancelled', 'terminated']);
    expect(canonicalStatuses(shop.value!, 'refunded')).toEqual(['refunded', 'partially-refunded']);
  });

  it('template variables: each action may use what golive fills in for it, and start: may use baseUrl and msn', () => {
    const cancelWithAmount = minimal('  cancel:\n    http: { method: POST, url: "{{baseUrl}}/o/{{reference}}/cancel?amount={{amount}}" }');
    expect(errors(cancelWithAmount).join('\n')).toMatch(/actions\.cancel\.http\.url: unknown variable \{\{amount\}\}; actions\.cancel can use/);
    const start = minimal('start:\n  command: node shop.js\n  url: "{{baseUrl}}/health"\n  env:\n    SHOP_URL: "{{baseUrl}}"\n    SHOP_MSN: "{{msn}}"\n    PORT: "{{env.PORT:-4100}}"');
    expect(parseProfile(start, 'p.yaml').diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(errors(minimal('start:\n  command: node shop.js\n  url: "{{baseUrl}}/health"\n  env:\n    X: "{{amount}}"')).join('\n')).toMatch(/start\.env\.X: unknown variable \{\{amount\}\}/);
  });

  it('warns about custom actions that look like typos and literal credential headers', () => {
    const res = parseProfile(minimal('  captur:\n    http: { url: "{{baseUrl}}", headers: { Authorization: Bearer abc } }'), 'p.yaml');
    expect(res.value).toBeDefined();
    expect(res.diagnostics.map(formatDiagnostic)).toEqual([
      'p.yaml:16:3: warning: actions.captur: "captur" is taken as a custom action; did you mean "capture"?',
      'p.yaml:17:59: warning: actions.captur.http.headers.Authorization: header Authorization holds a literal credential; write ${env:NAME} so it stays out of the profile and is redacted',
    ]);
  });
});

describe('resolveSecrets', () => {
  const profile = () => parseProfile(minimal('  retry:\n    http: { url: "{{baseUrl}}", headers: { x-api-key: "Key ${env:API_KEY}" } }\nsecrets: [EXTRA]'), 'p.yaml').value!;

  it('fills ${env:NAME} everywhere and lists every secret value', () => {
    const env = { CID: 'client-id-1', CSECRET: 'secret-2', SUBKEY: 'sub-3', API_KEY: 'k-4', EXTRA: 'extra-5' };
    const resolved = resolveSecrets(profile(), env);
    expect(resolved.merchant).toMatchObject({ msn: '123456', clientId: 'client-id-1', clientSecret: 'secret-2', subscriptionKey: 'sub-3' });
    expect(resolved.actions.retry?.http?.headers).toEqual({ 'x-api-key': 'Key k-4' });
    expect(resolved.secretValues.sort()).toEqual(['client-id-1', 'extra-5', 'k-4', 'secret-2', 'sub-3']);
    // Templates are left for run time.
    expect(resolved.actions.checkout.http?.url).toBe('{{baseUrl}}/checkout');
  });

  it('names every missing variable and the fields that need it', () => {
    let err: unknown;
    try {
      resolveSecrets(profile(), { CID: 'x', API_KEY: '' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretResolutionError);
    const e = err as SecretResolutionError;
    expect(e.missing.map((m) => m.name)).toEqual(['CSECRET', 'SUBKEY', 'API_KEY', 'EXTRA']);
    expect(e.message).toBe(
      'profile shop: environment variables not set: CSECRET (for merchant.clientSecret); SUBKEY (for merchant.subscriptionKey); API_KEY (for actions.retry.http.headers.x-api-key); EXTRA (for secrets)',
    );
  });
});

describe('applicability', () => {
  const suite = parseSuite(
    [
      'suite: s',
      'title: T',
      'api: epayment-v1',
      'flows:',
      '  - id: refund',
      '    title: R',
      '    requires: [refund, "userFlow:PUSH_MESSAGE"]',
      '    steps:',
      '      - merchant.checkout: {}',
      '      - merchant.refund: {}',
      '      - merchant.action: { name: retry }',
      '  - id: plain',
      '    title: P',
      '    steps:',
      '      - merchant.checkout: {}',
      '      - merchant.orderPage: {}',
      '',
    ].join('\n'),
    's.yaml',
  ).value!;
  const profile = parseProfile(minimal('  orderPage:\n    browser: [ { goto: "{{baseUrl}}" } ]'), 'p.yaml').value!;

  it('reports missing capabilities and actions as reasons', () => {
    expect(flowApplicability(suite.flows[0], profile)).toEqual({
      applicable: false,
      reasons: ['profile lacks capability refund', 'profile lacks userFlow PUSH_MESSAGE (capabilities.userFlows)', 'profile has no action refund', 'profile has no action retry'],
    });
    expect(flowApplicability(suite.flows[1], profile)).toEqual({ applicable: true, reasons: [] });
  });

  it('a flow needs a browser when its steps or the profile actions they drive do', () => {
    expect(flowNeedsBrowser(suite.flows[1], profile)).toBe(true);
    expect(flowNeedsBrowser(suite.flows[0], profile)).toBe(false);
  });
});

describe('roles for actions', () => {
  const suite = parseSuite(
    [
      'suite: s',
      'title: T',
      'api: epayment-v1',
      'flows:',
      '  - id: complete',
      '    title: C',
      '    checklist: [EP-CANCEL-REMAINDER]',
      '    steps:',
      '      - merchant.checkout: {}',
      '      - merchant.action: { role: completeOrder, params: { shipped: 100 } }',
    ].join('\n'),
    's.yaml',
  ).value!;
  const finish = '  finishOrder:\n    role: completeOrder\n    browser: [ { goto: "{{baseUrl}}/orders/{{reference}}" } ]';

  it('a flow driving a role the profile does not declare is NOT APPLICABLE, with the reason', () => {
    const without = parseProfile(minimal(), 'p.yaml').value!;
    expect(flowApplicability(suite.flows[0], without)).toEqual({
      applicable: false,
      reasons: ['profile has no action with role completeOrder (declare role: completeOrder on the action that does it)'],
    });
  });

  it('runs the action that declares the role, whatever the shop calls it', () => {
    const withRole = parseProfile(minimal(finish), 'p.yaml').value!;
    expect(withRole.actions.finishOrder.role).toBe('completeOrder');
    expect(flowApplicability(suite.flows[0], withRole)).toEqual({ applicable: true, reasons: [] });
    expect(flowNeedsBrowser(suite.flows[0], withRole)).toBe(true);
  });

  it('rejects an unknown role, a role on a known action and a role declared twice, with file:line:col', () => {
    expect(errors(minimal('  finishOrder:\n    role: finish\n    http: { url: "{{baseUrl}}/x" }')).join('\n')).toMatch(/shop\.profile\.yaml:\d+:\d+: .*completeOrder/);
    expect(errors(minimal('  cancel:\n    role: completeOrder\n    http: { method: POST, url: "{{baseUrl}}/c" }')).join('\n')).toMatch(
      /shop\.profile\.yaml:\d+:\d+: .*actions\.cancel already has its meaning/,
    );
    expect(errors(minimal(`${finish}\n  finishAgain:\n    role: completeOrder\n    http: { url: "{{baseUrl}}/x" }`)).join('\n')).toMatch(
      /shop\.profile\.yaml:\d+:\d+: .*role completeOrder is already declared by actions\.finishOrder/,
    );
  });

  it('merchant.action takes a name or a role, not both', () => {
    const res = parseSuite(
      'suite: s\ntitle: T\napi: epayment-v1\nflows:\n  - id: f\n    title: F\n    checklist: [EP-CANCEL-REMAINDER]\n    steps:\n      - merchant.checkout: {}\n      - merchant.action: { name: x, role: completeOrder }\n',
      's.yaml',
    );
    expect(res.value).toBeUndefined();
    expect(res.diagnostics.map(formatDiagnostic).join('\n')).toMatch(/s\.yaml:\d+:\d+: .*exactly one of name .* or role/);
  });
});

describe('in person (suites/epayment/in-person.yaml)', () => {
  const IN_PERSON = join(import.meta.dirname, '..', '..', 'suites', 'epayment', 'in-person.yaml');
  const push = '  push:\n    role: pushCheckout\n    http: { method: POST, url: "{{baseUrl}}/push", body: { amount: "{{amount}}", text: "{{description}} {{amountMajor}}", phone: "{{phoneNumber}}", from: "{{qrTarget}}" }, extract: { reference: $.reference } }';
  const again = '  again:\n    role: returningCheckout\n    http: { method: POST, url: "{{baseUrl}}/push", body: { returningFrom: "{{params.previousReference}}" }, extract: { reference: $.reference } }';

  it('the in-person roles are action roles, described as the contract says', () => {
    for (const role of Object.keys(IN_PERSON_ROLES)) expect(ACTION_ROLES).toContain(role);
  });

  it('the customer\'s phone: the sandbox test user by default, the profile\'s when given, an MSISDN only', () => {
    expect(DEFAULT_CUSTOMER_PHONE_NUMBER).toBe(DEFAULT_TEST_PHONE_NUMBER);
    const own = parseProfile(minimal('', '').replace('baseUrl:', 'customer: { phoneNumber: "4587654321" }\nbaseUrl:'), 'p.yaml').value!;
    expect(own.customer.phoneNumber).toBe('4587654321');
    const suite = { suite: 's', title: 'S', vars: {} };
    const flow = { id: 'f', title: 'F', vars: {} };
    expect(flowScope({ suite, flow, profile: own, env: {} }).phoneNumber).toBe('4587654321');
    expect(flowScope({ suite, flow, env: {} }).phoneNumber).toBe(DEFAULT_CUSTOMER_PHONE_NUMBER);
    expect(errors(minimal().replace('baseUrl:', 'customer: { phoneNumber: "+47 123" }\nbaseUrl:')).join('\n')).toMatch(/customer\.phoneNumber.*expected an MSISDN/);
  });

  it('an in-person role action may use the phone, amountMajor, description and qrTarget; other custom actions too', () => {
    const res = parseProfile(minimal(`${push}\n${again}`), 'p.yaml');
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(errors(minimal('  push:\n    role: pushCheckout\n    http: { method: POST, url: "{{baseUrl}}/push/{{phone}}" }')).join('\n')).toMatch(/unknown variable \{\{phone\}\}/);
  });

  it('the suite loads; its flows are NOT APPLICABLE without the capabilities, user flows and roles, with the reasons', async () => {
    const suite = await loadSuite(IN_PERSON);
    expect(suite.flows.map((f) => f.id)).toEqual(['qr-merchant-redirect', 'push-phone-sharing', 'push-outcome-without-webhooks', 'returning-customer', 'consent-declined', 'payment-qr']);
    const web = parseProfile(minimal(), 'p.yaml').value!;
    const returning = suite.flows.find((f) => f.id === 'returning-customer')!;
    expect(flowApplicability(returning, web).reasons).toEqual([
      'profile lacks capability profileSharing',
      'profile lacks userFlow PUSH_MESSAGE (capabilities.userFlows)',
      'profile has no action with role pushCheckout (declare role: pushCheckout on the action that does it)',
      'profile has no action with role returningCheckout (declare role: returningCheckout on the action that does it)',
    ]);
    const taxi = parseProfile(
      minimal(`${push}\n${again}`).replace('capabilities: { capture: false, refund: false, cancel: false }', 'capabilities: { capture: false, refund: false, cancel: false, profileSharing: true, userFlows: [PUSH_MESSAGE] }'),
      'p.yaml',
    ).value!;
    expect(flowApplicability(returning, taxi)).toEqual({ applicable: true, reasons: [] });
    // The phone the push reaches is another device: approving in the app needs a browser.
    expect(flowNeedsBrowser(returning, taxi)).toBe(true);
    expect(flowApplicability(suite.flows.find((f) => f.id === 'payment-qr')!, taxi).reasons).toEqual([
      'profile lacks userFlow QR (capabilities.userFlows)',
      'profile has no action with role qrCheckout (declare role: qrCheckout on the action that does it)',
    ]);
  });
});
