/**
 * The PSP API endpoints the PSP calls (vipps-facts §5.1), through the shared VippsClient: bearer
 * token (cached), Ocp-Apim-Subscription-Key, psp-id + merchant-serial-number (lowercase in v2 as
 * its spec spells them, Psp-Id / Merchant-Serial-Number in v3) and the four Vipps-System-* headers.
 */
import { VippsClient } from '../vipps/client.ts';
import { SYSTEM_HEADERS, type PspApiConfig, type PspApiVersion } from './config.ts';

export interface InitiateRequest {
  pspTransactionId: string;
  merchantOrderId: string;
  amount: number;
  currency: 'NOK';
  pspRedirectUrl: string;
  makePaymentUrl: string;
  makePaymentToken: string;
  paymentText: string;
}

export interface InitiateResponse {
  pspTransactionId: string;
  merchantOrderId: string;
  vippsRedirectUrl: string;
}

export type StatusUpdate = { pspTransactionId: string; status: 'CAPTURED' | 'REFUNDED' | 'CANCELLED'; amount: number; currency: 'NOK'; paymentText?: string };

export interface PaymentDetails {
  pspTransactionId: string;
  merchantOrderId: string;
  transactionSummary?: { capturedAmount?: number; remainingAmountToCapture?: number; refundedAmount?: number; remainingAmountToRefund?: number };
  transactionLogHistory?: { amount?: number; paymentText?: string; timeStamp?: string; operation?: string; operationSuccess?: boolean }[];
}

export function newClient(config: PspApiConfig, log: (line: string) => void): VippsClient {
  return new VippsClient({ ...config, systemHeaders: SYSTEM_HEADERS, lowercasePspHeaders: config.version === 'v2' }, log);
}

export class PspApi {
  constructor(
    private readonly client: VippsClient,
    readonly version: PspApiVersion,
  ) {}

  private path(rest: string): string {
    return `/psp/${this.version}/psppayments/${rest}`;
  }

  init(body: InitiateRequest) {
    return this.client.call<InitiateResponse>({ op: 'initiatePayment', method: 'POST', path: this.path('init'), body });
  }

  updateStatus(transactions: StatusUpdate[]) {
    return this.client.call<{ responseInfo?: { responseCode?: string; responseMessage?: string } }>({ op: 'updateStatus', method: 'POST', path: this.path('updatestatus'), body: { transactions } });
  }

  details(pspTransactionId: string) {
    return this.client.call<PaymentDetails>({ op: 'details', method: 'GET', path: this.path(`${encodeURIComponent(pspTransactionId)}/details`) });
  }
}
