import type { CheckInput, ProfileFacts } from '../types.ts';
import type { Exchange } from '../../traffic/types.ts';
import { referenceOf } from './traffic.ts';

/** Why a platform item does not apply: the profile serves one merchant, not several with partner keys. */
export const notPlatform = (profile: ProfileFacts): string | undefined =>
  profile.installations?.length ? undefined : 'the profile is not a platform (kind: partner with installations:), so it acts for one merchant only';

/** "installation alpha (MSN 123456)", or the merchant's MSN. */
export const installationName = (profile: ProfileFacts): string =>
  profile.installation ? `installation ${profile.installation.id} (MSN ${profile.installation.msn})` : `MSN ${profile.msn}`;

/** Which installation, other than the one judged, an MSN is (for messages). */
export function ownerOfMsn(profile: ProfileFacts, msn: string): string | undefined {
  const owner = profile.installations?.find((i) => i.msn === msn && i.msn !== profile.msn);
  return owner ? `installation ${owner.id}'s` : undefined;
}

/**
 * The exchanges made for one installation: those of its flows (tagged with their ids, or about
 * their payments), and untagged ones naming its MSN or no MSN at all (partner-wide calls: the
 * token, partner-wide webhooks, shared by every installation). A request one installation's flow
 * made with another's MSN stays with the flow that made it: that is what PARTNER-MSN judges.
 */
export function trafficOfInstallation(traffic: readonly Exchange[], flows: CheckInput['flows'], msn: string, othersFlows: CheckInput['flows'] = []): Exchange[] {
  const ids = new Set(flows.map((f) => f.id));
  const references = new Set(flows.flatMap((f) => f.references));
  // Another installation's order, even when it was sent under this one's MSN, is that one's.
  const theirs = new Set(othersFlows.flatMap((f) => f.references));
  return traffic.filter((e) => {
    if (e.flowId !== undefined) return ids.has(e.flowId);
    const reference = referenceOf(e);
    if (reference !== undefined && references.has(reference)) return true;
    if (reference !== undefined && theirs.has(reference)) return false;
    return e.msn === undefined || e.msn === msn;
  });
}
