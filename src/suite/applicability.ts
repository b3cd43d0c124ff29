import { CHECKLIST } from '../checklist/index.ts';
import { actionForRole, type Profile, type RunTarget } from './profile.ts';
import type { ActionRole } from './roles.ts';
import type { SuiteApi } from './checklist.ts';
import type { Flow, Requirement } from './schema.ts';
import { STEP_ACTIONS } from './steps.ts';

/**
 * Whether a flow can run against a profile. A flow is NOT APPLICABLE (not failed) when the
 * profile lacks a capability the flow requires, or an action one of its steps drives.
 */
export interface Applicability {
  applicable: boolean;
  /** Human-readable reasons, e.g. `profile lacks capability partialRefund`. */
  reasons: string[];
}

export function hasRequirement(profile: Pick<Profile, 'capabilities'> & Partial<Pick<Profile, 'installations'>>, req: Requirement): boolean {
  if (req === 'platform') return (profile.installations?.length ?? 0) >= 2;
  if (req.startsWith('userFlow:')) return (profile.capabilities.userFlows as string[]).includes(req.slice('userFlow:'.length));
  const v: unknown = profile.capabilities[req as Exclude<Requirement, `userFlow:${string}` | 'platform'>];
  return v === true || (Array.isArray(v) && v.length > 0);
}

const missingRequirement = (req: Requirement): string =>
  req === 'platform'
    ? 'the profile is not a platform with two or more installations (kind: partner, installations:)'
    : req.startsWith('userFlow:')
      ? `profile lacks userFlow ${req.slice('userFlow:'.length)} (capabilities.userFlows)`
      : `profile lacks capability ${req}`;

/** What the run talks to, besides the profile: the real test API cannot do what only the sandbox can. */
export interface RunContext {
  target?: RunTarget;
  /** Who approves against the test API (force-approve by default). */
  customer?: 'force-approve' | 'interactive';
  /** The suite's API: what a customer step means depends on it (a PSP API card is the test user's own). */
  api?: SuiteApi;
  /** The PSP API version the profile's PSP integrates (pspApiVersionOf): only v3 has a force approve. */
  pspVersion?: 'v2' | 'v3';
}

/** The PSP API version of a PSP API profile: v2 is the one receiving encrypted cardData (capabilities.encryptedCardData), v3 network tokens. */
export const pspApiVersionOf = (profile: Pick<Profile, 'api' | 'capabilities'>): 'v2' | 'v3' | undefined =>
  profile.api !== 'psp-v2' ? undefined : profile.capabilities.encryptedCardData ? 'v2' : 'v3';

export const PSP_V2_NO_FORCE_APPROVE = 'PSP API v2 has no force approve in the test environment: a person must approve in the MT app (--interactive)';

/**
 * Items judged on webhook (or eCom callback) deliveries to the integration: unseen against the
 * test API (they go to its public URL). NOT APPLICABLE per item (src/runner/test-api-verdicts.ts),
 * not per flow: the flows listing them prove their other items.
 */
export const WEBHOOK_OBSERVED_ITEMS: ReadonlySet<string> = new Set([
  ...CHECKLIST.filter((i) => (i.apis as readonly string[]).includes('webhooks-v1')).map((i) => i.id),
  // eCom's callbacks go to the integration's callbackPrefix, past golive as webhooks do.
  'EC-CALLBACK',
]);

/**
 * PSP API items judged on Vipps's makePayment calls to the PSP (src/checks/support/make-payments.ts):
 * unseen against the test API unless the PSP's makePaymentUrl is under the delivery relay.
 * PSPAPI-UPDATESTATUS is among them: it holds the reports against the reservations makePayment made.
 */
export const MAKE_PAYMENT_OBSERVED_ITEMS: ReadonlySet<string> = new Set(['PSPAPI-MAKEPAYMENT-TOKENS', 'PSPAPI-ERRORS', 'PSPAPI-SOFTDECLINE', 'PSPAPI-UPDATESTATUS']);

/**
 * ePayment card-passthrough items judged on Vipps's card callbacks to the PSP
 * (src/checks/support/card-callbacks.ts): unseen against the test API unless the PSP's
 * cardCallbackUrl is under the delivery relay.
 */
export const CARD_CALLBACK_OBSERVED_ITEMS: ReadonlySet<string> = new Set(['PSP-CB-RESERVE', 'PSP-CB-FAIL', 'PSP-CB-SOFTDECLINE', 'PSP-CB-20S', 'PSP-CB-AUTH', 'PSP-CB-CARDTYPE']);

/**
 * Why a flow cannot run against the real test API: it needs the sandbox control API (faults, the
 * clock, expiry, forged or duplicated deliveries, card control), or a customer action no test
 * endpoint does (reject, unless a person is at the app).
 */
export function testApiReasons(flow: Flow, run: Omit<RunContext, 'target'> = {}): string[] {
  const customer = run.customer ?? 'force-approve';
  // A PSP's approved card is the test user's own (PSP API and ePayment card passthrough): force approve or a person pays with it.
  const ownCard = (step: Flow['steps'][number]) => (run.api === 'psp-v2' || run.api === 'epayment-psp') && step.name === 'customer.approve' && step.args.card === 'approved';
  const reasons = new Set<string>();
  if (flow.sandbox.faults.length > 0) reasons.add('it injects sandbox faults, which the real test API cannot do');
  for (const step of flow.steps) {
    if (step.name.startsWith('sandbox.')) reasons.add(`step ${step.name} needs the sandbox control API, which the real test API does not have`);
    if (step.name === 'customer.tryCard' || (step.name === 'customer.approve' && step.args.card !== undefined && !ownCard(step))) reasons.add(`step ${step.name} pays with a card through the sandbox's card control`);
    if (step.name === 'customer.approve' && run.api === 'psp-v2' && run.pspVersion === 'v2' && customer !== 'interactive') reasons.add(PSP_V2_NO_FORCE_APPROVE);
    if (step.name === 'customer.reject' && customer !== 'interactive') reasons.add('the test API has no force reject (only force approve): a person must reject in the MT app (--interactive)');
    // The in-person customer works through the sandbox: its phone inbox, consent answers and QR scans.
    if (step.name === 'customer.scanQr') reasons.add('step customer.scanQr reads the QR through the sandbox control API, which the real test API does not have');
    if (step.name === 'customer.approve' && step.args.via === 'app') reasons.add("step customer.approve { via: app } answers in the sandbox's simulated app (its push inbox and consent question), which the real test API does not have");
  }
  return [...reasons];
}

export function flowApplicability(flow: Flow, profile: Pick<Profile, 'capabilities' | 'actions'> & Partial<Pick<Profile, 'installations'>>, run: RunContext = {}): Applicability {
  const reasons: string[] = run.target === 'test-api' ? testApiReasons(flow, run) : [];
  for (const req of flow.requires) if (!hasRequirement(profile, req)) reasons.push(missingRequirement(req));
  const missing = new Set<string>();
  for (const step of flow.steps) {
    const role = roleOf(step);
    if (role !== undefined && actionForRole(profile, role) === undefined) {
      missing.add(`profile has no action with role ${role} (declare role: ${role} on the action that does it)`);
      continue;
    }
    const action = stepAction(step, profile);
    if (action !== undefined && profile.actions[action] === undefined) missing.add(`profile has no action ${action}`);
  }
  reasons.push(...missing);
  return { applicable: reasons.length === 0, reasons };
}

/** The flow needs a browser page: it says so (or its steps do), or it drives a `browser:` profile action. */
export function flowNeedsBrowser(flow: Flow, profile: Pick<Profile, 'actions'>): boolean {
  if (flow.browser) return true;
  return flow.steps.some((step) => {
    const action = stepAction(step, profile);
    return action !== undefined && profile.actions[action]?.browser !== undefined;
  });
}

type StepLike = Flow['steps'][number];
const roleOf = (step: StepLike): ActionRole | undefined => (step.name === 'merchant.action' && typeof step.args.role === 'string' ? (step.args.role as ActionRole) : undefined);

/** The profile action a step drives: its own, the named custom one, or the one declaring its role. */
export function stepAction(step: StepLike, profile: Pick<Profile, 'actions'>): string | undefined {
  if (step.name !== 'merchant.action') return STEP_ACTIONS[step.name];
  const role = roleOf(step);
  return role ? actionForRole(profile, role) : String(step.args.name);
}
