import { z } from 'zod';
import { ActingKeyRegistry, MSN_PATTERN } from './acting-keys.ts';
import { DEFAULT_TEST_MERCHANT, type MerchantInput } from './merchants.ts';

/**
 * Partners with partner keys (vipps-facts §1.1, §1.4, §3.1): one client id, secret and
 * subscription key acting for many sales units. Every request names the sales unit in
 * `Merchant-Serial-Number` (partner-auth.ts); a Webhooks registration without it covers all of
 * the partner's sales units (webhooks/).
 */
export const PartnerSchema = z.object({
  /** The partner's own id: never accepted as a Merchant-Serial-Number. */
  id: z.string().min(1),
  name: z.string().min(1).default('golive test partner'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The partner's subscription keys (primary, secondary), the same for all its sales units. */
  subscriptionKeys: z.array(z.string().min(1)).min(1),
  /** MSNs of the sales units the partner acts for (each a registered merchant). */
  salesUnits: z.array(z.string().regex(MSN_PATTERN, 'an MSN is 4–6 digits')).default([]),
}).refine((p) => !p.salesUnits.includes(p.id), { message: "a partner's id is not one of its sales units' MSNs", path: ['id'] });

export type Partner = z.output<typeof PartnerSchema>;
export type PartnerInput = z.input<typeof PartnerSchema>;

/**
 * The default test partner, acting for the default merchant and two more sales units. Like
 * DEFAULT_TEST_MERCHANT's, its keys are public on purpose: they work only against the embedded
 * sandbox. Its id looks like an MSN so that sending it in place of one is a mistake the sandbox
 * can refuse.
 */
export const DEFAULT_TEST_PARTNER = {
  id: '900100',
  name: 'golive test partner',
  clientId: '7e3b9c51-2a4d-4f86-b0c7-93d1e5a8f264',
  clientSecret: 'golive-sandbox-partner-client-secret',
  subscriptionKeys: ['c0ffee00c0ffee00c0ffee00c0ffee00', '00eeffc000eeffc000eeffc000eeffc0'],
  salesUnits: [DEFAULT_TEST_MERCHANT.msn, '234567', '345678'],
} as const satisfies PartnerInput;

/** The default partner's sales units besides the default merchant (merchant keys of their own too). */
export const DEFAULT_TEST_PARTNER_MERCHANTS: MerchantInput[] = ['234567', '345678'].map((msn, i) => ({
  msn,
  name: i === 0 ? 'golive partner shop two' : 'golive partner shop three',
  clientId: `golive-partner-merchant-${msn}`,
  clientSecret: `golive-sandbox-partner-merchant-${msn}-secret`,
  subscriptionKeys: [`golive-partner-merchant-${msn}-key`],
  currency: 'NOK',
}));

export class PartnerRegistry extends ActingKeyRegistry<Partner> {
  constructor(partners: PartnerInput[] = []) {
    super('partner', PartnerSchema, (p) => p.id, (p) => p.salesUnits, partners);
  }
}
