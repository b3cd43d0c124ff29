import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ActionResult, BackOffice } from './back-office.ts';
import { orderView, type Order } from './orders.ts';
import { adminOrderPage, checkoutErrorPage, loginWallPage, notFoundPage, returnPage, shopPage } from './pages.ts';
import type { CheckoutResult, Shop } from './shop.ts';

const MAX_BODY_BYTES = 64 * 1024;
const SESSION_COOKIE = 'ecomshop_session';
/** Fault slow-callback: longer than the 3 s Vipps waits. */
const SLOW_CALLBACK_MS = 4000;

class BadRequest extends Error {}

/**
 * The shop's HTTP face: the product page and form checkout, a JSON checkout, the fallBack
 * return page, the Vipps callback, and the back office's JSON actions.
 */
export function createShopServer(shop: Shop, backOffice: BackOffice): Server {
  return createServer((req, res) => {
    route(shop, backOffice, req, res).catch((err: Error) => {
      if (res.headersSent) return res.end();
      if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
      shop.log(`ecom-shop: internal error: ${err.stack ?? err.message}`);
      sendJson(res, 500, { error: 'internal error in the shop' });
    });
  });
}

async function route(shop: Shop, backOffice: BackOffice, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://shop.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (method === 'GET' && path === '/') return sendHtml(res, 200, shopPage());

  const callback = /^\/vipps\/callback\/v2\/payments\/([A-Za-z0-9-]{1,50})$/.exec(path);
  if (callback && method === 'POST') {
    const body = parseJson(await readBody(req));
    const answer = shop.callback(callback[1], header(req, 'authorization'), body);
    if (shop.config.faults.has('slow-callback')) await new Promise((r) => setTimeout(r, SLOW_CALLBACK_MS));
    sendJson(res, answer.status, answer.status === 200 ? { ok: true } : { error: answer.status === 401 ? 'wrong authorization' : 'no such order' });
    answer.then?.();
    return;
  }

  if (method === 'POST' && path === '/checkout') {
    const form = new URLSearchParams(await readBody(req));
    const { amount, description, mobileNumber } = checkoutInput({ amount: Number(form.get('amount')), description: form.get('description'), mobileNumber: form.get('mobileNumber') });
    const result = await shop.checkout(amount, description, mobileNumber);
    setSession(res, result.order);
    if (!result.ok) return sendHtml(res, 200, checkoutErrorPage(result.message));
    return redirect(res, result.order.redirectUrl ?? returnUrl(result.order));
  }
  if (method === 'POST' && path === '/api/orders') {
    const { amount, description, mobileNumber } = checkoutInput(parseJson(await readBody(req)) ?? {});
    const result: CheckoutResult = await shop.checkout(amount, description, mobileNumber);
    setSession(res, result.order);
    if (!result.ok) return sendJson(res, 502, { error: result.message, orderId: result.order.orderId, status: result.order.status });
    return sendJson(res, 201, { ...orderView(result.order), redirectUrl: result.order.redirectUrl ?? returnUrl(result.order) });
  }

  if (method === 'GET' && path === '/return') {
    const order = shop.orders.get(url.searchParams.get('order') ?? '');
    if (!order) return sendHtml(res, 404, notFoundPage('We could not find that order.'));
    if (shop.config.faults.has('session-return-page') && cookie(req, SESSION_COOKIE) !== order.sessionId) return sendHtml(res, 200, loginWallPage());
    return sendHtml(res, 200, returnPage(await shop.settle(order)));
  }

  const adminPage = /^\/admin\/orders\/([A-Za-z0-9-]{1,50})$/.exec(path);
  if (adminPage && method === 'GET') {
    const order = shop.orders.get(adminPage[1]);
    return order ? sendHtml(res, 200, adminOrderPage(order)) : sendHtml(res, 404, notFoundPage(`No order ${adminPage[1]}.`));
  }

  const admin = /^\/api\/orders\/([A-Za-z0-9-]{1,50})(?:\/(capture|refund|cancel|complete))?$/.exec(path);
  if (!admin) return sendJson(res, 404, { error: `no such endpoint: ${method} ${path}` });
  const order = shop.orders.get(admin[1]);
  if (!order) return sendJson(res, 404, { error: `no order ${admin[1]}` });
  const action = admin[2];
  if (!action && method === 'GET') return sendJson(res, 200, orderView(order));
  if (!action || method !== 'POST') return sendJson(res, 405, { error: `${method} is not allowed here` });

  const body = parseJson(await readBody(req)) ?? {};
  const amount = optionalAmount(body.amount);
  const results: Record<string, () => Promise<ActionResult>> = {
    capture: () => backOffice.capture(order, amount),
    refund: () => backOffice.refund(order, amount),
    cancel: () => backOffice.cancel(order),
    complete: () => backOffice.complete(order, optionalAmount(body.shipped)),
  };
  const result = await results[action]();
  return result.ok ? sendJson(res, 200, orderView(result.order)) : sendJson(res, result.status, { error: result.message, ...orderView(result.order) });
}

const returnUrl = (order: Order) => `/return?order=${encodeURIComponent(order.orderId)}`;

function checkoutInput(raw: Record<string, unknown>): { amount: number; description: string; mobileNumber?: string } {
  const amount = raw.amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 100) throw new BadRequest('amount must be a whole number of øre, at least 100');
  const description = typeof raw.description === 'string' && raw.description.trim() ? raw.description.trim() : 'Order from eCom Shop';
  const phone = typeof raw.mobileNumber === 'string' && /^\d{8}$/.test(raw.mobileNumber) ? raw.mobileNumber : undefined;
  return { amount, description, mobileNumber: phone };
}

/** Absent, null or "" = the whole amount; anything else must be a positive whole number. */
function optionalAmount(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new BadRequest('amount must be a positive whole number of øre');
  return n;
}

function setSession(res: ServerResponse, order: Order): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${order.sessionId}; Path=/; HttpOnly; SameSite=Lax`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function parseJson(text: string): any {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('the body is not JSON');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location }).end();
}
