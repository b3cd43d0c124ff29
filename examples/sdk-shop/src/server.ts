import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { customerMessage, orderStatus, type Order } from './orders.ts';
import type { Outcome, Payments } from './payments.ts';
import type { Poller } from './poller.ts';
import { WEBHOOK_PATH, type WebhookReceiver } from './webhooks.ts';

const MAX_BODY_BYTES = 64 * 1024;

interface Shop {
  payments: Payments;
  poller: Poller;
  webhooks: WebhookReceiver;
}

/**
 * The shop's HTTP face: a JSON checkout API, back-office JSON actions, the customer's return
 * page and the webhook receiver. Every failure is a JSON `{error}` with a non-2xx status.
 */
export function createShopServer(shop: Shop): Server {
  return createServer((req, res) => {
    route(shop, req, res).catch((err: Error) =>
      err instanceof BadRequest ? sendJson(res, 400, { error: err.message }) : sendJson(res, 500, { error: `internal error: ${err.message}` }),
    );
  });
}

async function route(shop: Shop, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://shop.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (method === 'POST' && path === WEBHOOK_PATH) {
    const raw = await readBody(req);
    const answer = shop.webhooks.handle(req.url ?? path, req.headers, raw);
    return sendJson(res, answer.status, answer.body);
  }
  if (method === 'GET' && path === '/return') return await returnPage(shop, url.searchParams.get('ref') ?? '', res);
  if (method === 'POST' && path === '/api/orders') {
    const body = await readJson(req);
    const amount = body.amount;
    const description = typeof body.description === 'string' && body.description.trim() ? body.description.trim() : 'Order';
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) return sendJson(res, 400, { error: 'amount must be a positive whole number of øre' });
    const outcome = await shop.payments.create(amount, description);
    if (outcome.ok) shop.poller.start(outcome.order);
    return answer(res, outcome, 201, (o) => ({ ...shop.payments.orders.view(o), redirectUrl: o.redirectUrl }));
  }

  const match = /^\/api\/orders\/([A-Za-z0-9-]+)(?:\/(capture|refund|cancel|complete))?$/.exec(path);
  if (!match) return sendJson(res, 404, { error: `no such endpoint: ${method} ${path}` });
  const order = shop.payments.orders.find(match[1]);
  if (!order) return sendJson(res, 404, { error: `no order ${match[1]}` });
  const action = match[2];
  if (!action && method === 'GET') return sendJson(res, 200, shop.payments.orders.view(order));
  if (!action || method !== 'POST') return sendJson(res, 405, { error: `${method} is not allowed here` });

  const body = await readJson(req);
  const amount = optionalAmount(body.amount);
  if (amount === null) return sendJson(res, 400, { error: 'amount must be a whole number of øre' });
  const view = (o: Order) => shop.payments.orders.view(o);
  switch (action) {
    case 'capture':
      return answer(res, await shop.payments.capture(order, amount), 200, view);
    case 'refund':
      return answer(res, await shop.payments.refund(order, amount), 200, view);
    case 'cancel':
      return answer(res, await shop.payments.cancel(order), 200, view);
    case 'complete': {
      const shipped = optionalAmount(body.shipped);
      if (shipped === null) return sendJson(res, 400, { error: 'shipped must be a whole number of øre' });
      return answer(res, await shop.payments.complete(order, shipped ?? amount), 200, view);
    }
  }
}

/** How long the return page waits for an open order to settle before it says "waiting". */
const RETURN_SETTLE_MS = 3000;

/**
 * The page the customer's browser returns to: stateless, reads the order by the reference in
 * the URL. The customer often arrives a moment before the webhook (and its confirming GET), so
 * an open order gets a few seconds to settle; no extra API call, the polling pace stays.
 */
async function returnPage(shop: Shop, ref: string, res: ServerResponse): Promise<void> {
  const order = shop.payments.orders.find(ref);
  if (!order) return sendText(res, 404, `We could not find order "${ref}". If you paid, your receipt is in the Vipps MobilePay app.`);
  const deadline = Date.now() + RETURN_SETTLE_MS;
  while (orderStatus(order) === 'awaiting-payment' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const status = orderStatus(order);
  // While the payment is open the page reloads itself; the poller keeps the order current.
  const refresh = status === 'awaiting-payment' ? 2 : undefined;
  sendText(res, 200, `Order ${order.orderId}: ${status}\n\n${customerMessage(status)}\n`, refresh);
}

function answer(res: ServerResponse, outcome: Outcome, okStatus: number, body: (o: Order) => object): void {
  if (outcome.ok) sendJson(res, okStatus, body(outcome.order));
  else sendJson(res, outcome.httpStatus, { error: outcome.error });
}

function optionalAmount(v: unknown): number | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req)).toString('utf8').trim();
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequest('the request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadRequest('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

class BadRequest extends Error {}

function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Plain text for people; `refreshSeconds` makes the browser reload it. */
function sendText(res: ServerResponse, status: number, text: string, refreshSeconds?: number): void {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  if (refreshSeconds) headers.refresh = String(refreshSeconds);
  res.writeHead(status, headers);
  res.end(text);
}
