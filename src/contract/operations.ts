import { ECOM_OP } from './ecom.ts';

/**
 * What each API's operations do, in golive's neutral terms: the runner and the checks ask "the
 * creates", "the reads" of a payment, whatever the API calls them. Each list holds the spec
 * operationIds the sandbox records (ePayment v1 first, then eCom v2).
 */
export const PAYMENT_OPERATIONS = {
  create: ['createPayment', ECOM_OP.initiate],
  /** Reading a payment's state: ePayment GET payment, eCom details and the deprecated status. */
  read: ['getPayment', ECOM_OP.details, ECOM_OP.status],
  capture: ['capturePayment', ECOM_OP.capture],
  refund: ['refundPayment', ECOM_OP.refund],
  cancel: ['cancelPayment', ECOM_OP.cancel],
  forceApprove: ['forceApprove', ECOM_OP.forceApprove],
} as const satisfies Record<string, readonly string[]>;

/** The amount (minor units) a create request asks for: ePayment `amount.value`, eCom `transaction.amount`. */
export function requestedAmountOf(body: unknown): number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { amount?: { value?: unknown }; transaction?: { amount?: unknown } };
  const v = b.amount && typeof b.amount === 'object' ? b.amount.value : b.transaction && typeof b.transaction === 'object' ? b.transaction.amount : undefined;
  return typeof v === 'number' ? v : undefined;
}
