import { ECOM_OP } from '../contract/ecom.ts';
import { PSP_API_NAME, PSP_OP } from '../contract/psp-api.ts';
import { confirmedOf, makePaymentNotes, readMakePaymentAnswer } from '../contract/psp-make-payment.ts';
import { DELIVERY_TARGET_OPERATIONS, deliveryTargets, type DeliveryTarget } from '../traffic/delivery-targets.ts';
import type { TrafficLog } from '../traffic/log.ts';
import type { ApiName, ExchangeKind, ExchangeResponse, Headers } from '../traffic/types.ts';
import { cardCallbackOf } from './card-callbacks.ts';
import { discoverHeaderSecrets, recordedBody } from './capture.ts';
import { recordedResponseHeaders } from './headers.ts';
import type { ProxiedExchange, RecordContext } from './record.ts';
import { isObject } from '../shared/objects.ts';

/**
 * What the delivery relay records: the calls Vipps makes to the integration, in the terms the
 * sandbox records its own outbound calls in (src/sandbox/webhooks/dispatcher.ts,
 * src/sandbox/ecom/callbacks.ts, src/sandbox/psp-api/make-payment.ts), so the same checks read
 * them. A request is a delivery when it arrives at a URL the integration gave Vipps through the
 * recording proxy: a webhook it registered, an eCom order's callbackPrefix, a PSP API
 * payment's makePaymentUrl, or an ePayment card-passthrough create's cardCallbackUrl
 * (card-callbacks.ts). Anything else through the relay (a customer's browser on the return
 * page, say) is forwarded and not recorded.
 */
export interface DeliveryClass {
  kind: ExchangeKind;
  api: ApiName;
  operation: string;
  msn?: string;
  reference?: string;
  notes: Record<string, unknown>;
  /** Notes that read the integration's answer (makePayment's outcome), replacing `notes` when given. */
  answered?: (answer: { status?: number; body?: unknown; error?: string }, answerMs: number) => Record<string, unknown>;
}

const withoutSlash = (url: string) => url.replace(/\/+$/, '');
const ECOM_CALLBACK = /^(.*)\/v2\/payments\/([^/?#]+)\/?$/;

/** The URLs the integration gave Vipps through the proxy so far (src/traffic/delivery-targets.ts). */
const targetsIn = (log: TrafficLog): DeliveryTarget[] => deliveryTargets(log.query({ kind: 'api', operation: [...DELIVERY_TARGET_OPERATIONS] }));

/** What a request Vipps sent to `url` (the public URL it called) is, or undefined when no URL the integration gave Vipps matches. */
export function classifyDelivery(log: TrafficLog, method: string, url: string, body: unknown, headers: Record<string, string | string[] | undefined> = {}): DeliveryClass | undefined {
  if (method !== 'POST') return undefined;
  const targets = targetsIn(log);
  const hook = targets.find((t) => t.kind === 'webhooks' && t.url === url);
  if (hook) {
    const answer = hook.exchange.response?.body;
    const hookId = isObject(answer) && typeof answer.id === 'string' ? answer.id : undefined;
    const payload = isObject(body) ? body : {};
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    return {
      kind: 'webhook',
      api: 'webhooks',
      operation: 'deliverWebhook',
      msn: typeof payload.msn === 'string' ? payload.msn : undefined,
      reference: typeof payload.reference === 'string' ? payload.reference : undefined,
      notes: { ...(hookId ? { webhookId: hookId } : {}), ...(name ? { eventType: `epayments.payment.${name.toLowerCase()}.v1` } : {}) },
    };
  }
  const m = ECOM_CALLBACK.exec(url);
  if (m && targets.some((t) => t.kind === 'ecom-callbacks' && withoutSlash(t.url) === withoutSlash(m[1]))) {
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
  return makePaymentOf(log, targets, url, body) ?? cardCallbackOf(log, targets, url, body, headers);
}

/**
 * PSP API makePayment, Vipps ⇒ PSP: a POST to a makePaymentUrl the PSP gave in an initiate. Its
 * payment is the body's pspTransactionId (several initiates may share one makePaymentUrl). The
 * notes are completed from the PSP's answer once it came (`answered`).
 */
function makePaymentOf(log: TrafficLog, targets: readonly DeliveryTarget[], url: string, body: unknown): DeliveryClass | undefined {
  const initiates = targets
    .filter((t) => t.kind === 'psp-make-payments' && t.url === url)
    .map((t) => ({ version: t.version!, pspTransactionId: t.exchange.reference ?? (t.exchange.request.body as { pspTransactionId?: string }).pspTransactionId, msn: t.exchange.msn }));
  if (initiates.length === 0) return undefined;
  const b = isObject(body) ? body : {};
  const id = typeof b.pspTransactionId === 'string' ? b.pspTransactionId : undefined;
  const init = initiates.find((i) => i.pspTransactionId === id) ?? initiates[initiates.length - 1];
  const msn = b.merchantSerialNumber;
  const reference = id ?? init.pspTransactionId;
  const confirmed = confirmedOf(init.version, body) ?? 'YES';
  // A YES right after a SOFT_DECLINE is the post-3-D Secure re-send (a TIMEOUT then is a first round of its own, as the sandbox sends it).
  const previous = reference === undefined ? undefined : log.query({ kind: 'callback', api: PSP_API_NAME[init.version], operation: PSP_OP[init.version].makePayment, reference }).at(-1);
  const round = confirmed === 'YES' && previous?.notes?.outcome === 'soft-decline' ? '3ds-completion' : 'first';
  return {
    kind: 'callback',
    api: PSP_API_NAME[init.version],
    operation: PSP_OP[init.version].makePayment,
    msn: typeof msn === 'string' || typeof msn === 'number' ? String(msn) : init.msn,
    reference,
    notes: { version: init.version, round },
    answered: (answer, answerMs) => ({ ...makePaymentNotes(init.version, round, confirmed, readMakePaymentAnswer(answer, reference ?? '', round), answerMs) }),
  };
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
    const c = classifyDelivery(ctx.log, x.method, url, body.parsed, x.requestHeaders as Record<string, string | string[] | undefined>);
    if (!c) return;
    let response: ExchangeResponse | undefined;
    let parsedAnswer: unknown;
    if (x.response && !x.failure) {
      const headers = recordedResponseHeaders(x.response.headers);
      const answer = typeof x.response.body === 'string' ? { recorded: x.response.body, parsed: x.response.body as unknown } : recordedBody(x.response.body, headers, redactor, ctx.recordLimit);
      parsedAnswer = answer.parsed;
      response = { status: x.response.status, headers: redactor.headers(headers), body: answer.recorded };
    }
    const error = x.failure ? `the integration did not answer (${x.failure.cause}: ${redactor.text(x.failure.detail)})` : x.clientAborted ? 'Vipps closed the connection before the integration answered' : undefined;
    const durationMs = Math.round(x.durationMs * 1000) / 1000;
    const notes = c.answered ? c.answered({ status: response?.status, body: parsedAnswer, error }, Math.round(x.durationMs)) : c.notes;
    ctx.log.append({
      kind: c.kind,
      api: c.api,
      operation: c.operation,
      msn: c.msn,
      reference: c.reference,
      request: { method: x.method, url: redactor.text(url), path: redactor.text(x.url.split('?')[0]), headers: redactor.headers(x.requestHeaders as Headers), body: body.recorded },
      response,
      error,
      startedAt: x.startedAt,
      durationMs,
      notes: { ...notes, relayed: true },
    });
  };
}
