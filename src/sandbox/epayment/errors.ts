import { ApiError, type ExtraDetail } from '../problem.ts';

/**
 * ePayment error catalogue (vipps-facts §2.14). Titles follow the current docs; HTTP statuses
 * are mostly UNCONFIRMED there (§9.2), so they live in this one table:
 * - 400 for request and state errors (6080 → 400 is the one documented example);
 * - 403 for "the sales unit is not allowed to" (5030, 5050, 5080) — createPayment lists 403;
 * - 404 for 5090; 409 for "reference exists" and idempotency conflicts (toolkit).
 */
export const ERRORS = {
  4010: { status: 409, title: 'Capture idempotency conflict' },
  4020: { status: 409, title: 'Idempotency error' },
  4040: { status: 400, title: 'Invalid amount' },
  4050: { status: 400, title: 'Invalid CustomerToken' },
  4060: { status: 400, title: 'Invalid PersonalQr' },
  4070: { status: 400, title: 'Invalid phone number' },
  4080: { status: 400, title: 'Invalid scope' },
  4090: { status: 400, title: 'Invalid URL' },
  4100: { status: 400, title: 'Metadata capacity exceeded' },
  4110: { status: 400, title: 'Metadata duplicate keys' },
  4120: { status: 400, title: 'Metadata key too long' },
  4130: { status: 400, title: 'Metadata value too long' },
  4140: { status: 400, title: 'Missing required parameter' },
  4150: { status: 409, title: 'Reference exists' },
  4160: { status: 400, title: 'Invalid payment method type' },
  5010: { status: 400, title: 'Blocking sources not applicable' },
  5030: { status: 403, title: 'Illegal scope' },
  5040: { status: 400, title: 'Invalid currency for merchant' },
  5050: { status: 403, title: 'Long-living payment not allowed' },
  5080: { status: 403, title: 'PUSH_MESSAGE not allowed' },
  5090: { status: 404, title: 'Reference not found' },
  5100: { status: 400, title: 'Refund not possible' },
  6010: { status: 400, title: 'Amount too small' },
  6020: { status: 400, title: 'Attempted refund before reservation' },
  6030: { status: 400, title: 'Cancel period expired' },
  6040: { status: 400, title: 'Cannot cancel a captured payment' },
  6050: { status: 400, title: 'Cannot cancel a non-reserved payment' },
  6060: { status: 400, title: 'Cannot cancel authorized payment' },
  6070: { status: 400, title: 'Cannot capture a cancelled payment' },
  6080: { status: 400, title: 'Cannot capture before reservation' },
  6090: { status: 400, title: 'Capture amount too high' },
  6100: { status: 400, title: 'Capture period expired' },
  6110: { status: 400, title: 'Expiration date too late' },
  6120: { status: 400, title: 'Expiration date too soon' },
  6130: { status: 400, title: 'Long living payments require a receipt' },
  6140: { status: 400, title: 'Must capture full amount' },
  6150: { status: 400, title: 'Not enough refundable' },
  6160: { status: 409, title: 'Order processing' },
  6170: { status: 400, title: 'Payment already captured' },
  6180: { status: 400, title: 'Payment already refunded' },
  6190: { status: 400, title: 'Payment cannot be cancelled' },
  6200: { status: 400, title: 'Payment cannot be captured' },
  6210: { status: 400, title: 'Payment cannot be refunded' },
  6220: { status: 400, title: 'Refund period expired' },
  10010: { status: 400, title: 'Approve failed' },
  10020: { status: 400, title: 'Approve not allowed' },
  10030: { status: 400, title: 'Identification required' },
  10040: { status: 400, title: 'Invalid payment source' },
  10060: { status: 400, title: 'Operation not supported' },
} as const satisfies Record<number, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A domain error with its numeric code; `field` adds an extraDetail naming the offending field. */
export function epaymentError(code: ErrorCode, detail: string, field?: string, reason?: string): ApiError {
  const { status, title } = ERRORS[code];
  return new ApiError({ status, title, detail, code, extraDetails: field ? [{ name: field, reason: reason ?? detail }] : undefined });
}

export const VALIDATION_DETAIL = 'One or more validation errors occurred.';

/** A request that does not have the spec's shape: 400 "Bad Request", one extraDetail per problem. */
export function validationError(details: ExtraDetail[]): ApiError {
  return new ApiError({ status: 400, title: 'Bad Request', detail: VALIDATION_DETAIL, extraDetails: details });
}

export function referenceNotFound(msn: string, reference: string): ApiError {
  return epaymentError(5090, `The reference ${reference} does not exist for MSN ${msn}.`);
}
