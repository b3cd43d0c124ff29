/**
 * The PSP API mode's HTTP face (node:http): the merchant-facing JSON API (the same as the
 * card-passthrough mode's), the card-data public key, makePayment, the return, 3-D Secure and
 * admin pages, and /health.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerVipps, parseJson, PspError, readBody, sendHtml, sendJson } from '../shared/http.ts';
import { notFoundPage } from '../shared/html.ts';
import { handleMakePayment } from './make-payment.ts';
import { adminPage, returnPage, threeDSecurePage } from './pages.ts';
import { paymentView } from './payments.ts';
import { MAKE_PAYMENT_PATH, type PspApiPsp } from './psp.ts';

export const PUBLIC_KEY_PATH = '/.well-known/vipps-card-data-key.pem';

export function createPspApiServer(state: { psp?: PspApiPsp }): Server {
  return createServer((req, res) => {
    const psp = state.psp;
    if (!psp) return sendJson(res, 503, { error: 'starting' });
    route(psp, req, res).catch((err: Error) => {
      if (res.headersSent) return res.end();
      if (err instanceof PspError) return sendJson(res, err.httpStatus, { error: err.message });
      psp.log(`refpsp-api: internal error: ${err.stack ?? err.message}`);
      sendJson(res, 500, { error: 'internal error in the PSP' });
    });
  });
}

async function route(psp: PspApiPsp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://psp.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const view = (p: Parameters<typeof paymentView>[0]) => paymentView(p, psp.config.version, psp.config.faults.has('redirect-reliance'));

  if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', api: `psp-${psp.config.version}` });
  if (method === 'GET' && path === PUBLIC_KEY_PATH) {
    res.writeHead(200, { 'content-type': 'application/x-pem-file', 'cache-control': 'no-store' });
    return void res.end(psp.key.publicKeyPem);
  }
  if (method === 'POST' && path === MAKE_PAYMENT_PATH) return makePayment(psp, req, res);

  if (method === 'POST' && path === '/api/payments') {
    const p = await psp.createPayment(parseJson(await readBody(req)) ?? {});
    return sendJson(res, 201, { reference: p.reference, redirectUrl: p.redirectUrl, status: psp.status(p) });
  }
  const api = /^\/api\/payments\/([a-z0-9-]{1,64})(?:\/(capture|refund|cancel))?$/.exec(path);
  if (api) {
    const [, reference, action] = api;
    if (!action && method === 'GET') return sendJson(res, 200, view(psp.must(reference)));
    if (action && method === 'POST') {
      const body = (parseJson(await readBody(req)) ?? {}) as { amount?: unknown };
      const p = action === 'capture' ? await psp.capture(reference, body.amount) : action === 'refund' ? await psp.refund(reference, body.amount) : await psp.cancel(reference);
      return sendJson(res, 200, view(p));
    }
  }

  if (method === 'GET' && path === '/return') {
    const p = psp.store.get(url.searchParams.get('payment') ?? '');
    if (!p) return sendHtml(res, 404, notFoundPage('No such payment.'));
    p.redirectReached = true;
    return sendHtml(res, 200, returnPage(p, psp.status(p)));
  }
  const admin = /^\/admin\/payments\/([a-z0-9-]{1,64})$/.exec(path);
  if (admin && method === 'GET') {
    const p = psp.store.get(admin[1]);
    if (!p) return sendHtml(res, 404, notFoundPage('No such payment.'));
    if (url.searchParams.get('refresh') === 'details') await psp.readDetails(p, 'admin page');
    return sendHtml(res, 200, adminPage(p, psp.status(p), psp.config.version));
  }
  const threeDS = /^\/3ds\/([a-z0-9-]{1,64})$/.exec(path);
  if (threeDS) {
    const p = psp.store.get(threeDS[1]);
    if (!p?.threeDS) return sendHtml(res, 404, notFoundPage('No such 3-D Secure session.'));
    if (method === 'GET') return sendHtml(res, 200, threeDSecurePage(p));
    if (method === 'POST') {
      await readBody(req);
      p.threeDS.completed = true;
      psp.log(`refpsp-api: 3-D Secure completed for ${p.reference}`);
      res.writeHead(303, { location: p.threeDS.successUrl, 'cache-control': 'no-store' });
      return void res.end();
    }
  }
  sendJson(res, 404, { error: `no route ${method} ${path}` });
}

async function makePayment(psp: PspApiPsp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const answer = handleMakePayment(psp, req.headers, await readBody(req));
  answerVipps(req, res, answer, started);
}
