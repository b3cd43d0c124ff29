import type { Profile } from './profile.ts';
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

export function hasRequirement(profile: Pick<Profile, 'capabilities'>, req: Requirement): boolean {
  if (req.startsWith('userFlow:')) return (profile.capabilities.userFlows as string[]).includes(req.slice('userFlow:'.length));
  return profile.capabilities[req as Exclude<Requirement, `userFlow:${string}`>] === true;
}

export function flowApplicability(flow: Flow, profile: Pick<Profile, 'capabilities' | 'actions'>): Applicability {
  const reasons: string[] = [];
  for (const req of flow.requires) if (!hasRequirement(profile, req)) reasons.push(`profile lacks capability ${req}`);
  const missing = new Set<string>();
  for (const step of flow.steps) {
    const action = step.name === 'merchant.action' ? String(step.args.name) : STEP_ACTIONS[step.name];
    if (action !== undefined && profile.actions[action] === undefined) missing.add(action);
  }
  for (const a of missing) reasons.push(`profile has no action ${a}`);
  return { applicable: reasons.length === 0, reasons };
}

/** The flow needs a browser page: it says so (or its steps do), or it drives a `browser:` profile action. */
export function flowNeedsBrowser(flow: Flow, profile: Pick<Profile, 'actions'>): boolean {
  if (flow.browser) return true;
  return flow.steps.some((step) => {
    const action = step.name === 'merchant.action' ? String(step.args.name) : STEP_ACTIONS[step.name];
    return action !== undefined && profile.actions[action]?.browser !== undefined;
  });
}
