import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.ts';
import type { QrScan } from '../../contract/in-person.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { landingPageUrl } from '../shared/landing-tokens.ts';
import type { MerchantRedirectQr, MerchantRedirectStore } from './store.ts';

/**
 * `POST /_sandbox/v1/qr/scan {url} | {msn, id}` → QrScan: what a phone camera reading a QR sees
 * (src/contract/in-person.ts). `url` is what the code encodes or the image URL the API answered:
 * a merchant-redirect code (`/qr-redirect/v1/<token>`, `/qr-image/v1/merchant-redirect/<token>`)
 * or a payment's (`/qr-image/v1?token=`, a TEXT/TARGETURL landing URL). 404 `{error, code}`:
 * unknown-qr, expired-qr (ttl passed, or the payment expired), deleted-qr. Recorded (scanQr).
 */
const ScanBody = z.union([z.object({ url: z.string().min(1).max(4096) }).strict(), z.object({ msn: z.string().min(1), id: z.string().min(1).max(128) }).strict()]);

export default async function scanRoutes(app: FastifyInstance, { ctx, store }: { ctx: SandboxContext; store: MerchantRedirectStore }) {
  const fail = (reply: FastifyReply, status: number, error: string, code?: string) =>
    reply.code(status).type('application/json; charset=utf-8').send(code ? { error, code } : { error });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) process.emitWarning(`qr scan error: ${error.stack ?? error.message}`);
    return fail(reply, status, status === 500 ? 'internal error' : error.message);
  });

  const merchantRedirect = (qr: MerchantRedirectQr | undefined, reply: FastifyReply, what: string) => {
    const status = qr ? store.status(qr) : undefined;
    if (!qr) return fail(reply, 404, `no QR code is ${what}`, 'unknown-qr');
    if (status === 'deleted') return fail(reply, 404, `the merchant redirect QR ${qr.id} was deleted`, 'deleted-qr');
    if (status === 'expired') return fail(reply, 404, `the merchant redirect QR ${qr.id} has expired`, 'expired-qr');
    const scan: QrScan = { kind: 'merchant-redirect', msn: qr.msn, id: qr.id, redirectUrl: qr.redirectUrl };
    return reply.type('application/json; charset=utf-8').send(scan);
  };

  app.post(`${CONTROL_PREFIX}/qr/scan`, { config: { api: 'sandbox-control', operation: 'scanQr' } }, async (request, reply) => {
    const parsed = ScanBody.safeParse(typeof request.body === 'object' && request.body !== null ? request.body : {});
    if (!parsed.success) return fail(reply, 400, 'give {url} or {msn, id}');
    const body = parsed.data;
    if ('id' in body) {
      request.exchangeNotes = { msn: body.msn, qrId: body.id };
      return merchantRedirect(store.latestOf(body.msn, body.id), reply, `${body.id} of MSN ${body.msn}`);
    }
    let url: URL;
    try {
      url = new URL(body.url);
    } catch {
      return fail(reply, 404, 'the QR does not hold a URL this sandbox serves', 'unknown-qr');
    }
    const path = url.pathname.toLowerCase();
    const own = url.origin === new URL(ctx.publicUrl()).origin;
    const redirectToken = own ? /^\/qr-(?:redirect\/v1|image\/v1\/merchant-redirect)\/([^/]+)$/.exec(url.pathname)?.[1] : undefined;
    if (redirectToken) return merchantRedirect(store.byTokenOf(redirectToken), reply, 'printed with this URL');
    const token = own && (path === '/qr-image/v1' || path === '/landing') ? url.searchParams.get('token') : null;
    const payment = token ? ctx.payments.byLandingToken(token) : undefined;
    if (!payment) return fail(reply, 404, 'the QR does not hold a URL this sandbox serves', 'unknown-qr');
    request.exchangeReference = payment.reference;
    request.merchant = ctx.merchants.byMerchantSerialNumber(payment.msn);
    if (payment.state === 'expired') return fail(reply, 404, `the payment ${payment.reference} has expired`, 'expired-qr');
    const scan: QrScan = { kind: 'payment', msn: payment.msn, reference: payment.reference, landingUrl: landingPageUrl(ctx.publicUrl(), payment.landingToken) };
    return reply.type('application/json; charset=utf-8').send(scan);
  });
}
