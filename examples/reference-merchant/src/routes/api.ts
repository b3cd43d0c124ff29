/**
 * The back office over HTTP (JSON). Amounts are in minor units (øre), like the Vipps API.
 *
 *   POST /api/checkout                  {amount, description?} → {reference, redirectUrl, orderUrl, …}
 *   GET  /api/orders                    → {orders: [...]}
 *   GET  /api/orders/:reference         → the order: our status + Vipps state and aggregate
 *   GET  /api/orders/:reference/events  → the payment's event log from Vipps
 *   POST /api/orders/:reference/capture {amount?}  (everything left when absent)
 *   POST /api/orders/:reference/refund  {amount?}  (everything captured and not refunded when absent)
 *   POST /api/orders/:reference/cancel
 *   POST /api/orders/:reference/retry   → a new payment attempt (new reference) for the same order
 *
 * Errors: {error: {message, code?, status?, traceId?}} with 400 (bad input), 404 (no such
 * order), 422 (Vipps refused: payment state/amount), 501 (not supported), 502 (Vipps failed).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Faults } from '../config.ts';
import type { Order } from '../orders.ts';
import { ShopError, type Shop } from '../shop.ts';
import { VippsApiError } from '../vipps/errors.ts';

const CheckoutBody = z.object({
  amount: z.number().int().positive(),
  description: z.string().max(80).optional(),
});
const AmountBody = z.object({ amount: z.number().int().positive().optional() }).default({});

/** Whether the shop keeps a phone number for this order's customer (never the number itself). */
export type SharedPhone = (order: Order) => boolean;

export function orderJson(order: Order, shop: Shop, sharedPhone?: SharedPhone) {
  return {
    reference: order.reference,
    orderNumber: order.orderNumber,
    attempt: order.attempt,
    description: order.description,
    amount: order.amount.value,
    currency: order.amount.currency,
    status: order.status,
    vipps: order.payment
      ? { state: order.payment.state, aggregate: order.payment.aggregate, pspReference: order.payment.pspReference, confirmed: !order.unconfirmed }
      : null,
    redirectUrl: order.redirectUrl ?? null,
    returnUrl: shop.returnUrl(order.reference),
    orderUrl: shop.orderUrl(order.reference),
    retriedAs: order.retriedAs ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    history: order.history,
    problems: order.problems,
    userFlow: order.userFlow,
    sharedPhoneNumber: sharedPhone?.(order) ?? false,
  };
}

function sendError(reply: FastifyReply, err: unknown) {
  if (err instanceof ShopError) {
    const cause = err.cause instanceof VippsApiError ? err.cause : undefined;
    return reply.code(err.status).send({ error: { message: err.message, status: cause?.status, code: cause?.code, traceId: cause?.traceId } });
  }
  throw err;
}

export default async function apiRoutes(app: FastifyInstance, { shop, faults, sharedPhone }: { shop: Shop; faults: Faults; sharedPhone?: SharedPhone }) {
  const bad = (reply: FastifyReply, error: z.ZodError) => reply.code(400).send({ error: { message: z.prettifyError(error) } });
  const noOrder = (reply: FastifyReply) => reply.code(404).send({ error: { message: 'No such order.' } });

  app.post('/api/checkout', async (request, reply) => {
    const parsed = CheckoutBody.safeParse(request.body ?? {});
    if (!parsed.success) return bad(reply, parsed.error);
    try {
      const order = await shop.checkout({ amount: parsed.data.amount, description: parsed.data.description ?? '' });
      return reply.code(201).send({
        reference: order.reference,
        orderNumber: order.orderNumber,
        redirectUrl: order.redirectUrl,
        returnUrl: shop.returnUrl(order.reference),
        orderUrl: shop.orderUrl(order.reference),
        status: order.status,
      });
    } catch (err) {
      if (faults.has('swallow-errors')) {
        const order = shop.orders.list()[0];
        return reply.code(201).send({ reference: order?.reference, orderNumber: order?.orderNumber, orderUrl: order ? shop.orderUrl(order.reference) : undefined, status: 'paid' });
      }
      return sendError(reply, err);
    }
  });

  app.get('/api/orders', async () => ({ orders: shop.orders.list().map((o) => orderJson(o, shop, sharedPhone)) }));

  app.get<{ Params: { reference: string } }>('/api/orders/:reference', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    return order ? orderJson(order, shop, sharedPhone) : noOrder(reply);
  });

  app.get<{ Params: { reference: string } }>('/api/orders/:reference/events', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    if (!order) return noOrder(reply);
    try {
      return { reference: order.reference, events: await shop.events(order) };
    } catch (err) {
      if (faults.has('swallow-errors')) return { reference: order.reference, events: [] };
      return sendError(reply, err);
    }
  });

  for (const action of ['capture', 'refund', 'cancel'] as const) {
    app.post<{ Params: { reference: string } }>(`/api/orders/:reference/${action}`, async (request, reply) => {
      const order = shop.orders.get(request.params.reference);
      if (!order) return noOrder(reply);
      const parsed = AmountBody.safeParse(request.body ?? {});
      if (!parsed.success) return bad(reply, parsed.error);
      try {
        if (action === 'capture') await shop.capture(order, parsed.data.amount);
        else if (action === 'refund') await shop.refund(order, parsed.data.amount);
        else await shop.cancel(order);
        return orderJson(order, shop, sharedPhone);
      } catch (err) {
        return sendError(reply, err);
      } finally {
        order.notice = undefined; // the API caller has the answer; the order page need not show it
      }
    });
  }

  app.post<{ Params: { reference: string } }>('/api/orders/:reference/retry', async (request, reply) => {
    const order = shop.orders.get(request.params.reference);
    if (!order) return noOrder(reply);
    try {
      const next = await shop.retry(order);
      return reply.code(201).send(orderJson(next, shop, sharedPhone));
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
