import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { SandboxContext } from '../context.ts';
import { headerValue } from '../http.ts';
import { InjectedFaultError } from '../faults.ts';
import { ApiError, buildProblem, defaultTitle, instanceOfPath, sendGatewayError, type ProblemInput } from '../problem.ts';
import { landingPageUrl } from '../shared/landing-tokens.ts';
import { messagePage } from '../landing/render.ts';
import { MerchantRedirectStore, type MerchantRedirectQr } from './store.ts';
import { acceptedFormat, landingTokenOf, sizeOf, validateCreate, validateUpdate, type InvalidParam, type QrFormat } from './validation.ts';
import scanRoutes from './scan.ts';

/**
 * QR API v1 (qr-v1.yaml): merchant-redirect codes (create, list, get, update, delete) and the
 * one-time payment QR for a sandbox landing page. Every `url` it answers is served here: a real
 * QR image (package `qrcode`) of `{publicUrl}/qr-redirect/v1/<token>`, which sends the camera's
 * browser on to the redirectUrl. Errors are the spec's QrErrorResponse (RFC 7807 with
 * `invalidParams`), refusals of the auth layer and injected faults too.
 */
const BASE = '/qr/v1';
const JSON_TYPE = 'application/json; charset=utf-8';

interface QrError {
  status: number;
  title?: string;
  detail: string;
  invalidParams?: InvalidParam[];
}

export function sendQrError(request: FastifyRequest, reply: FastifyReply, e: QrError): FastifyReply {
  const body: Record<string, unknown> = { ...buildProblem({ status: e.status, title: e.title ?? defaultTitle(e.status), detail: e.detail }, instanceOfPath(request.url)) };
  if (e.invalidParams?.length) body.invalidParams = e.invalidParams;
  return reply.code(e.status).type(JSON_TYPE).send(body);
}

const invalid = (request: FastifyRequest, reply: FastifyReply, invalidParams: InvalidParam[]) =>
  sendQrError(request, reply, { status: 400, title: 'One or more validation errors occurred.', detail: 'BadRequest', invalidParams });

const authErrors = {
  gateway: sendGatewayError,
  refuse: (request: FastifyRequest, reply: FastifyReply, p: ProblemInput) => sendQrError(request, reply, { status: p.status, title: p.title, detail: p.detail ?? p.title, invalidParams: p.extraDetails }),
};

/** The content a merchant-redirect code encodes (what a camera reads). */
export const redirectContentUrl = (publicUrl: string, token: string) => `${publicUrl}/qr-redirect/v1/${token}`;

export default async function qrPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  const store = new MerchantRedirectStore(ctx.clock);
  const config = (operation: string) => ({ config: { api: 'qr' as const, operation, auth: 'vipps' as const, msnRequired: false, authErrors } });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof InjectedFaultError) {
      const detail = error.detail ?? 'Injected by a golive sandbox fault.';
      return sendQrError(request, reply, { status: error.status, title: error.title, detail: error.code === undefined ? detail : `${detail} (code ${error.code})` });
    }
    if (error instanceof ApiError) return sendQrError(request, reply, { status: error.problem.status, title: error.problem.title, detail: error.problem.detail ?? error.problem.title, invalidParams: error.problem.extraDetails });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) process.emitWarning(`qr error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return sendQrError(request, reply, { status, detail: status === 500 ? 'An internal error occurred.' : error.message });
  });

  /** Accept and Size, or the answer already sent (415 where the spec documents it, else 400). */
  const imageOptions = (request: FastifyRequest, reply: FastifyReply, options: { with415: boolean }): { format: QrFormat; size?: number } | undefined => {
    const accept = acceptedFormat(headerValue(request, 'accept'), { target: true });
    if ('status' in accept) {
      const status = accept.status === 415 && options.with415 ? 415 : 400;
      sendQrError(request, reply, { status, title: status === 415 ? 'Unsupported Media Type' : 'One or more validation errors occurred.', detail: accept.reason, invalidParams: [{ name: 'Accept', reason: accept.reason }] });
      return undefined;
    }
    const size = sizeOf(headerValue(request, 'size'));
    if ('name' in size) {
      invalid(request, reply, [size]);
      return undefined;
    }
    return { format: accept.format, size: size.size };
  };

  const imageUrl = (token: string, o: { format: QrFormat; size?: number }, path: string) => {
    const base = ctx.publicUrl();
    if (o.format === 'target') return redirectContentUrl(base, token);
    return `${base}${path}${token}?format=${o.format}${o.format === 'png' ? `&size=${o.size ?? 1024}` : ''}`;
  };
  const view = (qr: MerchantRedirectQr, o: { format: QrFormat; size?: number }) => ({
    id: qr.id,
    url: imageUrl(qr.token, o, '/qr-image/v1/merchant-redirect/'),
    redirectUrl: qr.redirectUrl,
    expiresIn: store.expiresIn(qr),
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply, id: string) =>
    sendQrError(request, reply, { status: 404, title: 'Not Found', detail: `No merchant redirect QR with id ${id} for this sales unit.` });

  // --- merchant redirect ------------------------------------------------------------------
  app.post(`${BASE}/merchant-redirect`, config('CreateMerchantRedirectQr'), async (request, reply) => {
    const o = imageOptions(request, reply, { with415: true });
    if (!o) return reply;
    const input = validateCreate(request.body);
    if (Array.isArray(input)) return invalid(request, reply, input);
    const msn = request.merchant!.msn;
    const qr = store.create(msn, input.id, input.redirectUrl, input.ttl);
    request.exchangeNotes = { qrId: input.id, ...(qr ? { ttl: input.ttl ?? null } : { duplicate: true }) };
    if (!qr) return reply.code(409).type(JSON_TYPE).send({ id: input.id, ...buildProblem({ status: 409, title: 'Conflict', detail: `A merchant redirect QR with id ${input.id} already exists. Update it with PUT or use another id.` }, instanceOfPath(request.url)) });
    return reply.code(200).type(JSON_TYPE).send(view(qr, o));
  });

  app.get(`${BASE}/merchant-redirect`, config('GetAllMerchantRedirectQrs'), async (request, reply) => {
    const o = imageOptions(request, reply, { with415: false });
    if (!o) return reply;
    return reply.code(200).type(JSON_TYPE).send(store.list(request.merchant!.msn).map((qr) => view(qr, o)));
  });

  app.get<{ Params: { id: string } }>(`${BASE}/merchant-redirect/:id`, config('GetMerchantRedirectQrById'), async (request, reply) => {
    const o = imageOptions(request, reply, { with415: false });
    if (!o) return reply;
    const qr = store.get(request.merchant!.msn, request.params.id);
    return qr ? reply.code(200).type(JSON_TYPE).send(view(qr, o)) : notFound(request, reply, request.params.id);
  });

  app.put<{ Params: { id: string } }>(`${BASE}/merchant-redirect/:id`, config('UpdateMerchantRedirectUrl'), async (request, reply) => {
    const o = imageOptions(request, reply, { with415: true });
    if (!o) return reply;
    const input = validateUpdate(request.body);
    if (Array.isArray(input)) return invalid(request, reply, input);
    const qr = store.update(request.merchant!.msn, request.params.id, input.redirectUrl);
    request.exchangeNotes = { qrId: request.params.id };
    return qr ? reply.code(200).type(JSON_TYPE).send(view(qr, o)) : notFound(request, reply, request.params.id);
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/merchant-redirect/:id`, config('DeleteMerchantRedirectQr'), async (request, reply) => {
    request.exchangeNotes = { qrId: request.params.id };
    return store.delete(request.merchant!.msn, request.params.id) ? reply.code(200).send() : notFound(request, reply, request.params.id);
  });

  // --- one-time payment QR ----------------------------------------------------------------
  app.post(BASE, config('generateOtpQr'), async (request, reply) => {
    const o = imageOptions(request, reply, { with415: true });
    if (!o) return reply;
    const token = landingTokenOf(request.body, ctx.publicUrl());
    if (Array.isArray(token)) return invalid(request, reply, token);
    const payment = ctx.payments.byLandingToken(token);
    if (!payment || payment.msn !== request.merchant!.msn) return invalid(request, reply, [{ name: 'Url', reason: 'Supplied landing page token is not valid' }]);
    request.exchangeReference = payment.reference;
    const expiresIn = Math.floor((payment.expiresAt - ctx.clock.now()) / 1000);
    if (payment.state !== 'awaiting-customer' || expiresIn <= 0)
      return sendQrError(request, reply, { status: 400, title: 'Order timeout', detail: `The payment is ${payment.apiState}; a QR can only be made for a payment the customer can still approve.` });
    const landing = landingPageUrl(ctx.publicUrl(), token);
    const url = o.format === 'target' ? landing : `${ctx.publicUrl()}/qr-image/v1?token=${encodeURIComponent(token)}&format=${o.format}${o.format === 'png' ? `&size=${o.size ?? 1024}` : ''}`;
    return reply.code(200).type(JSON_TYPE).send({ url, expiresIn });
  });

  // --- what the printed code shows and where it leads --------------------------------------
  const HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  app.get<{ Params: { token: string }; Querystring: Record<string, string> }>(
    '/qr-image/v1/merchant-redirect/:token',
    { config: { api: 'landing', operation: 'getMerchantRedirectQrImage' } },
    async (request, reply) => {
      const qr = store.byTokenOf(request.params.token);
      const status = qr ? store.status(qr) : undefined;
      if (!qr || status !== 'active') return reply.code(404).headers(HEADERS).type('text/plain; charset=utf-8').send(status ? `This QR code has ${status === 'deleted' ? 'been deleted' : 'expired'}.` : 'No QR code has this token.');
      request.merchant = ctx.merchants.byMerchantSerialNumber(qr.msn);
      const png = request.query.format === 'png';
      const size = Number(request.query.size ?? 1024);
      const content = redirectContentUrl(ctx.publicUrl(), qr.token);
      if (png) {
        const width = Number.isInteger(size) && size >= 100 && size <= 2000 ? size : 1024;
        return reply.code(200).headers(HEADERS).type('image/png').send(await QRCode.toBuffer(content, { type: 'png', width, margin: 2, errorCorrectionLevel: 'M' }));
      }
      return reply.code(200).headers(HEADERS).type('image/svg+xml').send(await QRCode.toString(content, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }));
    },
  );

  app.get<{ Params: { token: string } }>('/qr-redirect/v1/:token', { config: { api: 'landing', operation: 'followMerchantRedirectQr' } }, async (request, reply) => {
    const qr = store.byTokenOf(request.params.token);
    const status = qr ? store.status(qr) : undefined;
    const page = (code: number, title: string, text: string) => reply.code(code).headers({ ...HEADERS, 'content-type': 'text/html; charset=utf-8' }).send(messagePage(title, text));
    if (!qr) return page(404, 'Unknown QR code', 'This QR code does not lead anywhere in this sandbox.');
    request.merchant = ctx.merchants.byMerchantSerialNumber(qr.msn);
    request.exchangeNotes = { qrId: qr.id, status };
    if (status === 'deleted') return page(410, 'QR code deleted', 'The shop has deleted this QR code.');
    if (status === 'expired') return page(410, 'QR code expired', 'This QR code is no longer valid.');
    return reply.code(302).headers(HEADERS).header('location', qr.redirectUrl).send();
  });

  app.register(scanRoutes, { ctx, store });
}
