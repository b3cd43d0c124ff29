import { ECOM_CALLBACK_TIMEOUT_MS, ECOM_OP } from '../../contract/ecom.ts';
import type { FaultType } from '../../contract/faults.ts';
import type { SandboxContext } from '../context.ts';
import { faultName } from '../faults.ts';
import type { Exchange } from '../../traffic/types.ts';
import { Outbound, type OutboundRecord, type OutboundRequest } from '../shared/outbound.ts';
import { chooseShipping, consentRemovalRequest, expressCallbackFields, isExpress, shippingDetailsRequest } from './express.ts';
import type { CallbackEvent, Order, ShippingChoice } from './types.ts';

/**
 * Vipps ⇒ merchant calls (vipps-facts §6.3): the transaction callback `POST
 * {callbackPrefix}/v2/payments/{orderId}` with the merchant's authToken as `Authorization`, one
 * attempt, never retried, 3 s to answer, no redirects followed (undici follows none); for
 * Express checkout also the shippingDetails fetch and consent removal. Faults on the transaction
 * callback: callback-drop (recorded, not sent), callback-delay (sandbox clock), callback-duplicate.
 */

export const CALLBACK_FAULT_TYPES: readonly FaultType[] = ['callback-drop', 'callback-delay', 'callback-duplicate'];
const CALLBACK = { kind: 'callback', api: 'ecom-v2' } as const satisfies Partial<OutboundRecord>;

/** Approved Express orders report `RESERVE` where regular ones say `RESERVED`. */
const expressApproval = (e: CallbackEvent) => isExpress(e.order) && (e.status === 'RESERVED' || e.status === 'SALE');

/** The callback body: RegularCheckOutPaymentRequest, or ExpressCheckOutPaymentRequest for an approved Express order. */
export function callbackBody(e: CallbackEvent) {
  const express = expressApproval(e);
  return {
    merchantSerialNumber: e.order.msn,
    orderId: e.order.orderId,
    ...(express ? expressCallbackFields(e.order) : {}),
    transactionInfo: {
      amount: e.order.amount,
      status: express && e.status === 'RESERVED' ? 'RESERVE' : e.status,
      timeStamp: new Date(e.at).toISOString(),
      transactionId: e.order.transactionId,
    },
    ...(e.errorInfo ? { errorInfo: e.errorInfo } : {}),
  };
}

export function callbackRequest(e: CallbackEvent): OutboundRequest {
  const { callbackPrefix, authToken } = e.order.merchantInfo;
  return {
    url: `${callbackPrefix.replace(/\/+$/, '')}/v2/payments/${encodeURIComponent(e.order.orderId)}`,
    body: JSON.stringify(callbackBody(e)),
    signer: () => ({ 'content-type': 'application/json;charset=UTF-8', ...(authToken ? { authorization: authToken } : {}) }),
  };
}

export class CallbackSender {
  private readonly outbound: Outbound;
  private closed = false;

  constructor(
    private readonly ctx: SandboxContext,
    /** Where a fetched Express shipping option goes (the machine owns the order). */
    private readonly setShipping: (order: Order, shipping: ShippingChoice) => void,
  ) {
    this.outbound = new Outbound(ctx, () => ECOM_CALLBACK_TIMEOUT_MS);
  }

  /** Called by the machine right after a state change: never blocks or throws into it. */
  send(event: CallbackEvent): void {
    if (this.closed) return;
    const { order } = event;
    const needsShipping = expressApproval(event) && !order.shipping && order.merchantInfo.shippingDetailsPrefix !== undefined;
    if (needsShipping) void this.fetchShipping(order).then(() => this.dispatch(event));
    else this.dispatch(event);
  }

  private dispatch(event: CallbackEvent): void {
    if (this.closed) return;
    const { order } = event;
    const fault = this.ctx.faults.take({ api: 'ecom-v2', operation: ECOM_OP.callback, msn: order.msn, reference: order.orderId, amount: order.amount }, CALLBACK_FAULT_TYPES);
    const request = callbackRequest(event);
    const status = (JSON.parse(request.body) as ReturnType<typeof callbackBody>).transactionInfo.status;
    const meta = (notes: Record<string, unknown>): OutboundRecord =>
      this.meta(order, ECOM_OP.callback, { status, ...(fault ? { faultId: fault.id } : {}), ...notes }, fault ? faultName(fault.effect) : undefined);
    const effect = fault?.effect;
    if (effect?.type === 'callback-drop') {
      this.outbound.recordNotSent(request, meta({}), 'not sent (sandbox fault: callback-drop)');
      return;
    }
    const copies = effect?.type === 'callback-duplicate' ? effect.copies : 1;
    const sendAll = () => {
      for (let n = 1; n <= copies; n++) void this.call(request, meta(copies > 1 ? { copy: { n, of: copies } } : {}));
    };
    if (effect?.type === 'callback-delay') this.ctx.clock.scheduleIn(effect.ms, () => !this.closed && sendAll());
    else queueMicrotask(sendAll);
  }

  /** Express: ask the merchant for shipping options and preselect one (none chosen when it fails to answer). */
  private async fetchShipping(order: Order): Promise<void> {
    const exchange = await this.call(shippingDetailsRequest(order), this.meta(order, ECOM_OP.shippingDetails, {}));
    const body = exchange?.response?.body as { shippingDetails?: unknown } | undefined;
    const choice = exchange?.response && exchange.response.status < 300 ? chooseShipping(body?.shippingDetails) : undefined;
    if (choice) this.setShipping(order, choice);
  }

  /** Express: the customer withdrew consent; the merchant's answer, as recorded. */
  async removeConsent(order: Order): Promise<Exchange | undefined> {
    return this.call(consentRemovalRequest(order), this.meta(order, ECOM_OP.consentRemoval, {}));
  }

  private meta(order: Order, operation: string, notes: Record<string, unknown>, fault?: string): OutboundRecord {
    return { ...CALLBACK, operation, msn: order.msn, reference: order.orderId, fault, notes };
  }

  /** One call, recorded; never throws (undefined only once the sandbox is closing). */
  private async call(request: OutboundRequest, meta: OutboundRecord): Promise<Exchange | undefined> {
    try {
      const result = await this.outbound.post(request);
      if (this.closed) return undefined;
      return this.outbound.record({ url: result.url, headers: result.requestHeaders, sentBody: result.sentBody, method: request.method }, meta, result);
    } catch (err) {
      process.emitWarning(`eCom ${meta.operation} failed unexpectedly: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.outbound.close();
  }
}
