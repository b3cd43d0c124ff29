import type { ProfileFacts } from '../types.ts';

/**
 * Profile capabilities checks read (merchant profile `capabilities`): capture, partialCapture,
 * refund, partialRefund, cancel, webhooks, polling, eventLog, receipts, inStore,
 * contentMonitored, instantDelivery. A capability counts as absent only when the profile says
 * so explicitly (`false`); when the profile is silent the item applies.
 */
export const declaredOff = (profile: ProfileFacts, name: string): boolean => profile.capabilities?.[name] === false;
export const declaredOn = (profile: ProfileFacts, name: string): boolean => {
  const v = profile.capabilities?.[name];
  return v === true || (Array.isArray(v) && v.length > 0);
};
export const capabilityList = (profile: ProfileFacts, name: string): string[] | undefined => {
  const v = profile.capabilities?.[name];
  return Array.isArray(v) ? v : undefined;
};

/** Reason text for NOT_APPLICABLE when any of the capabilities is declared off. */
export function offReason(profile: ProfileFacts, ...names: string[]): string | undefined {
  const off = names.filter((n) => declaredOff(profile, n));
  return off.length > 0 ? `the profile declares ${off.map((n) => `capabilities.${n}: false`).join(' and ')}` : undefined;
}
