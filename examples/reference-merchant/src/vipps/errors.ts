/**
 * Errors from the Vipps MobilePay API, and how we explain them to people.
 *
 * Vipps answers errors as RFC 7807 problem details with the numeric error code in
 * `extraDetails: [{name: "ErrorCode", reason: "6090"}]`. Branch on that code and the HTTP status,
 * never on the title text (Vipps may reword titles). Gateway errors (401, 429, …) come in another
 * shape: `{statusCode, message}`.
 */

export type VippsFailureKind =
  /** Vipps answered with an HTTP error status. */
  | 'http'
  /** No answer within our client timeout. */
  | 'timeout'
  /** Connection refused/reset, DNS, … */
  | 'network';

export class VippsApiError extends Error {
  readonly kind: VippsFailureKind;
  /** HTTP status, when Vipps answered. */
  readonly status?: number;
  /** ePayment error code (extraDetails ErrorCode), e.g. "6090". */
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly traceId?: string;
  /** Which call failed, e.g. `capturePayment`. */
  readonly operation: string;
  /** Validation errors: which field was wrong. */
  readonly fields: { name: string; reason: string }[];

  constructor(init: {
    kind: VippsFailureKind;
    operation: string;
    status?: number;
    code?: string;
    title?: string;
    detail?: string;
    traceId?: string;
    fields?: { name: string; reason: string }[];
    cause?: unknown;
  }) {
    super(
      `${init.operation} failed: ${init.kind === 'http' ? `HTTP ${init.status}` : init.kind}` +
        `${init.code ? ` (error ${init.code})` : ''}${init.title ? ` ${init.title}` : ''}${init.detail ? ` — ${init.detail}` : ''}`,
      { cause: init.cause },
    );
    this.name = 'VippsApiError';
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.traceId = init.traceId;
    this.fields = init.fields ?? [];
  }

  /** Timeouts, network errors, 5xx, 423 Locked and 429 are worth another try with the same Idempotency-Key. */
  get retryable(): boolean {
    if (this.kind !== 'http') return true;
    return this.status === 429 || this.status === 423 || (this.status !== undefined && this.status >= 500);
  }

  /** Build from an HTTP error answer (problem details or the gateway's shape). */
  static fromResponse(operation: string, status: number, body: unknown): VippsApiError {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, any>;
    const extra: { name: string; reason: string }[] = Array.isArray(b.extraDetails) ? b.extraDetails : [];
    const code = extra.find((e) => e?.name === 'ErrorCode')?.reason;
    return new VippsApiError({
      kind: 'http',
      operation,
      status,
      code: code !== undefined ? String(code) : undefined,
      title: typeof b.title === 'string' ? b.title : typeof b.error === 'string' ? b.error : undefined,
      detail: typeof b.detail === 'string' ? b.detail : typeof b.message === 'string' ? b.message : typeof b.error_description === 'string' ? b.error_description.split('\r\n')[0] : undefined,
      traceId: typeof b.traceId === 'string' ? b.traceId : typeof b.trace_id === 'string' ? b.trace_id : undefined,
      fields: extra.filter((e) => e && e.name !== 'ErrorCode').map((e) => ({ name: String(e.name), reason: String(e.reason) })),
    });
  }
}

/**
 * What we tell a customer. Short, no jargon, always says what they can do next. The shop never
 * shows raw JSON or stack traces: the technical details go to the log (with the traceId, which
 * is what Vipps support asks for).
 */
export function customerMessage(error: unknown): string {
  if (!(error instanceof VippsApiError)) return 'Something went wrong on our side. Please try again in a moment.';
  if (error.kind === 'timeout' || error.kind === 'network')
    return 'We could not reach Vipps MobilePay just now. Please try again in a moment — you have not been charged.';
  switch (error.code) {
    case '7010':
      return 'Vipps MobilePay could not find a user who can pay this order. Please check the app, or choose another way to pay.';
    case '6010':
      return 'The amount is too small to pay with Vipps MobilePay. The smallest amount is 1 kr.';
    case '4040':
      return 'The amount is not valid. Please check it and try again.';
    case '5040':
      return 'This shop cannot take payments in that currency.';
    case '4150':
      return 'This payment has already been started. Please go back to the shop and try again.';
  }
  if (error.status === 429) return 'Too many attempts in a short time. Please wait a minute and try again.';
  if (error.status !== undefined && error.status >= 500)
    return 'Vipps MobilePay is having technical problems right now. Please try again in a few minutes — you have not been charged.';
  return 'Vipps MobilePay could not start the payment. Please try again, or choose another way to pay.';
}

/** What we tell shop staff: plain words first, then the code and trace id for Vipps support. */
export function staffMessage(error: unknown): string {
  if (!(error instanceof VippsApiError)) return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  const words = staffWords(error);
  const ref = [error.status ? `HTTP ${error.status}` : error.kind, error.code ? `error ${error.code}` : undefined, error.traceId ? `trace ${error.traceId}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `${words} (${ref})`;
}

function staffWords(error: VippsApiError): string {
  if (error.kind === 'timeout') return 'Vipps MobilePay did not answer in time, even after retrying. The action may or may not have happened — reload the order to see its real state before trying again.';
  if (error.kind === 'network') return 'Could not connect to Vipps MobilePay, even after retrying. Try again later.';
  const byCode: Record<string, string> = {
    '6020': 'Nothing has been captured yet, so there is nothing to refund.',
    '6040': 'The payment is fully captured and can no longer be cancelled. Refund it instead.',
    '6050': 'The payment is not reserved, so there is nothing to cancel.',
    '6070': 'The payment was cancelled, so it can no longer be captured.',
    '6080': 'The customer has not approved the payment yet, so it cannot be captured.',
    '6090': 'That is more than is left to capture on this payment.',
    '6100': 'The capture period for this payment has expired.',
    '6140': 'This sales unit only allows capturing the full amount.',
    '6150': 'That is more than is left to refund (you can only refund what has been captured).',
    '6160': 'Vipps MobilePay is still processing another change to this payment. Try again in a few seconds.',
    '6170': 'The payment is already fully captured.',
    '6180': 'The payment is already fully refunded.',
    '6190': 'The payment cannot be cancelled in its current state.',
    '6200': 'The payment cannot be captured in its current state.',
    '6210': 'The payment cannot be refunded in its current state.',
    '6220': 'The refund period for this payment has expired.',
    '6250': 'The customer is in the middle of approving; the payment cannot be cancelled right now.',
    '6260': 'The reserved funds are no longer available on the customer\'s account.',
    '6280': 'The capture failed at Vipps MobilePay; try again later.',
    '5090': 'Vipps MobilePay does not know this payment reference.',
    '4020': 'Vipps MobilePay saw this request before (idempotency conflict).',
    '4010': 'Vipps MobilePay saw this capture before with a different amount (idempotency conflict).',
  };
  if (error.code && byCode[error.code]) return byCode[error.code];
  if (error.status === 401 || error.status === 403) return 'Vipps MobilePay refused our API keys for this action. Check the shop\'s Vipps configuration.';
  if (error.status === 404) return 'Vipps MobilePay does not know this payment.';
  if (error.status === 429) return 'Vipps MobilePay says we are sending too many requests for this payment. Wait a minute and try again.';
  if (error.status !== undefined && error.status >= 500) return 'Vipps MobilePay had a technical problem, even after retrying. Try again in a few minutes.';
  return `Vipps MobilePay refused the request${error.title ? `: ${error.title}` : ''}.`;
}
