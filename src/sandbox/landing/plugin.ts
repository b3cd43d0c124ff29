import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Redactor } from '../../traffic/redact.ts';
import type { SandboxContext } from '../context.ts';
import { CustomerDeclinedError, type CustomerPayment } from '../shared/directory.ts';
import { ApiError } from '../problem.ts';
import controlRoutes, { consentNotes } from './control.ts';
import inboxRoutes from './inbox.ts';
import { landingPageUrl } from '../shared/landing-tokens.ts';
import { declineMessage, normalisePhone } from './format.ts';
import { MSISDN } from '../shared/validation.ts';
import { approvalPage, messagePage, resultPage } from './render.ts';
import { CardCallbackDeclinedError } from '../shared/card-customer.ts';
import type { CardType } from '../../contract/card-passthrough.ts';
import { cardOutcomePage, type CardPageKind } from './cards.ts';

/**
 * The simulated customer: the landing page a WEB_REDIRECT payment's `redirectUrl` opens
 * (`GET /landing?token=…`), its approve/reject forms, the QR image of a QR payment
 * (`GET /qr-image/v1?token=…`), and the control routes that let tests and the golive
 * runner act as the customer without a browser (`/_sandbox/v1/payments/…`).
 */
export default async function landingPlugin(app: FastifyInstance, opts: { ctx: SandboxContext; redactor: Redactor }) {
  app.register(landingPages, opts);
  app.register(controlRoutes, opts);
  app.register(inboxRoutes, opts);
}

/** The app, not a browser: opened from the app inbox (`via=app`), or any push (PUSH_MESSAGE). */
const inApp = (p: CustomerPayment, via: string | undefined) => via === 'app' || p.userFlow === 'PUSH_MESSAGE';

/** The landing page URL for a payment's token (what the QR code points at). */
export function landingUrl(ctx: SandboxContext, token: string): string {
  return landingPageUrl(ctx.publicUrl(), token);
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Like the real landing page: it refuses to be framed (merchants must open it top-level).
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
};

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

/** Form fields from an urlencoded body (raw string here) or a JSON object. */
export function formFields(body: unknown): Record<string, string> {
  if (typeof body === 'string') {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) if (!(k in out)) out[k] = v;
    return out;
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
    return out;
  }
  return {};
}

function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** A location header must be plain visible ASCII; anything else cannot be sent unchanged. */
const SAFE_LOCATION = /^[\x21-\x7e]+$/;

async function landingPages(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  const merchantName = (p: CustomerPayment) => ctx.merchants.byMerchantSerialNumber(p.msn)?.name ?? `Merchant ${p.msn}`;
  const model = (p: CustomerPayment) => ({ payment: p, merchantName: merchantName(p), now: ctx.clock.now() });

  /** Attribute the exchange to the payment in the traffic log (MSN + reference). */
  const attribute = (request: FastifyRequest, p: CustomerPayment, notes?: Record<string, unknown>) => {
    request.exchangeReference = p.reference;
    request.merchant ??= ctx.merchants.byMerchantSerialNumber(p.msn);
    if (notes) request.exchangeNotes = { ...request.exchangeNotes, ...notes };
  };

  const lookup = (token: string | undefined): CustomerPayment | undefined => {
    if (!token || token.length > 4096) return undefined;
    return ctx.payments.byLandingToken(token);
  };

  const notFound = (reply: FastifyReply) =>
    page(reply, 404, messagePage('Payment not found', 'This payment link is not valid. It may be mistyped, or the payment belongs to another sandbox. Go back to the shop and start again.'));

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    // ApiError: e.g. the shared JSON parser's "body is not valid JSON".
    const code = error instanceof ApiError ? error.problem.status : error.statusCode;
    const status = code && code >= 400 && code < 500 ? code : 500;
    if (status === 500) process.emitWarning(`landing page error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    const message = status === 413 ? 'The form data is too large.' : status === 500 ? 'Something went wrong in the sandbox. Try again.' : 'The request could not be understood.';
    return page(reply, status, messagePage(status === 500 ? 'Something went wrong' : 'Bad request', message));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/landing', { config: { api: 'landing', operation: 'viewLandingPage' } }, async (request, reply) => {
    const payment = lookup(firstString(request.query.token));
    if (!payment) return notFound(reply);
    attribute(request, payment, { state: payment.apiState });
    const blocked = payment.state === 'awaiting-customer' ? payment.card?.blocked : undefined;
    if (blocked && blocked !== 'attempt-in-progress') return page(reply, 200, cardOutcomePage({ ...model(payment), kind: blocked }));
    const app = inApp(payment, firstString(request.query.via));
    if (payment.state === 'awaiting-customer') return page(reply, 200, approvalPage({ ...model(payment), app }));
    return page(reply, 200, resultPage({ ...model(payment), app }));
  });

  const act = (action: 'approve' | 'reject' | 'decline-consent') => async (request: FastifyRequest, reply: FastifyReply) => {
    const form = formFields(request.body);
    const payment = lookup(form.token);
    if (!payment) return notFound(reply);
    const source = ctx.payments.sourceOf(payment);
    const app = inApp(payment, form.via);
    // A push (or the app inbox) is answered in the app: the phone never opens returnUrl.
    const stay = app || ['false', '0', 'no', 'off'].includes((form.redirect ?? '').toLowerCase());
    attribute(request, payment, { action, redirect: !stay, ...(app ? { via: 'app' } : {}) });

    if (payment.state !== 'awaiting-customer') {
      return page(
        reply,
        409,
        resultPage({ ...model(payment), app, error: `This payment can no longer be ${action === 'reject' ? 'rejected' : 'approved'}: it is ${payment.apiState}.` }),
      );
    }

    const blocked = payment.card?.blocked;
    if (action !== 'reject' && blocked && blocked !== 'attempt-in-progress') {
      attribute(request, payment, { outcome: 'refused', blocked });
      return page(reply, 409, cardOutcomePage({ ...model(payment), kind: blocked }));
    }

    const phone = normalisePhone(form.phone);
    if (action === 'approve' && phone && !MSISDN.test(phone)) {
      attribute(request, payment, { outcome: 'invalid-phone' });
      return page(
        reply,
        400,
        approvalPage({ ...model(payment), app, phone: form.phone, error: 'Enter your mobile number with country code, digits only (10–15 digits, e.g. 4791234567).' }),
      );
    }

    const attemptsBefore = payment.failedAttempts?.length ?? 0;
    let after: CustomerPayment;
    try {
      const card = payment.card && form.card ? { type: form.card as CardType } : undefined; // a type not offered: 400 from the source
      after =
        action === 'reject'
          ? source.reject(payment.msn, payment.reference)
          : await source.approve(payment.msn, payment.reference, { phoneNumber: phone || undefined, source: 'landing', card, consent: action === 'decline-consent' ? 'decline' : 'share' });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const current = source.get(payment.msn, payment.reference) ?? payment;
      if (err instanceof CardCallbackDeclinedError) return cardDeclinedPage(request, reply, current, err, form);
      if (err instanceof CustomerDeclinedError && current.state === 'awaiting-customer') {
        // A magic amount: the card was declined, the payment stays open for another try.
        attribute(request, current, { outcome: err.outcome === 'unknown' ? 'unknown-result' : 'declined', reason: err.reason });
        return page(reply, 402, approvalPage({ ...model(current), app, phone: form.phone, error: declineMessage(err.outcome === 'unknown' ? 'unknown result' : err.reason) }));
      }
      const message = customerMessage(err);
      attribute(request, current, { outcome: 'refused', error: err.message });
      if (current.state === 'awaiting-customer') {
        const status = err.problem.status >= 500 ? 502 : 402;
        return page(reply, status, approvalPage({ ...model(current), app, phone: form.phone, error: message }));
      }
      return page(reply, 409, resultPage({ ...model(current), app, error: message }));
    }

    if (after.cardCallback?.outcome === 'soft-decline') return softDeclineRedirect(request, reply, after);
    if (after.state === 'awaiting-customer') {
      // The card was declined (magic amount): the payment stays open for another try.
      const attempts = after.failedAttempts ?? [];
      const reason = attempts.length > attemptsBefore ? attempts[attempts.length - 1]?.reason : undefined;
      attribute(request, after, { outcome: 'declined', reason });
      return page(reply, 402, approvalPage({ ...model(after), app, phone: form.phone, error: declineMessage(reason) }));
    }

    attribute(request, after, { outcome: after.apiState, ...consentNotes(after) });
    if (!stay && after.returnUrl && SAFE_LOCATION.test(after.returnUrl)) {
      // Like the app: the customer's browser is sent to returnUrl exactly as given.
      return reply.code(303).header('location', after.returnUrl).header('cache-control', 'no-store').send();
    }
    return page(reply, 200, resultPage({ ...model(after), app, done: true }));
  };

  /** A card callback answered FAIL or its outcome is unknown: a retry form, or no further attempt. */
  const cardDeclinedPage = (request: FastifyRequest, reply: FastifyReply, current: CustomerPayment, err: CardCallbackDeclinedError, form: Record<string, string>) => {
    attribute(request, current, { outcome: err.cardCallback.outcome, authorizationAttemptId: err.cardCallback.authorizationAttemptId, retryable: err.retryable });
    const message = err.cardCallback.customerMessage;
    if (current.state === 'awaiting-customer' && err.outcome === 'declined' && err.retryable) {
      return page(reply, 402, approvalPage({ ...model(current), phone: form.phone, card: form.card, error: message }));
    }
    const kind: CardPageKind = err.outcome === 'unknown' ? 'outcome-unknown' : 'not-retryable';
    return page(reply, 402, cardOutcomePage({ ...model(current), kind, message }));
  };

  /** SOFT_DECLINE: the customer's browser goes to the PSP's 3-D Secure page. */
  const softDeclineRedirect = (request: FastifyRequest, reply: FastifyReply, after: CustomerPayment) => {
    const url = after.cardCallback?.softDeclineUrl ?? '';
    attribute(request, after, { outcome: 'soft-decline', authorizationAttemptId: after.cardCallback?.authorizationAttemptId });
    if (SAFE_LOCATION.test(url)) return reply.code(303).header('location', url).header('cache-control', 'no-store').send();
    return page(reply, 200, cardOutcomePage({ ...model(after), kind: 'soft-decline-pending' }));
  };

  // The PSP sends the customer back here after 3-D Secure (softDeclineCompletedRedirectUrl):
  // the sandbox sends the second callback for the same attempt and shows its result.
  app.get<{ Querystring: Record<string, unknown> }>('/landing/soft-decline-completed', { config: { api: 'landing', operation: 'softDeclineCompleted' } }, async (request, reply) => {
    const payment = lookup(firstString(request.query.token));
    if (!payment) return notFound(reply);
    const attempt = firstString(request.query.attempt);
    attribute(request, payment, { action: 'soft-decline-completed', authorizationAttemptId: attempt });
    const source = ctx.payments.sourceOf(payment);
    if (payment.state !== 'awaiting-customer' || payment.card?.blocked !== 'soft-decline-pending' || !source.completeSoftDecline) {
      return page(reply, 409, resultPage({ ...model(payment), error: 'No card verification is waiting for this payment.' }));
    }
    let after: CustomerPayment;
    try {
      after = await source.completeSoftDecline(payment.msn, payment.reference, attempt);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const current = source.get(payment.msn, payment.reference) ?? payment;
      if (err instanceof CardCallbackDeclinedError) return cardDeclinedPage(request, reply, current, err, {});
      return page(reply, 409, resultPage({ ...model(current), error: customerMessage(err) }));
    }
    attribute(request, after, { outcome: after.apiState });
    if (after.returnUrl && SAFE_LOCATION.test(after.returnUrl)) return reply.code(303).header('location', after.returnUrl).header('cache-control', 'no-store').send();
    return page(reply, 200, resultPage({ ...model(after), done: true }));
  });

  app.post('/landing/approve', { config: { api: 'landing', operation: 'approveOnLandingPage' } }, act('approve'));
  app.post('/landing/reject', { config: { api: 'landing', operation: 'rejectOnLandingPage' } }, act('reject'));
  app.post('/landing/consent-decline', { config: { api: 'landing', operation: 'declineConsentOnLandingPage' } }, act('decline-consent'));

  // --- QR image of the landing URL (userFlow QR) ----------------------------------------
  app.get<{ Querystring: Record<string, unknown> }>('/qr-image/v1', { config: { api: 'landing', operation: 'getQrImage' } }, async (request, reply) => {
    const payment = lookup(firstString(request.query.token));
    if (!payment) return reply.code(404).type('text/plain; charset=utf-8').send('No payment has this QR token.');
    attribute(request, payment);
    const format = (firstString(request.query.format) ?? 'svg').toLowerCase();
    const png = format === 'png' || format === 'image/png';
    if (!png && format !== 'svg' && format !== 'image/svg+xml') {
      return reply.code(400).type('text/plain; charset=utf-8').send('format must be svg or png.');
    }
    const sizeText = firstString(request.query.size);
    const size = sizeText === undefined ? undefined : Number(sizeText);
    if (size !== undefined && !(Number.isInteger(size) && size >= 100 && size <= 2000)) {
      return reply.code(400).type('text/plain; charset=utf-8').send('size must be an integer from 100 to 2000.');
    }
    const target = landingUrl(ctx, payment.landingToken);
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (png) {
      const image = await QRCode.toBuffer(target, { type: 'png', width: size ?? 1024, margin: 2, errorCorrectionLevel: 'M' });
      return reply.code(200).headers(headers).type('image/png').send(image);
    }
    const svg = await QRCode.toString(target, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', ...(size ? { width: size } : {}) });
    return reply.code(200).headers(headers).type('image/svg+xml').send(svg);
  });
}

/** An ApiError from the payment's API in words for the customer. */
function customerMessage(err: ApiError): string {
  const p = err.problem;
  const code = p.code === undefined ? '' : String(p.code);
  if (code === '7010') return 'We could not find a Vipps MobilePay user with that mobile number. Check the number and try again.';
  if (/declin|insufficient|refused|fraud|limit|card|3-?d|sca/i.test(`${p.title} ${p.detail ?? ''}`)) return declineMessage(`${p.title} ${p.detail ?? ''}`);
  if (p.status >= 500) return 'Something went wrong on our side. Nothing has been charged; try again.';
  return `${p.detail ?? p.title}`;
}
