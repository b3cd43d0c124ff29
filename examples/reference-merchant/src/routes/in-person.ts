/**
 * In-person routes (pages and JSON; amounts in the JSON API in øre, on pages in kroner):
 *
 *   POST /api/qr/:qrId            → {qrId, url, redirectUrl, action: created|updated}: create (409 ⇒ update) the merchant-redirect QR
 *   POST /admin/qr                the same from the back office form {qrId}: a page with the image
 *   GET  /bill/:qrId              the page a scanned QR opens; POST /bill/:qrId pushes the payment
 *   POST /api/push-payments       {amount, description, phoneNumber} | {amount, description, returningFrom} → 201 {reference, orderUrl}
 *   GET  /pos                     customer-facing screen; POST /pos → 303 /pos/:reference (the QR + status)
 *   POST /api/qr-payments         {amount, description?} → 201 {reference, redirectUrl (the QR image), orderUrl}
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Faults, MerchantConfig } from '../config.ts';
import { NO_SHARED_PHONE, type InPerson } from '../in-person.ts';
import { billPage, posPage, posPaymentPage, qrCodePage } from '../pages/in-person-pages.ts';
import { messagePage } from '../pages/return-page.ts';
import { ShopError, type Shop } from '../shop.ts';
import { customerMessage, VippsApiError } from '../vipps/errors.ts';
import { cookie, parseKroner } from './pages.ts';

const Amount = z.number().int().positive();
const PushBody = z.union([
  z.object({ amount: Amount, description: z.string().max(80).default(''), phoneNumber: z.string().min(1) }),
  z.object({ amount: Amount, description: z.string().max(80).default(''), returningFrom: z.string().min(1) }),
]);
const QrPaymentBody = z.object({ amount: Amount, description: z.string().max(80).default('') });

export interface InPersonDeps {
  config: MerchantConfig;
  faults: Faults;
  shop: Shop;
  inPerson: InPerson;
}

export default async function inPersonRoutes(app: FastifyInstance, { config, faults, shop, inPerson }: InPersonDeps) {
  const shopName = config.shopName;
  const sendHtml = (reply: FastifyReply, page: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page);
  const jsonError = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof ShopError)) throw err;
    // The returning customer without a shared number: the words are the answer (no payment was sent).
    if (err.message === NO_SHARED_PHONE) return reply.code(409).send({ error: NO_SHARED_PHONE });
    const cause = err.cause instanceof VippsApiError ? err.cause : undefined;
    return reply.code(err.status).send({ error: { message: err.message, status: cause?.status, code: cause?.code, traceId: cause?.traceId } });
  };
  const words = (err: unknown) => (err instanceof ShopError ? err.customerText : customerMessage(err));
  const statusOf = (err: unknown) => (err instanceof ShopError && err.status < 500 ? 400 : 502);

  app.post<{ Params: { qrId: string } }>('/api/qr/:qrId', async (request, reply) => {
    try {
      const { qr, sessionId, action } = await inPerson.merchantRedirectQr(request.params.qrId);
      // qr-session-url fault: only the browser that created the QR holds the session.
      if (sessionId) reply.header('set-cookie', `sid=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
      return { qrId: qr.id, url: qr.url, redirectUrl: qr.redirectUrl, action };
    } catch (err) {
      return jsonError(reply, err);
    }
  });

  app.post<{ Body: { qrId?: string } }>('/admin/qr', async (request, reply) => {
    const qrId = String(request.body?.qrId ?? '').trim();
    try {
      const { qr, sessionId } = await inPerson.merchantRedirectQr(qrId);
      if (sessionId) reply.header('set-cookie', `sid=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
      return sendHtml(reply, qrCodePage({ shopName, qrId: qr.id, url: qr.url, redirectUrl: qr.redirectUrl }));
    } catch (err) {
      const text = err instanceof ShopError ? err.message : customerMessage(err);
      return sendHtml(reply, qrCodePage({ shopName, qrId, error: text }), statusOf(err));
    }
  });

  // A QR is scanned by anyone, in any browser: the bill page needs nothing but its path.
  const sessionExpired = (request: FastifyRequest<{ Querystring: { session?: string } }>) => {
    if (!faults.has('qr-session-url')) return false;
    const session = request.query.session;
    return !session || !inPerson.qrSessions.has(session) || cookie(request, 'sid') !== session;
  };
  const expiredPage = () => messagePage({ shopName, title: 'Session expired', text: 'Your session has expired. Please start again.', testid: 'session-expired-page' });

  app.get<{ Params: { qrId: string }; Querystring: { session?: string } }>('/bill/:qrId', async (request, reply) => {
    if (sessionExpired(request)) return sendHtml(reply, expiredPage(), 410);
    // The form posts back to the very URL the QR opened (its query included).
    return sendHtml(reply, billPage({ shopName, qrId: request.params.qrId, action: request.url }));
  });

  app.post<{ Params: { qrId: string }; Querystring: { session?: string }; Body: { amount?: string; description?: string; phoneNumber?: string } }>(
    '/bill/:qrId',
    async (request, reply) => {
      if (sessionExpired(request)) return sendHtml(reply, expiredPage(), 410);
      const body = request.body ?? {};
      const form = { shopName, qrId: request.params.qrId, action: request.url, amount: body.amount, description: body.description, phoneNumber: body.phoneNumber };
      const amount = parseKroner(body.amount);
      if (amount === undefined || Number.isNaN(amount) || amount <= 0)
        return sendHtml(reply, billPage({ ...form, error: 'Please enter an amount in kroner, for example 149.00.' }), 400);
      try {
        const order = await inPerson.pushPayment({ amount, description: String(body.description ?? ''), phoneNumber: String(body.phoneNumber ?? '') });
        return reply.redirect(`/orders/${encodeURIComponent(order.reference)}`, 303);
      } catch (err) {
        return sendHtml(reply, billPage({ ...form, error: words(err) }), statusOf(err));
      }
    },
  );

  app.post('/api/push-payments', async (request, reply) => {
    const parsed = PushBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: { message: z.prettifyError(parsed.error) } });
    const input = parsed.data;
    try {
      const order =
        'returningFrom' in input
          ? await inPerson.returningPush({ amount: input.amount, description: input.description, previousReference: input.returningFrom })
          : await inPerson.pushPayment(input);
      return reply.code(201).send({ reference: order.reference, orderUrl: shop.orderUrl(order.reference), status: order.status });
    } catch (err) {
      return jsonError(reply, err);
    }
  });

  app.get('/pos', async (_request, reply) => sendHtml(reply, posPage({ shopName })));

  app.post<{ Body: { amount?: string; description?: string } }>('/pos', async (request, reply) => {
    const body = request.body ?? {};
    const amount = parseKroner(body.amount);
    if (amount === undefined || Number.isNaN(amount) || amount <= 0)
      return sendHtml(reply, posPage({ shopName, ...body, error: 'Please enter an amount in kroner, for example 149.00.' }), 400);
    try {
      const order = await inPerson.qrPayment({ amount, description: String(body.description ?? '') });
      return reply.redirect(`/pos/${encodeURIComponent(order.reference)}`, 303);
    } catch (err) {
      return sendHtml(reply, posPage({ shopName, ...body, error: words(err) }), statusOf(err));
    }
  });

  // The status as the server's poller and webhooks keep it: a reload costs no call to Vipps.
  app.get<{ Params: { reference: string } }>('/pos/:reference', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    if (!order || order.userFlow !== 'QR')
      return sendHtml(reply, messagePage({ shopName, title: 'Order not found', text: 'We could not find that payment.', testid: 'not-found-page' }), 404);
    return sendHtml(reply, posPaymentPage({ shopName, order, refreshSeconds: config.returnPageRefreshSeconds }));
  });

  app.post('/api/qr-payments', async (request, reply) => {
    const parsed = QrPaymentBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: { message: z.prettifyError(parsed.error) } });
    try {
      const order = await inPerson.qrPayment(parsed.data);
      return reply.code(201).send({ reference: order.reference, redirectUrl: order.redirectUrl, orderUrl: shop.orderUrl(order.reference), status: order.status });
    } catch (err) {
      return jsonError(reply, err);
    }
  });
}
