/**
 * The PSP API mode's environment, checked once at start-up, and its fault switches
 * (REFERENCE_PSP_API_FAULTS=a,b): each breaks one item of the PSP API checklist on purpose, so
 * golive's detection can be proven on a PSP it was not written for.
 */
import { listenConfig, number, parseSwitches, vippsAccess, type VippsAccess } from '../shared/env.ts';

export const FAULTS = {
  'ok-without-decrypt': 'Cannot decrypt cardData (decrypts with the wrong key) but answers makePayment OK anyway; v2 only (PSPAPI-MAKEPAYMENT).',
  'slow-make-payment': 'Answers makePayment after 16 s, past the 15 s Vipps waits (PSPAPI-MAKEPAYMENT).',
  'no-status-updates': 'Never reports captures, refunds or cancels with updatestatus (PSPAPI-UPDATESTATUS).',
  'wrong-error-id': 'Answers a declined card with errorId 72 "Different texts" instead of the documented one (PSPAPI-ERRORS).',
  'accept-wrong-token': "Does not check makePayment's Authorization against the payment's makePaymentToken (PSPAPI-MAKEPAYMENT).",
  'reuse-transaction-id': 'Sends the same pspTransactionId first for every payment, and a fresh one only after Vipps refuses the duplicate (PSPAPI-INIT).',
  'timeout-as-success': 'Answers OK to a makePayment with TIMEOUT / CANCEL / NO (v3 TIMEOUT / USER_CANCEL) instead of errorId 93 (PSPAPI-ERRORS).',
  'redirect-reliance': 'Marks the order paid only when the customer reaches pspRedirectUrl, not from the makePayment call (PSPAPI-NO-REDIRECT-RELIANCE).',
} as const;
export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export type PspApiVersion = 'v2' | 'v3';

export interface PspApiConfig extends VippsAccess {
  port: number;
  host: string;
  /** How Vipps (makePayment) and the customer's browser reach the PSP. */
  publicUrl: string;
  /** PSP_API_VERSION: which PSP API the PSP integrates (v2: encrypted cardData, v3: network tokens). */
  version: PspApiVersion;
  faults: ReadonlySet<FaultName>;
  /** OAEP hash for v2 cardData (REFERENCE_PSP_API_OAEP_HASH): sha1 (Java's OAEP default, the sandbox's `settings.pspApi.oaepHash` default) or sha256. */
  oaepHash: 'sha1' | 'sha256';
  /** Delay of the `slow-make-payment` answer (ms). */
  slowMakePaymentMs: number;
  /** Retries of a PSP API call after a network error, 429 or 5xx (0: updatestatus has no idempotency key). */
  retries: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
}

/** Vipps-System-* values (the 2023 PSP spec dropped the plugin headers; sending them is harmless). */
export const SYSTEM_HEADERS = {
  'Vipps-System-Name': 'refpsp',
  'Vipps-System-Version': '1.0.0',
  'Vipps-System-Plugin-Name': 'refpsp-psp-api',
  'Vipps-System-Plugin-Version': '1.0.0',
} as const;

export function parseFaults(raw: string | undefined): Set<FaultName> {
  return parseSwitches('REFERENCE_PSP_API_FAULTS', raw, FAULT_NAMES);
}

export function loadPspApiConfig(env: NodeJS.ProcessEnv = process.env): PspApiConfig {
  const version = (env.PSP_API_VERSION ?? 'v2').toLowerCase();
  if (version !== 'v2' && version !== 'v3') throw new Error(`PSP_API_VERSION must be v2 or v3, not ${env.PSP_API_VERSION}`);
  const oaepHash = (env.REFERENCE_PSP_API_OAEP_HASH ?? 'sha1').toLowerCase();
  if (oaepHash !== 'sha1' && oaepHash !== 'sha256') throw new Error('REFERENCE_PSP_API_OAEP_HASH must be sha1 or sha256');
  return {
    ...listenConfig(env),
    ...vippsAccess(env),
    version,
    faults: parseFaults(env.REFERENCE_PSP_API_FAULTS),
    oaepHash,
    slowMakePaymentMs: number(env, 'REFERENCE_PSP_API_SLOW_MS', 16_000),
    retries: number(env, 'REFERENCE_PSP_API_RETRIES', 0),
    retryBackoffMs: number(env, 'REFERENCE_PSP_RETRY_BACKOFF_MS', 500),
    requestTimeoutMs: number(env, 'REFERENCE_PSP_REQUEST_TIMEOUT_MS', 10_000),
  };
}
