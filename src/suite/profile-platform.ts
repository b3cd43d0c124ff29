import { z } from 'zod';
import { KebabId } from './zod-helpers.ts';

/**
 * What a platform's profile adds (kind: partner): the installations — the merchants' sales units
 * one integration serves with the partner's keys (vipps-facts §1.1, §3.1). golive runs the suites
 * once per installation against the one started integration, each flow with that installation's
 * MSN and URL, and judges the checklist per installation and over all of them.
 */
export function platformSections<M extends z.ZodType, U extends z.ZodType>(schemas: { msn: M; url: U }) {
  return {
    installations: z
      .array(
        z
          .strictObject({
            id: KebabId.meta({ description: 'Installation id (kebab-case), e.g. alpha; {{installation.id}} in templates; `golive run --installations` picks by it.' }),
            msn: schemas.msn,
            title: z.string().min(1).optional().meta({ description: 'Shown in the report (default: the id).' }),
            baseUrl: schemas.url.optional().meta({ description: "Where this installation's shop runs; default: the profile's baseUrl, in which {{installation.id}} names it." }),
            env: z
              .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }), z.string())
              .default({})
              .meta({ description: "{{env.NAME}} values for this installation's flows and actions (override the run's environment)." }),
          })
          .meta({ description: 'One merchant (sales unit) the platform serves.' }),
      )
      .min(1)
      .optional()
      .meta({ description: 'kind: partner only — the sales units the platform serves with the partner keys in merchant:. Every flow runs once per installation.' }),
  };
}

export interface Installation {
  id: string;
  msn: string;
  title?: string;
  baseUrl?: string;
  env: Record<string, string>;
}

/** What a flow, a template and the report know of the installation it runs for. */
export interface InstallationRef {
  id: string;
  msn: string;
  title: string;
}

interface PlatformProfile {
  profile: string;
  name: string;
  baseUrl: string;
  merchant: { msn: string };
  installations?: Installation[];
}

/** Thrown for `--installations` naming an id the profile does not have. */
export class InstallationSelectionError extends Error {
  override name = 'InstallationSelectionError';
}

/**
 * The installations a run covers: all, or those `ids` names (in the profile's order). A profile
 * without installations is one installation, the merchant itself (`undefined` in the list).
 */
export function selectInstallations(profile: PlatformProfile, ids?: readonly string[]): (Installation | undefined)[] {
  const all = profile.installations ?? [];
  if (!ids?.length) return all.length ? all : [undefined];
  if (!all.length) throw new InstallationSelectionError(`--installations: profile ${profile.profile} declares no installations (only kind: partner profiles with installations: have them)`);
  const unknown = ids.filter((id) => !all.some((i) => i.id === id));
  if (unknown.length) throw new InstallationSelectionError(`--installations: unknown installation${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; profile ${profile.profile} has ${all.map((i) => i.id).join(', ')}`);
  return all.filter((i) => ids.includes(i.id));
}

/** The installation's reference for templates and reports; the merchant itself when there is none. */
export function installationRef(profile: PlatformProfile, installation?: Installation): InstallationRef {
  return installation
    ? { id: installation.id, msn: installation.msn, title: installation.title ?? installation.id }
    : { id: profile.profile, msn: profile.merchant.msn, title: profile.name };
}

/**
 * The profile as one installation's flows see it: its MSN as the merchant's, its baseUrl (the
 * profile's, with {{installation.id}}, unless it has its own). The partner credentials stay.
 */
export function installationProfile<P extends PlatformProfile>(profile: P, installation?: Installation): P {
  if (!installation) return profile;
  return { ...profile, merchant: { ...profile.merchant, msn: installation.msn }, baseUrl: installation.baseUrl ?? profile.baseUrl };
}
