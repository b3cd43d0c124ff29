import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { PhoneInbox, PushRequest } from '../../contract/in-person.ts';
import type { CustomerPayment } from '../shared/directory.ts';
import { CONTROL_PREFIX } from '../control/plugin.ts';
import { landingPageUrl } from '../shared/landing-tokens.ts';
import { MSISDN } from '../shared/validation.ts';
import { escapeHtml as h, formatAmount, scopeLabels } from './format.ts';
import { layout, merchantBlock, messagePage } from './render.ts';

/**
 * The phone a PUSH_MESSAGE payment was pushed to (src/contract/in-person.ts): its inbox as
 * JSON for actors and tests (`GET /_sandbox/v1/phones/:phoneNumber/requests[?all=true]`, not
 * recorded, like every control read) and as the simulated app's page (`GET /app?phone=`), whose
 * links open the landing page in app mode (`&via=app`: approving never redirects).
 */
export default async function inboxRoutes(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  const merchantName = (msn: string) => ctx.merchants.byMerchantSerialNumber(msn)?.name ?? `Merchant ${msn}`;
  /** `+4791234567` and `4791234567` are the same phone. */
  const phoneOf = (raw: unknown) => (typeof raw === 'string' ? raw.trim().replace(/^\+/, '') : '');

  const inbox = (phoneNumber: string, all: boolean): PushRequest[] =>
    ctx.payments
      .list()
      .filter((p) => p.userFlow === 'PUSH_MESSAGE' && p.customerPhoneNumber === phoneNumber && (all || p.state === 'awaiting-customer'))
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
      .map((p) => pushRequest(p));

  const pushRequest = (p: CustomerPayment): PushRequest => ({
    msn: p.msn,
    reference: p.reference,
    state: p.apiState,
    amount: { value: p.amount.value, currency: String(p.amount.currency) },
    merchantName: merchantName(p.msn),
    scope: p.profileScope ?? null,
    landingUrl: `${landingPageUrl(ctx.publicUrl(), p.landingToken)}&via=app`,
    receivedAt: new Date(p.createdAt ?? 0).toISOString(),
  });

  const badPhone = (reply: FastifyReply) =>
    reply.code(400).type('application/json; charset=utf-8').send({ error: 'the phone number must be an MSISDN: country code + number, 10–15 digits (a leading + is fine)' });

  app.get<{ Params: { phoneNumber: string }; Querystring: Record<string, unknown> }>(`${CONTROL_PREFIX}/phones/:phoneNumber/requests`, async (request, reply) => {
    const phoneNumber = phoneOf(request.params.phoneNumber);
    if (!MSISDN.test(phoneNumber)) return badPhone(reply);
    const all = request.query.all === 'true' || request.query.all === '1';
    const answer: PhoneInbox = { phoneNumber, requests: inbox(phoneNumber, all) };
    return reply.type('application/json; charset=utf-8').send(answer);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/app', { config: { api: 'landing', operation: 'viewAppInbox' } }, async (request, reply) => {
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' };
    const phoneNumber = phoneOf(request.query.phone);
    if (!MSISDN.test(phoneNumber)) return reply.code(400).headers(headers).send(messagePage('Which phone?', 'Open the app with ?phone= and a mobile number with country code, digits only (e.g. 4791234567).'));
    request.exchangeNotes = { phoneNumber };
    return reply.code(200).headers(headers).send(appPage(phoneNumber, inbox(phoneNumber, false)));
  });
}

function appPage(phoneNumber: string, requests: PushRequest[]): string {
  const items = requests.map(
    (r) => `<li class="summary"><a href="${h(r.landingUrl)}" data-testid="push-request" data-reference="${h(r.reference)}" style="color:inherit;text-decoration:none;display:block">
<div class="summary-row">${merchantBlock(r.merchantName, 'Payment request from')}<p class="amount">${h(formatAmount(r.amount))}</p></div>
${r.scope ? `<p class="description">Asks you to share: ${h(scopeLabels(r.scope).join(', '))}</p>` : ''}
<dl class="meta"><dt>Reference</dt><dd>${h(r.reference)}</dd></dl></a></li>`,
  );
  const list = items.length
    ? `<ul style="list-style:none;margin:0;padding:0" data-testid="push-inbox">${items.join('\n')}</ul>`
    : `<p class="text" data-testid="push-inbox-empty">No payment requests are waiting.</p>`;
  const body = `<main class="card"><p class="label">The app of</p><h1 data-testid="app-phone">+${h(phoneNumber)}</h1>${list}</main>`;
  return layout(`Vipps MobilePay – ${phoneNumber}`, body);
}
