import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/suite/diagnostics.ts';
import { loadProfile, parseProfile, parseSuite } from '../../src/suite/loader.ts';
import { resolveSecrets } from '../../src/suite/profile.ts';
import { flowApplicability } from '../../src/suite/applicability.ts';
import { flowScope } from '../../src/suite/scope.ts';
import { installationProfile, installationRef, InstallationSelectionError, selectInstallations } from '../../src/suite/profile-platform.ts';

const REFERENCE_PLATFORM = join(import.meta.dirname, '..', '..', 'config', 'reference-platform.profile.yaml');

const platform = (installations: string, kind = 'partner', baseUrl = 'http://127.0.0.1:4000/shops/{{installation.id}}') =>
  [
    'profile: platform',
    'name: Platform',
    `kind: ${kind}`,
    'merchant:',
    '  msn: "123456"',
    '  clientId: ${env:CID}',
    '  clientSecret: ${env:CSECRET}',
    '  subscriptionKey: ${env:SUBKEY}',
    `baseUrl: "${baseUrl}"`,
    'installations:',
    installations,
    'capabilities: { capture: false, refund: false, cancel: false }',
    'actions:',
    '  checkout:',
    '    http: { method: POST, url: "{{baseUrl}}/checkout?shop={{installation.id}}", extract: { reference: $.reference } }',
    '  orderStatus:',
    '    http: { url: "{{baseUrl}}/orders/{{reference}}", extract: { status: $.status } }',
  ].join('\n');

const TWO = '  - { id: alpha, msn: "123456", title: Alpha }\n  - { id: beta, msn: 234567, env: { LANG: nb } }';

function errors(text: string): string[] {
  const res = parseProfile(text, 'platform.profile.yaml');
  expect(res.value).toBeUndefined();
  return res.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

describe('platform profiles (installations)', () => {
  it('parse installations with defaults: MSNs as strings, env {}, {{installation.id}} allowed in baseUrl and actions', () => {
    const res = parseProfile(platform(TWO), 'platform.profile.yaml');
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(res.value?.installations).toEqual([
      { id: 'alpha', msn: '123456', title: 'Alpha', env: {} },
      { id: 'beta', msn: '234567', env: { LANG: 'nb' } },
    ]);
  });

  it('the bundled reference platform is valid and serves three installations', async () => {
    const p = await loadProfile(REFERENCE_PLATFORM);
    expect(p.kind).toBe('partner');
    expect(p.installations?.map((i) => `${i.id}:${i.msn}`)).toEqual(['alpha:123456', 'beta:234567', 'gamma:345678']);
  });

  it('refuses installations on a profile that is not kind: partner, with file:line:col', () => {
    expect(errors(platform(TWO, 'direct')).join('\n')).toMatch(/platform\.profile\.yaml:10:\d+: .*installations are for platforms \(kind: partner\).*kind: direct/);
  });

  it('refuses a repeated installation id or MSN, pointing at the repeat', () => {
    const dupId = errors(platform('  - { id: alpha, msn: "123456" }\n  - { id: alpha, msn: "234567" }')).join('\n');
    expect(dupId).toMatch(/platform\.profile\.yaml:12:\d+: .*installation id alpha is already used by installations\[0\]/);
    const dupMsn = errors(platform('  - { id: alpha, msn: "123456" }\n  - { id: beta, msn: 123456 }')).join('\n');
    expect(dupMsn).toMatch(/platform\.profile\.yaml:12:\d+: .*MSN 123456 is already installations\[0\]'s/);
  });

  it('refuses a non-kebab id, a bad MSN and unknown fields', () => {
    const out = errors(platform('  - { id: Alpha_1, msn: "12", shop: x }')).join('\n');
    expect(out).toMatch(/kebab-case/);
    expect(out).toMatch(/Merchant Serial Number/);
    expect(out).toMatch(/shop/);
  });

  it('refuses {{installation.*}} in a baseUrl of a profile without installations, and unknown installation fields', () => {
    const single = platform(TWO).replace(/installations:\n.*\n.*\n/, '');
    expect(errors(single).join('\n')).toMatch(/baseUrl can use .*\{\{sandbox\.url\}\}/);
    expect(errors(platform(TWO, 'partner', 'http://x/{{installation.name}}')).join('\n')).toMatch(/\{\{installation\.…\}\} has installation\.id, installation\.msn, installation\.title/);
  });

  it('a platform flow requires two installations (requires: platform); a single merchant gets NOT APPLICABLE with the reason', () => {
    const suite = parseSuite('suite: s\ntitle: T\napi: epayment-v1\nflows:\n  - id: f\n    title: F\n    checklist: [PARTNER-WEBHOOK-ROUTING]\n    requires: [platform]\n    steps:\n      - merchant.checkout: {}\n', 's.yaml').value!;
    const p = parseProfile(platform(TWO), 'p.yaml').value!;
    expect(flowApplicability(suite.flows[0], p)).toEqual({ applicable: true, reasons: [] });
    expect(flowApplicability(suite.flows[0], { ...p, installations: p.installations!.slice(0, 1) }).reasons).toEqual([
      'the profile is not a platform with two or more installations (kind: partner, installations:)',
    ]);
  });
});

describe('installation selection and views', () => {
  const p = parseProfile(platform(`${TWO}\n  - { id: gamma, msn: "345678" }`), 'p.yaml').value!;

  it('selects all installations by default, a subset in profile order, and the merchant itself without installations', () => {
    expect(selectInstallations(p).map((i) => i?.id)).toEqual(['alpha', 'beta', 'gamma']);
    expect(selectInstallations(p, ['gamma', 'alpha']).map((i) => i?.id)).toEqual(['alpha', 'gamma']);
    expect(selectInstallations({ ...p, installations: undefined })).toEqual([undefined]);
  });

  it('names unknown ids and the known ones in one line', () => {
    expect(() => selectInstallations(p, ['alpha', 'delta', 'omega'])).toThrow(InstallationSelectionError);
    expect(() => selectInstallations(p, ['delta'])).toThrow('--installations: unknown installation delta; profile platform has alpha, beta, gamma');
    expect(() => selectInstallations({ ...p, installations: undefined }, ['alpha'])).toThrow(/declares no installations/);
  });

  it("gives each installation's flows its MSN, its baseUrl with {{installation.id}}, its env overrides and {{installation.*}}", () => {
    const resolved = resolveSecrets(p, { CID: 'c', CSECRET: 's', SUBKEY: 'k' });
    const beta = resolved.installations![1];
    const view = installationProfile(resolved, beta);
    expect(view.merchant).toMatchObject({ msn: '234567', clientId: 'c' });
    const scope = flowScope({
      suite: { suite: 's', title: 'S', vars: {} },
      flow: { id: 'f', title: 'F', vars: {} },
      profile: view,
      env: { LANG: 'en', HOME: '/h' },
      installation: { ...installationRef(resolved, beta), env: beta.env },
    });
    expect(scope).toMatchObject({ msn: '234567', baseUrl: 'http://127.0.0.1:4000/shops/beta', installation: { id: 'beta', msn: '234567', title: 'beta' }, env: { LANG: 'nb', HOME: '/h' } });
    // A single merchant is its own installation: {{installation.id}} is the profile id.
    const single = flowScope({ suite: { suite: 's', title: 'S', vars: {} }, flow: { id: 'f', title: 'F', vars: {} }, profile: { profile: resolved.profile, name: resolved.name, merchant: resolved.merchant, baseUrl: 'http://x' }, env: {} });
    expect(single.installation).toEqual({ id: 'platform', msn: '123456', title: 'Platform' });
  });
});

describe('--grep over a platform', () => {
  it('matches a flow by its installation tags, as Playwright tags each flow × installation', async () => {
    const { grepMatches } = await import('../../src/cli/run-options.ts');
    const suite = parseSuite('suite: s\ntitle: T\napi: epayment-v1\nflows:\n  - id: order-captured\n    title: F\n    checklist: [EP-HEADERS]\n    steps:\n      - merchant.checkout: {}\n', 's.yaml').value!;
    const [flow] = suite.flows;
    expect(grepMatches('@installation-beta', suite, flow, ['alpha', 'beta'])).toBe(true);
    expect(grepMatches('@order-captured@alpha', suite, flow, ['alpha', 'beta'])).toBe(true);
    expect(grepMatches('@installation-gamma', suite, flow, ['alpha', 'beta'])).toBe(false);
    expect(grepMatches('@installation-beta', suite, flow)).toBe(false);
  });
});
