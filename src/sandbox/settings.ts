import { z } from 'zod';
import { CARD_CALLBACK_TIMEOUT_MS } from '../contract/card-passthrough.ts';
import { PSPAPI_CALLBACK_TIMEOUT_MS, PSPAPI_CUSTOMER_TIMEOUT_MS } from '../contract/psp-api.ts';

/**
 * Behaviour switches of the sandbox. Where vipps-facts.md marks a CONFLICT between sources,
 * the value is configurable here and defaults to the current documentation.
 */
export const SettingsSchema = z.object({
  /** Max `reference` length: spec v1.4.1 says 50, current docs 64 (CONFLICT). */
  referenceMaxLength: z.union([z.literal(50), z.literal(64)]).default(64),
  /** Time a customer has to act on a payment before it EXPIRES (ms). */
  paymentExpiryMs: z.number().int().positive().default(10 * 60_000),
  /** Access token lifetime in the test environment (seconds). */
  tokenLifetimeSeconds: z.number().int().positive().default(3600),
  /** Longest `expiresAt` ahead of now, in days: spec 28, current docs 60 (CONFLICT). */
  maxExpiresAtDays: z.union([z.literal(28), z.literal(60)]).default(60),
  /** Webhook registrations per event type per MSN: 2023 spec 5, current docs 25 (CONFLICT). */
  webhooksPerEvent: z.number().int().positive().default(25),
  /** Require exactly `Bearer ` (case-sensitive) in Authorization (current KB; 2017 spec was lenient). */
  bearerCaseSensitive: z.boolean().default(true),
  /** Per-reference rate limits (§2.15); tests of other behaviour may switch them off. */
  rateLimits: z
    .object({
      enabled: z.boolean().default(true),
      /** Create, capture, cancel, refund per reference + MSN per minute. */
      modifyPerMinute: z.number().int().positive().default(5),
      /** Get payment and event log per reference + subscription key per minute. */
      readPerMinute: z.number().int().positive().default(120),
    })
    .prefault({}),
  /** Webhook delivery retry schedule in ms after each failed attempt (toolkit: ~2 s ×4, 60 s, 120 s, then hourly). */
  webhookRetryDelaysMs: z.array(z.number().int().nonnegative()).default([2000, 2000, 2000, 2000, 60_000, 120_000, 3_600_000]),
  /** Give up delivering a webhook after this long (7 days on the real API). */
  webhookGiveUpAfterMs: z.number().int().positive().default(7 * 24 * 3600_000),
  /** Per-attempt timeout for webhook deliveries and callbacks (ms). */
  webhookTimeoutMs: z.number().int().positive().default(10_000),
  /** Exchanges kept in the traffic log before the oldest are dropped. */
  trafficCapacity: z.number().int().positive().default(50_000),
  /** Whether the control API (`/_sandbox/…`) answers non-loopback clients (`golive sandbox --host` given explicitly). */
  controlAllowRemote: z.boolean().default(false),
  /** Card passthrough (vipps-facts §4): how the sandbox calls a PSP's cardCallbackUrl. */
  cardCallback: z
    .object({
      /**
       * How the callback is authenticated (CONFLICT §9.1 / §4.4): `auth-header` sends
       * `Authorization: <cardCallbackAuthHeader>` (guide, seed); `hmac` signs as Webhooks do (§3.4)
       * with the PSP's client secret (toolkit 2026); `both` sends the HMAC headers and the PSP's
       * header (README); `auto` (default) = the header when the payment gave one, else HMAC.
       */
      auth: z.enum(['auto', 'auth-header', 'hmac', 'both']).default('auto'),
      /** Body and answer shapes: `current` (default, §4.2) or `early` (flat body, CAPTURE status, softDeclineRedirectUrl) (CONFLICT). */
      revision: z.enum(['current', 'early']).default('current'),
      /** FAIL errorCodes after which the customer may not try again. The list is unpublished (CONFLICT §9.1): default none. */
      nonRetryableErrorCodes: z.array(z.number().int()).default([]),
      /** Longest wait for the PSP's answer (ms): 20 s on the real API; tests may shorten it. */
      timeoutMs: z.number().int().positive().default(CARD_CALLBACK_TIMEOUT_MS),
    })
    .prefault({}),
  /** PSP API v2/v3 (vipps-facts §5): the makePayment call and the customer's time. */
  pspApi: z
    .object({
      /** Longest wait for the PSP's makePayment answer (ms, real time): 15 s on the real API; tests may shorten it. */
      makePaymentTimeoutMs: z.number().int().positive().default(PSPAPI_CALLBACK_TIMEOUT_MS),
      /** Time the customer has to act (sandbox clock) before makePayment goes out with TIMEOUT. */
      customerTimeoutMs: z.number().int().positive().default(PSPAPI_CUSTOMER_TIMEOUT_MS),
      /** OAEP hash of v2 `cardData`: the docs say only "OAEP" (Java's default OAEPPadding is SHA-1 with MGF1-SHA-1). */
      oaepHash: z.enum(['sha1', 'sha256']).default('sha1'),
    })
    .prefault({}),
  /** Base URL the sandbox puts in redirectUrl etc.; defaults to the address it listens on. */
  publicUrl: z.string().url().optional(),
});

export type SandboxSettings = z.output<typeof SettingsSchema>;
export type SandboxSettingsInput = z.input<typeof SettingsSchema>;

export function resolveSettings(input: SandboxSettingsInput = {}): SandboxSettings {
  return SettingsSchema.parse(input);
}
