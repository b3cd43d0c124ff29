import { ECOM_OP } from '../contract/ecom.ts';
import { PSP_API_NAME, PSP_API_VERSIONS, PSP_OP, type PspApiVersion } from '../contract/psp-api.ts';
import { isObject } from '../shared/objects.ts';
import type { Exchange } from './types.ts';

/** Vipps's calls to an integration, by where the integration told Vipps to send them. */
export type DeliveryKind = 'webhooks' | 'ecom-callbacks' | 'psp-make-payments' | 'card-callbacks';

/** A URL an integration's API call gave Vipps for deliveries: the call, and what it says of them. */
export interface DeliveryTarget {
  kind: DeliveryKind;
  url: string;
  exchange: Exchange;
  /** The PSP API version of a makePaymentUrl. */
  version?: PspApiVersion;
}

/** The operations whose requests name a delivery URL (a traffic query for them finds every target). */
export const DELIVERY_TARGET_OPERATIONS: readonly string[] = ['registerWebhook', ECOM_OP.initiate, ...PSP_API_VERSIONS.map((v) => PSP_OP[v].initiate), 'createPayment'];

/**
 * Where this call of the integration's told Vipps to deliver, if anywhere: a webhook it registered
 * (and Vipps accepted), an eCom initiate's callbackPrefix, a PSP API initiate's makePaymentUrl, a
 * card-passthrough create's cardCallbackUrl. The one reading for the relay (what a request to it
 * is) and the verdicts (whether deliveries could reach golive).
 */
export function deliveryTargetOf(e: Exchange): DeliveryTarget | undefined {
  if (e.kind !== 'api' || !isObject(e.request.body)) return undefined;
  const b = e.request.body;
  const target = (kind: DeliveryKind, url: unknown, version?: PspApiVersion): DeliveryTarget | undefined =>
    typeof url === 'string' ? { kind, url, exchange: e, ...(version ? { version } : {}) } : undefined;
  if (e.operation === 'registerWebhook') return (e.response?.status ?? 0) < 300 ? target('webhooks', b.url) : undefined;
  if (e.api === 'ecom-v2' && e.operation === ECOM_OP.initiate) return target('ecom-callbacks', isObject(b.merchantInfo) ? b.merchantInfo.callbackPrefix : undefined);
  const version = PSP_API_VERSIONS.find((v) => e.api === PSP_API_NAME[v] && e.operation === PSP_OP[v].initiate);
  if (version) return target('psp-make-payments', b.makePaymentUrl, version);
  if (e.api === 'epayment' && e.operation === 'createPayment') return target('card-callbacks', isObject(b.cardPassthrough) ? b.cardPassthrough.cardCallbackUrl : undefined);
  return undefined;
}

/** Every delivery target among these exchanges, of one kind when given. */
export const deliveryTargets = (traffic: Iterable<Exchange>, kind?: DeliveryKind): DeliveryTarget[] =>
  [...traffic].flatMap((e) => {
    const t = deliveryTargetOf(e);
    return t && (kind === undefined || t.kind === kind) ? [t] : [];
  });
