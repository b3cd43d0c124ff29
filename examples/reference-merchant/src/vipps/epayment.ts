/**
 * The ePayment API v1 operations the shop uses (all six from the checklist's "endpoints to
 * integrate"). Thin, typed wrappers: headers, retries and idempotency are the client's job.
 */
import type { VippsClient } from './client.ts';

export interface Amount {
  currency: string;
  value: number;
}

export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export type PaymentEventName = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'CANCELLED' | 'CAPTURED' | 'REFUNDED' | 'TERMINATED';

export interface Aggregate {
  authorizedAmount: Amount;
  cancelledAmount: Amount;
  capturedAmount: Amount;
  refundedAmount: Amount;
}

/** GET payment (and, minus a few fields, the answer of capture/refund/cancel). */
export interface Payment {
  reference: string;
  state: PaymentState;
  amount: Amount;
  aggregate: Aggregate;
  pspReference: string;
  redirectUrl?: string;
  /** `sub` is set once the customer approved and shared the `profile.scope` asked for. */
  profile?: { sub?: string };
}

export interface PaymentEvent {
  reference: string;
  pspReference: string;
  name: PaymentEventName;
  amount: Amount;
  timestamp: string;
  idempotencyKey?: string | null;
  success: boolean;
}

export interface ReceiptLine {
  name: string;
  id: string;
  totalAmount: number;
  totalAmountExcludingTax: number;
  totalTaxAmount: number;
  taxRate: number;
  unitInfo?: { unitPrice: number; quantity: string; quantityUnit: 'PCS' };
}

export type UserFlow = 'WEB_REDIRECT' | 'PUSH_MESSAGE' | 'QR';

export interface Receipt {
  orderLines: ReceiptLine[];
  bottomLine: { currency: string; receiptNumber?: string };
}

export interface CreatePaymentInput {
  reference: string;
  amount: Amount;
  /** Required for WEB_REDIRECT; PUSH_MESSAGE and QR never send the customer back. */
  returnUrl?: string;
  paymentDescription: string;
  /** Order lines for the customer's payment history in the app (checklist: "Add information to the payment history"). */
  receipt: Receipt;
  userFlow?: UserFlow;
  /** PUSH_MESSAGE: the phone the push goes to (MSISDN, e.g. 4791234567). */
  customer?: { phoneNumber: string };
  /** Profile data the customer is asked to share before paying (space-separated scopes). */
  profile?: { scope: string };
  /** In a taxi, at a table or a till: the customer is there. */
  customerInteraction?: 'CUSTOMER_PRESENT' | 'CUSTOMER_NOT_PRESENT';
  /** QR: the format of the image `redirectUrl` points at. */
  qrFormat?: { format: 'IMAGE/SVG+XML' | 'IMAGE/PNG' | 'TEXT/TARGETURL'; size?: number };
}

/** States after which the payment never changes state again (money can still move: capture, refund, cancel). */
export const FINAL_STATES: ReadonlySet<PaymentState> = new Set(['AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED']);

const enc = encodeURIComponent;

export class EpaymentApi {
  constructor(private readonly client: VippsClient) {}

  /**
   * POST /epayment/v1/payments. WEB_REDIRECT: `redirectUrl` is where to send the customer; QR: it
   * is the QR image to show; PUSH_MESSAGE: there is none (the push goes to the phone).
   */
  async create(input: CreatePaymentInput) {
    const res = await this.client.call<{ redirectUrl?: string; reference: string }>({
      operation: 'createPayment',
      method: 'POST',
      path: '/epayment/v1/payments',
      idempotent: true,
      body: {
        amount: input.amount,
        paymentMethod: { type: 'WALLET' },
        reference: input.reference,
        userFlow: input.userFlow ?? 'WEB_REDIRECT',
        returnUrl: input.returnUrl,
        paymentDescription: input.paymentDescription,
        receipt: input.receipt,
        customer: input.customer,
        profile: input.profile,
        customerInteraction: input.customerInteraction,
        qrFormat: input.qrFormat,
      },
    });
    return { ...res.body, idempotencyKey: res.idempotencyKey };
  }

  /** GET /epayment/v1/payments/{reference} — the current state and aggregate: the truth. */
  async get(reference: string): Promise<Payment> {
    return (await this.client.call<Payment>({ operation: 'getPayment', method: 'GET', path: `/epayment/v1/payments/${enc(reference)}` })).body;
  }

  /** GET /epayment/v1/payments/{reference}/events — the full history, for support staff. */
  async events(reference: string): Promise<PaymentEvent[]> {
    return (await this.client.call<PaymentEvent[]>({ operation: 'getPaymentEventLog', method: 'GET', path: `/epayment/v1/payments/${enc(reference)}/events` })).body;
  }

  async capture(reference: string, amount: Amount) {
    return this.modify('capturePayment', reference, 'capture', { modificationAmount: amount });
  }

  async refund(reference: string, amount: Amount) {
    return this.modify('refundPayment', reference, 'refund', { modificationAmount: amount });
  }

  /** Before approval this ends the payment (TERMINATED); after, it releases what is not captured. */
  async cancel(reference: string) {
    return this.modify('cancelPayment', reference, 'cancel', undefined);
  }

  private async modify(operation: string, reference: string, action: string, body: unknown) {
    const res = await this.client.call<Payment>({ operation, method: 'POST', path: `/epayment/v1/payments/${enc(reference)}/${action}`, body, idempotent: true });
    return { payment: res.body, idempotencyKey: res.idempotencyKey };
  }
}
