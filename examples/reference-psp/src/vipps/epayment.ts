/**
 * The ePayment API calls the PSP makes (written from the ePayment and PSP card-passthrough
 * guides; shapes are the PSP's own): create with CARD_PASSTHROUGH, get, events, and the
 * reports of what it charged, refunded or released (capture, refund, cancel).
 */
import type { VippsAnswer, VippsClient } from './client.ts';

export const ALLOWED_CARD_TYPES = ['VISA_DEBIT', 'VISA_CREDIT', 'VISA_DANKORT', 'DANKORT', 'MC_CREDIT', 'MC_DEBIT'] as const;

export interface Money {
  currency: string;
  value: number;
}

export interface CreateRequest {
  amount: Money;
  paymentMethod: { type: 'CARD_PASSTHROUGH' };
  cardPassthrough: {
    pspReference: string;
    cardCallbackUrl: string;
    cardCallbackAuthHeader: string;
    allowedCardTypes: string[];
    preferVisaPartOfVisaDankort: boolean;
  };
  reference: string;
  userFlow: 'WEB_REDIRECT';
  returnUrl: string;
  paymentDescription: string;
}

export type VippsState = 'CREATED' | 'ABORTED' | 'EXPIRED' | 'AUTHORIZED' | 'TERMINATED';

export interface VippsPayment {
  reference: string;
  state: VippsState;
  amount: Money;
  aggregate: { authorizedAmount: Money; cancelledAmount: Money; capturedAmount: Money; refundedAmount: Money };
  pspReference?: string;
  redirectUrl?: string;
}

export interface VippsEvent {
  name: string;
  reference: string;
  pspReference?: string;
  amount: Money;
  timestamp: string;
  idempotencyKey?: string | null;
  success: boolean;
}

const base = (reference: string) => `/epayment/v1/payments/${encodeURIComponent(reference)}`;

export class EpaymentApi {
  constructor(private readonly client: VippsClient) {}

  create(body: CreateRequest, idempotencyKey: string): Promise<VippsAnswer<{ redirectUrl: string; reference: string }>> {
    return this.client.call({ op: 'createPayment', method: 'POST', path: '/epayment/v1/payments', body, idempotencyKey });
  }

  get(reference: string): Promise<VippsAnswer<VippsPayment>> {
    return this.client.call({ op: 'getPayment', method: 'GET', path: base(reference) });
  }

  events(reference: string): Promise<VippsAnswer<VippsEvent[]>> {
    return this.client.call({ op: 'getPaymentEventLog', method: 'GET', path: `${base(reference)}/events` });
  }

  capture(reference: string, amount: Money, idempotencyKey: string): Promise<VippsAnswer> {
    return this.client.call({ op: 'capturePayment', method: 'POST', path: `${base(reference)}/capture`, body: { modificationAmount: amount }, idempotencyKey });
  }

  refund(reference: string, amount: Money, idempotencyKey: string): Promise<VippsAnswer> {
    return this.client.call({ op: 'refundPayment', method: 'POST', path: `${base(reference)}/refund`, body: { modificationAmount: amount }, idempotencyKey });
  }

  cancel(reference: string, idempotencyKey: string): Promise<VippsAnswer> {
    return this.client.call({ op: 'cancelPayment', method: 'POST', path: `${base(reference)}/cancel`, idempotencyKey });
  }
}

export const WEBHOOK_EVENTS = ['created', 'aborted', 'expired', 'cancelled', 'captured', 'refunded', 'authorized', 'terminated'].map((e) => `epayments.payment.${e}.v1`);

export class WebhooksApi {
  constructor(private readonly client: VippsClient) {}

  register(url: string): Promise<VippsAnswer<{ id: string; secret: string }>> {
    return this.client.call({ op: 'registerWebhook', method: 'POST', path: '/webhooks/v1/webhooks', body: { url, events: WEBHOOK_EVENTS } });
  }

  delete(id: string): Promise<VippsAnswer> {
    return this.client.call({ op: 'deleteWebhook', method: 'DELETE', path: `/webhooks/v1/webhooks/${encodeURIComponent(id)}` });
  }
}
