import { ECOM_OP } from './ecom.ts';
import { PSP_OP } from './psp-api.ts';

/**
 * What each API's operations do, in golive's neutral terms: the runner and the checks ask "the
 * creates", "the reads" of a payment, whatever the API calls them. Each list holds the spec
 * operationIds the sandbox records (ePayment v1 first, then eCom v2, then the PSP API; v3's
 * initiate and force approve have eCom's ids, so they are listed once).
 */
export const PAYMENT_OPERATIONS = {
  create: ['createPayment', ECOM_OP.initiate, PSP_OP.v2.initiate],
  /** Reading a payment's state: ePayment GET payment, eCom details and the deprecated status, PSP API details. */
  read: ['getPayment', ECOM_OP.details, ECOM_OP.status, PSP_OP.v2.details],
  capture: ['capturePayment', ECOM_OP.capture],
  refund: ['refundPayment', ECOM_OP.refund],
  cancel: ['cancelPayment', ECOM_OP.cancel],
  forceApprove: ['forceApprove', ECOM_OP.forceApprove],
  /**
   * PSP API `updatestatus`: one call reports captures, refunds and cancels (each transaction's
   * `status` says which), so it is no alias of capture/refund/cancel; a list of its own.
   */
  statusUpdate: [PSP_OP.v2.updateStatus],
} as const satisfies Record<string, readonly string[]>;

/** The amount (minor units) a create request asks for: ePayment `amount.value`, eCom `transaction.amount`, PSP API `amount`. */
export function requestedAmountOf(body: unknown): number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { amount?: { value?: unknown } | number; transaction?: { amount?: unknown } };
  if (typeof b.amount === 'number') return b.amount;
  const v = b.amount && typeof b.amount === 'object' ? b.amount.value : b.transaction && typeof b.transaction === 'object' ? b.transaction.amount : undefined;
  return typeof v === 'number' ? v : undefined;
}
