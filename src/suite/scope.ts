import type { Profile } from './profile.ts';
import type { Flow, Suite } from './schema.ts';
import { interpolate, type Scope } from './template.ts';
import { DEFAULT_CUSTOMER_PHONE_NUMBER } from '../contract/in-person.ts';
import type { InstallationRef } from './profile-platform.ts';

/**
 * The interpolation scope at the start of a flow. The runner adds to it as steps run:
 * `reference`, `redirectUrl`, `amount` (the current order), `<as>.…` (captured by
 * `merchant.checkout` / `merchant.action` with `as:`), and `vars.x` from `set` steps.
 * Profile actions get this scope plus `description` and `params`.
 *
 *   { vars, env, sandbox: { url }, baseUrl, msn, phoneNumber, qrTarget, qrId, flow: { id, title }, suite: { id, title },
 *     installation: { id, msn, title } }
 *
 * `phoneNumber` is the test customer's (profile `customer.phoneNumber`); `qrTarget` is what the
 * last `customer.scanQr` of a merchant-redirect code opened and `qrId` what the last action
 * extracted as qrId ('' before). A platform's flow runs for one installation: its MSN, its env
 * overrides and, in the profile's baseUrl, {{installation.id}}; a merchant's flows run for the
 * merchant itself.
 *
 * Suite and flow vars (flow vars win) may themselves use {{env.*}}, {{sandbox.url}},
 * {{baseUrl}}, {{msn}}, {{flow.*}} and {{suite.*}}; so may the profile's baseUrl ({{env.*}},
 * {{sandbox.url}}). Throws InterpolationError for unknown variables.
 */
export interface FlowScopeOptions {
  suite: Pick<Suite, 'suite' | 'title' | 'vars'>;
  flow: Pick<Flow, 'id' | 'title' | 'vars'>;
  /** With secrets resolved (resolveSecrets) when `msn` is an `${env:…}`. */
  profile?: Pick<Profile, 'baseUrl'> & Partial<Pick<Profile, 'profile' | 'name'>> & { merchant: Pick<Profile['merchant'], 'msn'>; customer?: Partial<Profile['customer']> };
  /** The installation the flow runs for (a platform's; default: the merchant itself). */
  installation?: InstallationRef & { env?: Record<string, string> };
  sandboxUrl?: string;
  env?: Record<string, string | undefined>;
}

export function flowScope(opts: FlowScopeOptions): Scope {
  const env = { ...Object.fromEntries(Object.entries(opts.env ?? process.env).filter(([, v]) => v !== undefined)), ...(opts.installation?.env ?? {}) } as Record<string, string>;
  const sandbox = opts.sandboxUrl !== undefined ? { url: opts.sandboxUrl } : {};
  const base: Scope = { env, sandbox, flow: { id: opts.flow.id, title: opts.flow.title }, suite: { id: opts.suite.suite, title: opts.suite.title } };
  if (opts.installation) base.installation = { id: opts.installation.id, msn: opts.installation.msn, title: opts.installation.title };
  if (opts.profile) {
    base.msn = opts.installation?.msn ?? opts.profile.merchant.msn;
    base.installation ??= { id: opts.profile.profile ?? 'merchant', msn: base.msn, title: opts.profile.name ?? opts.profile.profile ?? 'merchant' };
    base.baseUrl = interpolate(opts.profile.baseUrl, { env, sandbox, installation: base.installation });
  }
  base.phoneNumber = opts.profile?.customer?.phoneNumber ?? DEFAULT_CUSTOMER_PHONE_NUMBER;
  // Empty until a step makes them, so a template naming them never fails as unknown.
  base.qrTarget = '';
  base.qrId = '';
  const vars = interpolate({ ...opts.suite.vars, ...opts.flow.vars }, base) as Record<string, unknown>;
  return { ...base, vars };
}
