/**
 * The PSP's HTTP face (node:http): the merchant-facing JSON API, the customer's return page, the
 * 3-D Secure page, the admin page, and what Vipps calls: the card callback and webhooks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleCardCallback } from './card-callback.ts';
import { verifyHmac } from './hmac.ts';
import { isSettledAtVipps, paymentView } from './payments.ts';
import { adminPage, returnPage, threeDSecurePage } from './pages.ts';
import { notFoundPage } from './shared/html.ts';
import type { Poller } from './poller.ts';
import type { Psp } from './psp.ts';
import { answerVipps, parseJson, PspError, readBody, sendHtml, sendJson } from './shared/http.ts';
import type { VippsEvent } from './vipps/epayment.ts';

export const CARD_CALLBACK_PATH = '/card-callback';
export const WEBHOOK_PATH = '/webhooks/vipps';

export interface ServerState {
  psp?: Psp;
  poller?: Poller;
  /** The secret Vipps returned when the webhook was registered. */
  webhookSecret?: string;
}

export function createPspServer(state: ServerState): Server {
  return createServer((req, res) => {
    const psp = state.psp;
    if (!psp) return sendJson(res, 503, { error: 'starting' });
    route(psp, state, req, res).catch((err: Error) => {
      if (res.headersSent) return res.end();
      if (err instanceof PspError) return sendJson(res, err.httpStatus, { error: err.message });
      psp.log(`refpsp: internal error: ${err.stack ?? err.message}`);
      sendJson(res, 500, { error: 'internal error in the PSP' });
    });
  });
}

async function route(psp: Psp, state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://psp.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (method === 'POST' && path === CARD_CALLBACK_PATH) return cardCallback(psp, req, res);
  if (method === 'POST' && path === WEBHOOK_PATH) return webhook(psp, state, req, res);

  if (method === 'POST' && path === '/api/payments') {
    const body = parseJson(await readBody(req));
    const p = await psp.createPayment(body ?? {});
    state.poller?.watch(p.reference);
    return sendJson(res, 201, { reference: p.reference, redirectUrl: p.redirectUrl, status: paymentView(p).status });
  }
  const api = /^\/api\/payments\/([A-Za-z0-9-]{1,64})(?:\/(capture|refund|cancel))?$/.exec(path);
  if (api) {
    const [, reference, action] = api;
    if (!action && method === 'GET') return sendJson(res, 200, paymentView(psp.must(reference)));
    if (action && method === 'POST') {
      const body = (parseJson(await readBody(req)) ?? {}) as { amount?: unknown };
      const p = action === 'capture' ? await psp.capture(reference, body.amount) : action === 'refund' ? await psp.refund(reference, body.amount) : await psp.cancel(reference);
      return sendJson(res, 200, paymentView(p));
    }
  }

  if (method === 'GET' && path === '/return') {
    const p = psp.store.get(url.searchParams.get('payment') ?? '');
    if (!p) return sendHtml(res, 404, notFoundPage('No such payment.'));
    if (!isSettledAtVipps(p) && state.poller?.enabled) await psp.sync(p.reference);
    return sendHtml(res, 200, returnPage(p));
  }
  const admin = /^\/admin\/payments\/([A-Za-z0-9-]{1,64})$/.exec(path);
  if (admin && method === 'GET') {
    const p = psp.store.get(admin[1]);
    if (!p) return sendHtml(res, 404, notFoundPage('No such payment.'));
    if (!isSettledAtVipps(p) && state.poller?.enabled) await psp.sync(p.reference);
    let events: VippsEvent[] | string;
    try {
      events = await psp.events(p.reference);
    } catch (err) {
      events = `could not read the event log: ${(err as Error).message}`;
    }
    return sendHtml(res, 200, adminPage(p, events));
  }
  const threeDS = /^\/3ds\/([^/]{1,100})$/.exec(path);
  if (threeDS) {
    const attemptId = decodeURIComponent(threeDS[1]);
    const p = psp.store.byAttempt(attemptId);
    const challenge = p?.threeDS[attemptId];
    if (!p || !challenge) return sendHtml(res, 404, notFoundPage('No such 3-D Secure session.'));
    if (method === 'GET') return sendHtml(res, 200, threeDSecurePage(attemptId, p));
    if (method === 'POST') {
      await readBody(req);
      challenge.completed = true;
      psp.log(`refpsp: 3-D Secure completed for attempt ${attemptId} (${p.reference})`);
      res.writeHead(303, { location: challenge.completedRedirectUrl, 'cache-control': 'no-store' });
      return void res.end();
    }
  }
  sendJson(res, 404, { error: `no route ${method} ${path}` });
}

async function cardCallback(psp: Psp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const rawBody = await readBody(req);
  const answer = handleCardCallback(psp, { method: 'POST', pathAndQuery: req.url ?? CARD_CALLBACK_PATH, host: req.headers.host, headers: req.headers, rawBody });
  answerVipps(req, res, answer, started);
}

async function webhook(psp: Psp, state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawBody = await readBody(req);
  const ok = state.webhookSecret !== undefined && verifyHmac(state.webhookSecret, { method: 'POST', pathAndQuery: req.url ?? WEBHOOK_PATH, host: req.headers.host, headers: req.headers, rawBody });
  if (!ok) return sendJson(res, 401, { error: 'bad signature' });
  const event = parseJson(rawBody) as { reference?: string; name?: string; success?: boolean } | undefined;
  sendJson(res, 200, { received: true });
  const p = event?.reference ? psp.store.get(event.reference) : undefined;
  if (!p) return;
  p.notifications.push({ name: String(event?.name ?? '?'), at: new Date().toISOString(), success: event?.success !== false });
  // The body is a signal only: re-read the payment.
  setImmediate(() => void psp.sync(p.reference));
}
