import { actionForRole, type Profile } from './profile.ts';
import type { ActionRole } from './roles.ts';
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
  return profile.capabilities[req as Exclude<Requirement, `userFlow:${string}` | 'platform'>] === true;
}

export function flowApplicability(flow: Flow, profile: Pick<Profile, 'capabilities' | 'actions'> & Partial<Pick<Profile, 'installations'>>): Applicability {
  const reasons: string[] = [];
  for (const req of flow.requires) {
    if (hasRequirement(profile, req)) continue;
    reasons.push(req === 'platform' ? 'the profile is not a platform with two or more installations (kind: partner, installations:)' : `profile lacks capability ${req}`);
  }
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
