/**
 * The server-rendered pages: shop, checkout, return page, order page (with the staff actions)
 * and the back-office list. Form posts follow post/redirect/get so a reload never repeats an
 * action.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Faults, MerchantConfig } from '../config.ts';
import { isNoRedirectFlow } from '../orders.ts';
import { adminPage } from '../pages/admin-page.ts';
import { orderPage } from '../pages/order-page.ts';
import { messagePage, returnPage } from '../pages/return-page.ts';
import { shopPage } from '../pages/shop-page.ts';
import { ShopError, type Shop } from '../shop.ts';
import type { PaymentEvent } from '../vipps/epayment.ts';
import { customerMessage } from '../vipps/errors.ts';

const SESSION_COOKIE = 'acme_session';

export interface PagesDeps {
  config: MerchantConfig;
  faults: Faults;
  shop: Shop;
  webhookRegistered: () => boolean;
}

/** "499", "499.50" or "499,50" kroner ⇒ øre; undefined when empty, NaN when not a number. */
export function parseKroner(text: unknown): number | undefined {
  if (text === undefined || text === null || String(text).trim() === '') return undefined;
  const s = String(text).trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return NaN;
  return Math.round(Number(s) * 100);
}

export function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export default async function pageRoutes(app: FastifyInstance, { config, faults, shop, webhookRegistered }: PagesDeps) {
  const shopName = config.shopName;
  const sendHtml = (reply: FastifyReply, page: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page);
  const notFound = (reply: FastifyReply) =>
    sendHtml(reply, messagePage({ shopName, title: 'Order not found', text: 'We could not find that order. Please check the link, or contact us.', testid: 'not-found-page' }), 404);

  app.get<{ Querystring: { amount?: string; description?: string } }>('/', async (request, reply) =>
    sendHtml(reply, shopPage({ shopName, amount: request.query.amount, description: request.query.description })),
  );

  // Checkout: create the order and its payment, then send the browser — top-level, not in a
  // frame — to the redirectUrl exactly as Vipps gave it to us.
  app.post<{ Body: { amount?: string; description?: string } }>('/checkout', async (request, reply) => {
    const body = request.body ?? {};
    const amount = parseKroner(body.amount);
    const description = String(body.description ?? '');
    if (amount === undefined || Number.isNaN(amount) || amount <= 0)
      return sendHtml(reply, shopPage({ shopName, amount: body.amount, description, error: 'Please enter an amount in kroner, for example 149.00.' }), 400);
    let sessionId = cookie(request, SESSION_COOKIE);
    if (!sessionId) {
      sessionId = randomUUID();
      reply.header('set-cookie', `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
    }
    try {
      const order = await shop.checkout({ amount, description, sessionId });
      return reply.redirect(order.redirectUrl!, 303);
    } catch (err) {
      if (faults.has('swallow-errors'))
        return sendHtml(reply, messagePage({ shopName, title: 'Thank you for your order!', text: 'Your order is confirmed.', testid: 'order-confirmed-page' }));
      const text = err instanceof ShopError ? err.customerText : customerMessage(err);
      return sendHtml(reply, shopPage({ shopName, amount: body.amount, description, error: text }), err instanceof ShopError && err.status === 400 ? 400 : 502);
    }
  });

  // The return page: looks the payment up server-side from the reference in the URL, every
  // time. No cookie or session needed — the phone may open it in a different browser.
  app.get<{ Querystring: { reference?: string } }>('/return', async (request, reply) => {
    const reference = request.query.reference;
    const order = reference ? shop.orders.get(reference) : undefined;
    if (!order) return notFound(reply);
    if (faults.has('return-page-needs-session') && cookie(request, SESSION_COOKIE) !== order.sessionId)
      return sendHtml(reply, messagePage({ shopName, title: 'Your session has expired', text: 'Please log in again to see your order.', testid: 'session-expired-page' }), 403);
    const failure = await shop.refresh(order, 'return-page');
    let lookupError = failure ? 'We could not check your payment with Vipps MobilePay just now. This page tries again by itself.' : undefined;
    if (faults.has('swallow-errors')) lookupError = undefined;
    return sendHtml(reply, returnPage({ shopName, order, lookupError, refreshSeconds: config.returnPageRefreshSeconds }));
  });

  app.post<{ Params: { reference: string } }>('/orders/:reference/retry', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    if (!order) return notFound(reply);
    try {
      const next = await shop.retry(order, cookie(request, SESSION_COOKIE));
      // A push payment has no redirectUrl and a QR payment's is an image: they wait on our own pages.
      if (next.userFlow === 'PUSH_MESSAGE') return reply.redirect(`/orders/${encodeURIComponent(next.reference)}`, 303);
      if (next.userFlow === 'QR') return reply.redirect(`/pos/${encodeURIComponent(next.reference)}`, 303);
      return reply.redirect(next.redirectUrl!, 303);
    } catch (err) {
      const text = err instanceof ShopError ? err.customerText : customerMessage(err);
      return sendHtml(reply, messagePage({ shopName, title: 'The payment could not be started', text, testid: 'retry-error-page' }), 502);
    }
  });

  // Order page: fresh state and the event log from Vipps on every view.
  app.get<{ Params: { reference: string } }>('/orders/:reference', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    if (!order) return notFound(reply);
    // Push and QR payments: the customer watches this page while approving on the phone, and it
    // reloads itself; each reload reading the payment would poll faster than the poller's pace.
    // Poller and webhooks keep the order current.
    const noRedirect = isNoRedirectFlow(order);
    const failure = noRedirect ? undefined : await shop.refresh(order, 'order-page');
    let events: PaymentEvent[] | undefined;
    let eventsError: string | undefined;
    try {
      events = await shop.events(order);
    } catch (err) {
      eventsError = err instanceof ShopError ? err.customerText : customerMessage(err);
    }
    let lookupError = failure ? `We could not fetch the latest payment status from Vipps MobilePay: ${customerMessage(failure)}` : undefined;
    if (faults.has('swallow-errors')) lookupError = eventsError = undefined;
    const notice = order.notice;
    order.notice = undefined; // shown once
    const refreshSeconds = noRedirect && order.status === 'pending' ? config.returnPageRefreshSeconds : undefined;
    return sendHtml(reply, orderPage({ shopName, order, events, eventsError, lookupError, notice, eventLogDisabled: faults.has('no-event-log'), refreshSeconds }));
  });

  // Staff actions from the order page's forms.
  for (const action of ['capture', 'refund', 'cancel'] as const) {
    app.post<{ Params: { reference: string }; Body: { amount?: string } }>(`/orders/:reference/${action}`, async (request, reply) => {
      const order = shop.orders.get(request.params.reference);
      if (!order) return notFound(reply);
      const amount = parseKroner(request.body?.amount);
      order.notice = undefined;
      try {
        if (Number.isNaN(amount)) throw new ShopError('Please enter the amount in kroner, for example 49.50.', 400);
        if (action === 'capture') await shop.capture(order, amount);
        else if (action === 'refund') await shop.refund(order, amount);
        else await shop.cancel(order);
      } catch (err) {
        // Vipps errors are already on the order (notice + problems); our own get a notice here.
        order.notice ??= { kind: 'error', text: err instanceof Error ? err.message : String(err) };
      }
      return reply.redirect(`/orders/${encodeURIComponent(order.reference)}`, 303);
    });
  }

  app.get('/admin', async (_request, reply) =>
    sendHtml(reply, adminPage({ shopName, orders: shop.orders.list(), webhookRegistered: webhookRegistered(), faults: [...faults] })),
  );
}
