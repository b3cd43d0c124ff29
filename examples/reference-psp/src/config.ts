/**
 * Everything the reference PSP reads from its environment, checked once at start-up, and its
 * fault switches (REFERENCE_PSP_FAULTS=a,b): each breaks one item of the ePayment PSP checklist
 * on purpose, so golive's detection can be proven on a PSP it was not written for.
 */
import { listenConfig, number, parseSwitches, vippsAccess, type VippsAccess } from './shared/env.ts';

export const FAULTS = {
  'slow-callback': 'Answers the card callback after 21 s, past the 20 s Vipps waits (PSP-CB-20S).',
  'decline-as-500': 'Answers HTTP 500 instead of 200 FAIL when the acquirer declines the card (PSP-CB-20S / PSP-CB-FAIL).',
  'accept-wrong-auth': "Does not verify the card callback's Authorization / HMAC headers (PSP-CB-AUTH).",
  'unknown-status': "Answers status 'APPROVED' instead of 'RESERVE' for an authorised card (PSP-CB-RESERVE).",
  'no-report-after-timeout': 'After a callback answer that never reached Vipps, keeps the reservation and reports nothing (PSP-CB-20S).',
  'ignore-card-type': "Processes with allowedCardTypes[0] or a BIN guess instead of the callback's cardType, and records that (PSP-CB-CARDTYPE).",
  'reuse-psp-reference': 'Sends the same cardPassthrough.pspReference first for every payment, and a fresh one only after Vipps refuses it as a duplicate (PSP-CREATE).',
  'no-psp-id': 'Omits the Psp-Id header on ePayment and Webhooks calls (PSP-CREATE / PSP-HEADERS).',
  'no-system-headers': 'Omits the four Vipps-System-* headers (PSP-HEADERS).',
  'webhooks-only': 'Never polls GET payment, not even when the return page is opened (PSP-WEBHOOKS-AND-POLLING).',
} as const;
export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export interface PspConfig extends VippsAccess {
  port: number;
  host: string;
  /** How Vipps (card callback, webhooks) and the customer's browser reach the PSP. */
  publicUrl: string;
  faults: ReadonlySet<FaultName>;
  /** Guideline polling pace (ms): first GET payment 5 s after create, then every 2 s. */
  firstPollMs: number;
  pollIntervalMs: number;
  /** Stop polling a payment still CREATED at Vipps after this long. */
  pollGiveUpMs: number;
  /** A RESERVE that Vipps still does not show (state CREATED) this long after the answer is treated as undelivered. */
  reserveConfirmMs: number;
  /** Delay of the `slow-callback` answer (ms). */
  slowCallbackMs: number;
  /** Retries of an ePayment call after a network error, 429 or 5xx (same Idempotency-Key). */
  retries: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  /** Register the webhooks at start-up (off in unit tests that have no Webhooks API). */
  registerWebhooks: boolean;
}

/** Vipps-System-* values: short, stable, lowercase (≤ 30 characters each). */
export const SYSTEM_HEADERS = {
  'Vipps-System-Name': 'refpsp',
  'Vipps-System-Version': '1.0.0',
  'Vipps-System-Plugin-Name': 'refpsp-card-passthrough',
  'Vipps-System-Plugin-Version': '1.0.0',
} as const;

/** Unknown names stop the PSP: a typo must not silently run the clean PSP. */
export function parseFaults(raw: string | undefined): Set<FaultName> {
  return parseSwitches('REFERENCE_PSP_FAULTS', raw, FAULT_NAMES);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PspConfig {
  return {
    ...listenConfig(env),
    ...vippsAccess(env),
    faults: parseFaults(env.REFERENCE_PSP_FAULTS),
    firstPollMs: number(env, 'REFERENCE_PSP_FIRST_POLL_MS', 5000),
    pollIntervalMs: number(env, 'REFERENCE_PSP_POLL_INTERVAL_MS', 2000),
    pollGiveUpMs: number(env, 'REFERENCE_PSP_POLL_GIVE_UP_MS', 11 * 60_000),
    reserveConfirmMs: number(env, 'REFERENCE_PSP_RESERVE_CONFIRM_MS', 10_000),
    slowCallbackMs: number(env, 'REFERENCE_PSP_SLOW_CALLBACK_MS', 21_000),
    retries: number(env, 'REFERENCE_PSP_RETRIES', 2),
    retryBackoffMs: number(env, 'REFERENCE_PSP_RETRY_BACKOFF_MS', 500),
    requestTimeoutMs: number(env, 'REFERENCE_PSP_REQUEST_TIMEOUT_MS', 10_000),
    registerWebhooks: (env.REFERENCE_PSP_REGISTER_WEBHOOKS ?? 'true') !== 'false',
  };
}
