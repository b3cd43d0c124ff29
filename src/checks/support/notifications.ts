import type { Exchange } from '../../traffic/types.ts';
import { ecomCallbackEventOf, isEcomCallback } from './ecom-traffic.ts';
import { bodyOf, OP, operationOf, responseBodyOf } from './traffic.ts';

/**
 * The sandbox's notifications to the merchant, as checks read them: Webhooks v1 deliveries and
 * eCom v2 transaction callbacks — which were sent, dropped, forged or injected, and what event
 * each reports.
 */
/** The sandbox's notifications to the merchant: Webhooks v1 deliveries and eCom v2 transaction callbacks. */
export const deliveries = (traffic: readonly Exchange[]): Exchange[] =>
  traffic.filter((e) => (e.kind === 'webhook' && (operationOf(e) === OP.deliverWebhook || e.operation === undefined)) || isEcomCallback(e));

/** A forged delivery (wrong signature, altered body, moved date, no signature …). */
export const isForged = (e: Exchange): boolean => {
  const tamper = e.notes?.tamper;
  return (typeof e.fault === 'string' && e.fault.startsWith('webhook-tamper')) || (typeof tamper === 'string' && tamper !== 'none');
};
/** Recorded but never sent (`webhook-drop`). */
export const isDropped = (e: Exchange): boolean => e.fault === 'webhook-drop' || e.fault === 'callback-drop' || /not delivered|not sent/i.test(e.error ?? '');
/** Sent on golive's request through the control API (not caused by a payment event). */
export const isInjected = (e: Exchange): boolean => e.notes?.injected === true;

/** Deliveries the sandbox sent for real payment events (not dropped, not forged, not injected). */
export const genuineDeliveries = (traffic: readonly Exchange[]): Exchange[] =>
  deliveries(traffic).filter((e) => !isDropped(e) && !isForged(e) && !isInjected(e));

export interface WebhookPayload {
  reference?: string;
  name?: string;
  success?: boolean;
  pspReference?: string;
  amount?: { value?: number; currency?: string };
  msn?: string;
}

export function payloadOf(e: Exchange): WebhookPayload {
  let b = e.request.body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      return {};
    }
  }
  return b && typeof b === 'object' ? (b as WebhookPayload) : {};
}

/** Event name of a delivery: payload `name`, else from notes.eventType (`epayments.payment.captured.v1`). */
export function eventNameOf(e: Exchange): string | undefined {
  if (isEcomCallback(e)) return ecomCallbackEventOf(e);
  const name = payloadOf(e).name;
  if (typeof name === 'string') return name.toUpperCase();
  const t = e.notes?.eventType;
  const m = typeof t === 'string' ? /^epayments\.payment\.([a-z]+)\.v\d+$/.exec(t) : null;
  return m ? m[1].toUpperCase() : undefined;
}

/** Registration events of a register call or of a list answer's webhooks. */
export function registeredEvents(e: Exchange): { events: string[]; url?: string }[] {
  const op = operationOf(e);
  if (op === OP.registerWebhook) {
    const b = bodyOf(e);
    return [{ events: Array.isArray(b?.events) ? b!.events.filter((x: unknown) => typeof x === 'string') : [], url: b?.url }];
  }
  if (op === OP.listWebhooks) {
    const list = (responseBodyOf(e) as { webhooks?: { events?: unknown[]; url?: string }[] } | undefined)?.webhooks;
    return Array.isArray(list)
      ? list.map((w) => ({ events: Array.isArray(w?.events) ? (w.events.filter((x) => typeof x === 'string') as string[]) : [], url: w?.url }))
      : [];
  }
  return [];
}

