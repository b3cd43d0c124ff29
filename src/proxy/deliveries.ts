import { ECOM_OP } from '../contract/ecom.ts';
import type { TrafficLog } from '../traffic/log.ts';
import type { ApiName, ExchangeKind, ExchangeResponse, Headers } from '../traffic/types.ts';
import { discoverHeaderSecrets, recordedBody } from './capture.ts';
import { recordedResponseHeaders } from './headers.ts';
import type { ProxiedExchange, RecordContext } from './record.ts';

/**
 * What the delivery relay records: the calls Vipps makes to the integration, in the terms the
 * sandbox records its own outbound calls in (src/sandbox/webhooks/dispatcher.ts,
 * src/sandbox/ecom/callbacks.ts), so the same checks read them. A request is a delivery when it
 * arrives at a URL the integration gave Vipps through the recording proxy: a webhook it
 * registered, or an eCom order's callbackPrefix. Anything else through the relay (a customer's
 * browser on the return page, say) is forwarded and not recorded.
 */
export interface DeliveryClass {
  kind: ExchangeKind;
  api: ApiName;
  operation: string;
  msn?: string;
  reference?: string;
  notes: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const withoutSlash = (url: string) => url.replace(/\/+$/, '');
const ECOM_CALLBACK = /^(.*)\/v2\/payments\/([^/?#]+)\/?$/;

/** The webhook registrations the integration made through the proxy: their URL and, once answered, id. */
function registrations(log: TrafficLog): { id?: string; url: string }[] {
  return log
    .query({ kind: 'api', api: 'webhooks', operation: 'registerWebhook' })
    .filter((e) => (e.response?.status ?? 0) < 300 && isObject(e.request.body) && typeof e.request.body.url === 'string')
    .map((e) => ({ url: (e.request.body as { url: string }).url, id: isObject(e.response?.body) && typeof e.response.body.id === 'string' ? e.response.body.id : undefined }));
}

/** callbackPrefixes of the eCom orders the integration initiated through the proxy. */
function callbackPrefixes(log: TrafficLog): string[] {
  return log
    .query({ kind: 'api', api: 'ecom-v2', operation: ECOM_OP.initiate })
    .map((e) => (isObject(e.request.body) && isObject(e.request.body.merchantInfo) ? e.request.body.merchantInfo.callbackPrefix : undefined))
    .filter((p): p is string => typeof p === 'string')
    .map(withoutSlash);
}

/** What a request Vipps sent to `url` (the public URL it called) is, or undefined when no URL the integration gave Vipps matches. */
export function classifyDelivery(log: TrafficLog, method: string, url: string, body: unknown): DeliveryClass | undefined {
  if (method !== 'POST') return undefined;
  const hook = registrations(log).find((r) => r.url === url);
  if (hook) {
    const payload = isObject(body) ? body : {};
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    return {
      kind: 'webhook',
      api: 'webhooks',
      operation: 'deliverWebhook',
      msn: typeof payload.msn === 'string' ? payload.msn : undefined,
      reference: typeof payload.reference === 'string' ? payload.reference : undefined,
      notes: { ...(hook.id ? { webhookId: hook.id } : {}), ...(name ? { eventType: `epayments.payment.${name.toLowerCase()}.v1` } : {}) },
    };
  }
  const m = ECOM_CALLBACK.exec(url);
  if (m && callbackPrefixes(log).includes(withoutSlash(m[1]))) {
    const b = isObject(body) ? body : {};
    const msn = b.merchantSerialNumber;
    const status = isObject(b.transactionInfo) ? b.transactionInfo.status : undefined;
    return {
      kind: 'callback',
      api: 'ecom-v2',
      operation: ECOM_OP.callback,
      msn: typeof msn === 'string' || typeof msn === 'number' ? String(msn) : undefined,
      reference: decodeURIComponent(m[2]),
      notes: typeof status === 'string' ? { status } : {},
    };
  }
  return undefined;
}

/**
 * The relay's recorder: a delivery is appended as the sandbox appends its own (kind `webhook` or
 * `callback`, the URL Vipps called, the integration's answer and time), redacted on the way in.
 * When the integration did not answer, that is the integration's failure here, not the test
 * environment's: `error` says so and no environment note is added.
 */
export function deliveryRecorder(publicUrl: string): (ctx: RecordContext, x: ProxiedExchange) => void {
  const base = withoutSlash(publicUrl);
  return (ctx, x) => {
    const { redactor } = ctx;
    discoverHeaderSecrets(x.requestHeaders, redactor);
    const body = recordedBody(x.requestBody, x.requestHeaders, redactor, ctx.recordLimit);
    const url = `${base}${x.url}`;
    const c = classifyDelivery(ctx.log, x.method, url, body.parsed);
    if (!c) return;
    let response: ExchangeResponse | undefined;
    if (x.response && !x.failure) {
      const headers = recordedResponseHeaders(x.response.headers);
      const recorded = typeof x.response.body === 'string' ? x.response.body : recordedBody(x.response.body, headers, redactor, ctx.recordLimit).recorded;
      response = { status: x.response.status, headers: redactor.headers(headers), body: recorded };
    }
    ctx.log.append({
      kind: c.kind,
      api: c.api,
      operation: c.operation,
      msn: c.msn,
      reference: c.reference,
      request: { method: x.method, url: redactor.text(url), path: redactor.text(x.url.split('?')[0]), headers: redactor.headers(x.requestHeaders as Headers), body: body.recorded },
      response,
      error: x.failure ? `the integration did not answer (${x.failure.cause}: ${redactor.text(x.failure.detail)})` : x.clientAborted ? 'Vipps closed the connection before the integration answered' : undefined,
      startedAt: x.startedAt,
      durationMs: Math.round(x.durationMs * 1000) / 1000,
      notes: { ...c.notes, relayed: true },
    });
  };
}
