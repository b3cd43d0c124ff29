import { ECOM_CALLBACK_TIMEOUT_MS, ECOM_OP } from '../../contract/ecom.ts';
import type { FaultType } from '../../contract/faults.ts';
import type { SandboxContext } from '../context.ts';
import { faultName } from '../faults.ts';
import { Outbound, type OutboundRecord, type OutboundRequest } from '../shared/outbound.ts';
import type { CallbackEvent } from './types.ts';

/**
 * Transaction callbacks (vipps-facts §6.3): `POST {callbackPrefix}/v2/payments/{orderId}`, the
 * merchant's authToken as `Authorization`, one attempt, never retried, 3 s to answer, no
 * redirects followed (undici follows none). Faults: callback-drop (recorded, not sent),
 * callback-delay (sandbox clock), callback-duplicate (sent `copies` times).
 */

export const CALLBACK_FAULT_TYPES: readonly FaultType[] = ['callback-drop', 'callback-delay', 'callback-duplicate'];
const CALLBACK = { kind: 'callback', api: 'ecom-v2', operation: ECOM_OP.callback } as const satisfies Partial<OutboundRecord>;

/** The RegularCheckOutPaymentRequest body of ecom-v2-merchant-endpoints.yaml. */
export function callbackBody(e: CallbackEvent) {
  return {
    merchantSerialNumber: e.order.msn,
    orderId: e.order.orderId,
    transactionInfo: { amount: e.order.amount, status: e.status, timeStamp: new Date(e.at).toISOString(), transactionId: e.order.transactionId },
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
  /** Sends in flight or waiting for a delay, so tests and shutdown can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly ctx: SandboxContext) {
    this.outbound = new Outbound(ctx, () => ECOM_CALLBACK_TIMEOUT_MS);
  }

  /** Called by the machine right after a state change: never blocks or throws into it. */
  send(event: CallbackEvent): void {
    if (this.closed) return;
    const { order } = event;
    const fault = this.ctx.faults.take({ api: 'ecom-v2', operation: ECOM_OP.callback, msn: order.msn, reference: order.orderId, amount: order.amount }, CALLBACK_FAULT_TYPES);
    const meta = (notes: Record<string, unknown>): OutboundRecord => ({
      ...CALLBACK,
      msn: order.msn,
      reference: order.orderId,
      fault: fault ? faultName(fault.effect) : undefined,
      notes: { status: event.status, ...(fault ? { faultId: fault.id } : {}), ...notes },
    });
    const request = callbackRequest(event);
    const effect = fault?.effect;
    if (effect?.type === 'callback-drop') {
      this.outbound.recordNotSent(request, meta({}), 'not sent (sandbox fault: callback-drop)');
      return;
    }
    const copies = effect?.type === 'callback-duplicate' ? effect.copies : 1;
    const attempt = (n: number) => this.track(this.post(request, meta(copies > 1 ? { copy: { n, of: copies } } : {})));
    const sendAll = () => {
      for (let n = 1; n <= copies; n++) attempt(n);
    };
    if (effect?.type === 'callback-delay') this.ctx.clock.scheduleIn(effect.ms, () => !this.closed && sendAll());
    else queueMicrotask(sendAll);
  }

  private async post(request: OutboundRequest, meta: OutboundRecord): Promise<void> {
    try {
      const result = await this.outbound.post(request);
      if (this.closed) return;
      this.outbound.record({ url: result.url, headers: result.requestHeaders, sentBody: result.sentBody }, meta, result);
    } catch (err) {
      process.emitWarning(`eCom callback failed unexpectedly: ${(err as Error).stack ?? err}`);
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Wait until every callback started so far has been answered or has failed. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.outbound.close();
  }
}
