import { UNKNOWN_OUTCOMES, type CardCallbackNotes, type CardCallbackOutcome } from './card-passthrough.ts';
import { isBrowserUrl } from './psp-make-payment.ts';
import { isObject } from '../shared/objects.ts';

/**
 * How a PSP's synchronous answer to a card callback reads (§4.3): one pure function, so the
 * sandbox (which sends card callbacks) and the test-api delivery relay (which forwards Vipps's)
 * record the same outcome for the same answer.
 */
export type CardCallbackRevision = 'current' | 'early';

/** The answer as it came: HTTP status (undefined when none came in time), parsed JSON body, or why there was none. */
export interface CardCallbackReply {
  status?: number;
  body?: unknown;
  error?: string;
}

export interface CallbackAnswer {
  outcome: CardCallbackOutcome;
  /** Early revision `CAPTURE`: reserved and captured at once. */
  capture?: boolean;
  networkTransactionReference?: string;
  errorCode?: number;
  errorMessage?: string;
  softDeclineUrl?: string;
  /** Why an answer is `invalid`, `timeout` or `server-error`, in words. */
  problem?: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * 2xx JSON with a known status and its fields decides; 5xx → server-error; no answer in time or a
 * failed connection → timeout; anything else (4xx, not JSON, unknown status, missing fields,
 * SOFT_DECLINE in the second round) → invalid.
 */
export function readCardCallbackAnswer(r: CardCallbackReply, options: { revision: CardCallbackRevision; round: CardCallbackNotes['round'] }): CallbackAnswer {
  if (r.status === undefined) return { outcome: 'timeout', problem: r.error ?? 'no answer' };
  if (r.status >= 500) return { outcome: 'server-error', problem: `HTTP ${r.status}` };
  if (r.status < 200 || r.status > 299) return { outcome: 'invalid', problem: `HTTP ${r.status} (a card callback is answered 200 OK)` };
  const b = r.body;
  if (!isObject(b)) return { outcome: 'invalid', problem: 'the answer is not a JSON object' };
  switch (b.status) {
    case 'CAPTURE':
      if (options.revision !== 'early') return { outcome: 'invalid', problem: 'status CAPTURE belongs to the early revision; the current one has RESERVE, FAIL, SOFT_DECLINE' };
    // falls through
    case 'RESERVE':
      if (!nonEmpty(b.networkTransactionReference)) return { outcome: 'invalid', problem: `status ${b.status} without networkTransactionReference` };
      return { outcome: 'reserved', capture: b.status === 'CAPTURE', networkTransactionReference: b.networkTransactionReference };
    case 'FAIL':
      if (typeof b.errorCode !== 'number' || !Number.isFinite(b.errorCode)) return { outcome: 'invalid', problem: 'status FAIL without a numeric errorCode' };
      if (typeof b.errorMessage !== 'string') return { outcome: 'invalid', problem: 'status FAIL without errorMessage' };
      return { outcome: 'declined', errorCode: b.errorCode, errorMessage: b.errorMessage };
    case 'SOFT_DECLINE': {
      if (options.round === 'soft-decline-completion') return { outcome: 'invalid', problem: 'SOFT_DECLINE again: the second callback must be answered RESERVE or FAIL' };
      const field = options.revision === 'early' ? 'softDeclineRedirectUrl' : 'softDeclineUrl';
      const url = b[field];
      if (!nonEmpty(url) || !isBrowserUrl(url)) return { outcome: 'invalid', problem: `SOFT_DECLINE without an https ${field}` };
      return { outcome: 'soft-decline', softDeclineUrl: url };
    }
    default:
      return { outcome: 'invalid', problem: `unknown status ${JSON.stringify(b.status ?? null)}` };
  }
}

/** Whether the customer may try again after this answer: a FAIL unless its errorCode is non-retryable; never after an unknown outcome. */
export function retryableOf(answer: CallbackAnswer, nonRetryableErrorCodes: readonly number[]): boolean | undefined {
  if (answer.outcome === 'declined') return !nonRetryableErrorCodes.includes(answer.errorCode!);
  return UNKNOWN_OUTCOMES.includes(answer.outcome) ? false : undefined;
}
