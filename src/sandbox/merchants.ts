import { z } from 'zod';

export const MerchantSchema = z.object({
  msn: z.string().regex(/^[0-9]{4,6}$/, 'an MSN is 4–6 digits'),
  name: z.string().min(1).default('golive test shop'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Primary and secondary subscription keys (interchangeable, like the portal's). */
  subscriptionKeys: z.array(z.string().min(1)).min(1),
  /** The sales unit's market currency: NOK (Norway), DKK (Denmark), EUR (Finland). */
  currency: z.enum(['NOK', 'DKK', 'EUR']).default('NOK'),
  /** `userFlow: PUSH_MESSAGE` needs approval on the real API (5080 otherwise). */
  allowPushMessage: z.boolean().default(true),
  /** Long-living payments (`expiresAt`) need approval (5050 otherwise). */
  allowLongLiving: z.boolean().default(true),
  /** Some sales units refuse partial capture (6140). */
  allowPartialCapture: z.boolean().default(true),
  /** Scopes this unit may request; `nin` needs special permission (5030). */
  allowedScopes: z.array(z.string()).default(['name', 'address', 'email', 'phoneNumber', 'birthDate']),
  /** eCom v2: the sales unit captures at reservation ("direct capture": the order goes straight to SALE). */
  directCapture: z.boolean().default(false),
  /** Set for a PSP's merchant: the Psp-Id its PSP sends with card-passthrough calls. */
  pspId: z.string().optional(),
});

export type Merchant = z.output<typeof MerchantSchema>;
export type MerchantInput = z.input<typeof MerchantSchema>;

/**
 * The default test merchant. Its keys are public on purpose, like a payment provider's
 * published test keys: they work only against the embedded sandbox.
 */
export const DEFAULT_TEST_MERCHANT: MerchantInput = {
  msn: '123456',
  name: 'golive test shop',
  clientId: 'b3ae2a3c-9c1f-4d2e-8f6a-0a5e1d7c9b21',
  clientSecret: 'golive-sandbox-client-secret',
  subscriptionKeys: ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'],
  currency: 'NOK',
};

/** Merchants known to the sandbox, looked up by credentials on every request. */
export class MerchantRegistry {
  private readonly byMsn = new Map<string, Merchant>();
  private readonly byClientId = new Map<string, Merchant>();
  private readonly bySubscriptionKey = new Map<string, Merchant[]>();

  constructor(merchants: MerchantInput[] = [DEFAULT_TEST_MERCHANT]) {
    for (const m of merchants) this.add(m);
  }

  add(input: MerchantInput): Merchant {
    const merchant = MerchantSchema.parse(input);
    if (this.byMsn.has(merchant.msn)) throw new Error(`duplicate merchant MSN ${merchant.msn}`);
    if (this.byClientId.has(merchant.clientId)) throw new Error(`duplicate client_id for MSN ${merchant.msn}`);
    this.byMsn.set(merchant.msn, merchant);
    this.byClientId.set(merchant.clientId, merchant);
    for (const key of merchant.subscriptionKeys) {
      const list = this.bySubscriptionKey.get(key) ?? [];
      list.push(merchant);
      this.bySubscriptionKey.set(key, list);
    }
    return merchant;
  }

  byMerchantSerialNumber(msn: string): Merchant | undefined {
    return this.byMsn.get(msn);
  }

  byClient(clientId: string): Merchant | undefined {
    return this.byClientId.get(clientId);
  }

  isKnownSubscriptionKey(key: string): boolean {
    return this.bySubscriptionKey.has(key);
  }

  subscriptionKeyBelongsTo(key: string, merchant: Merchant): boolean {
    return merchant.subscriptionKeys.includes(key);
  }

  list(): Merchant[] {
    return [...this.byMsn.values()];
  }
}
