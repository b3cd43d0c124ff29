/**
 * Endpoint create — "Create payment: POST:/epayment/v1/payments" (ePayment checklist,
 * Endpoints to integrate; vipps-facts §8.1 #1, §2.5–2.7).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/
 *
 * Rule: the integration creates payments with a valid CreatePaymentRequest: `amount`
 * ({currency NOK|DKK|EUR, integer value in minor units}), `paymentMethod.type`, `reference`,
 * `userFlow`; `returnUrl` is required for WEB_REDIRECT, `customer` for PUSH_MESSAGE; `returnUrl`
 * is https:// or a custom scheme.
 *
 * eCom v2: the same for initiate (POST /ecomm/v2/payments) with a valid
 * InitiatePaymentCommand — `merchantInfo` {merchantSerialNumber, callbackPrefix, fallBack: https
 * (or loopback http in tests) or a custom scheme, ≤255}, `transaction` {orderId
 * ^[a-zA-Z0-9-]{1,50}$, integer amount ≥ 100 øre, transactionText ≤100} (vipps-facts §6.2).
 *
 * Evidence: kind:'api' create (initiate) exchanges (whole run). FAILED when none was accepted, when
 * an accepted body breaks the documented combinations, or when the API rejected a create with
 * 400/409/422 that no sandbox fault caused (the merchant's payload was wrong).
 */
import { z } from 'zod';
import type { Rule } from '../types.ts';
import { finding, noEvidence, plural, Tally } from '../support/findings.ts';
import { apiOps, bodyOf, describe, errorCodeOf, isOk, OP, outcomeOf, responseBodyOf, statusOf } from '../support/traffic.ts';
import { USER_FLOWS } from '../../contract/epayment.ts';
import { ECOM_PAYMENT_TYPES } from '../../contract/ecom.ts';

const Amount = z.object({ currency: z.enum(['NOK', 'DKK', 'EUR', 'SEK', 'USD', 'GBP']), value: z.number().int().min(0) });
const CreatePaymentRequest = z.object({
  amount: Amount,
  paymentMethod: z.object({ type: z.enum(['WALLET', 'CARD', 'CARD_PASSTHROUGH']) }),
  reference: z.string().min(1),
  userFlow: z.enum(USER_FLOWS),
  returnUrl: z.string().optional().nullable(),
  customer: z
    .object({ phoneNumber: z.string().optional(), personalQr: z.string().optional(), customerToken: z.string().optional() })
    .optional()
    .nullable(),
  customerInteraction: z.enum(['CUSTOMER_PRESENT', 'CUSTOMER_NOT_PRESENT']).optional().nullable(),
  paymentDescription: z.string().optional().nullable(),
});

const LOCAL_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i;

const HttpsOrScheme = z.string().max(255).refine((u) => !/^http:\/\//i.test(u) || LOCAL_HTTP.test(u), 'must be https:// (or a custom scheme), not plain http');
const InitiatePaymentCommand = z.object({
  merchantInfo: z.object({
    merchantSerialNumber: z.string().regex(/^\d{4,6}$/, 'the MSN as a string of 4–6 digits'),
    callbackPrefix: HttpsOrScheme,
    fallBack: HttpsOrScheme,
    authToken: z.string().max(255).optional(),
    isApp: z.boolean().optional(),
    paymentType: z.enum(ECOM_PAYMENT_TYPES).optional(),
  }),
  customerInfo: z.object({ mobileNumber: z.string().regex(/^\d{8}$/, '8 digits').optional() }).optional().nullable(),
  transaction: z.object({
    orderId: z.string().regex(/^[a-zA-Z0-9-]{1,50}$/, 'letters, digits and -, at most 50'),
    amount: z.number().int().min(100, 'at least 100 øre'),
    transactionText: z.string().min(1).max(100),
  }),
});

const issuesOf = (error: z.ZodError): string[] => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);

/** Problems with a create body beyond its schema (the userFlow combinations of §2.5–2.7; eCom's initiate command). */
export function createBodyProblems(body: Record<string, any> | undefined): string[] {
  if (!body) return ['no JSON body'];
  if (body.transaction !== undefined || body.merchantInfo !== undefined) {
    const initiate = InitiatePaymentCommand.safeParse(body);
    return initiate.success ? [] : issuesOf(initiate.error);
  }
  const parsed = CreatePaymentRequest.safeParse(body);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  const flow = body.userFlow;
  const returnUrl = typeof body.returnUrl === 'string' ? body.returnUrl : undefined;
  if (flow === 'WEB_REDIRECT' && !returnUrl) problems.push('userFlow WEB_REDIRECT without returnUrl');
  if (flow === 'PUSH_MESSAGE' && !body.customer) problems.push('userFlow PUSH_MESSAGE without customer');
  if (returnUrl && /^http:\/\//i.test(returnUrl) && !LOCAL_HTTP.test(returnUrl)) problems.push(`returnUrl is plain http: ${returnUrl}`);
  const c = body.customer;
  if (c && typeof c === 'object') {
    const ids = ['phoneNumber', 'personalQr', 'customerToken'].filter((k) => c[k] !== undefined && c[k] !== null);
    if (ids.length > 1) problems.push(`customer has ${ids.join(' and ')} (only one is allowed)`);
  }
  return problems;
}

export const endpointCreate: Rule = {
  judge(input, { item }) {
    const creates = apiOps(input.traffic, OP.create);
    if (creates.length === 0) return noEvidence(item, input, 'No create request (ePayment POST /epayment/v1/payments, eCom POST /ecomm/v2/payments) was observed: the integration never created a payment.');
    const t = new Tally();
    const accepted = creates.filter(isOk);
    for (const e of accepted) {
      const problems = createBodyProblems(bodyOf(e));
      if (problems.length > 0) t.add('FAILED', `${describe(e)}: ${problems.join('; ')}`, e);
      else t.cite(e);
    }
    for (const e of creates) {
      const s = statusOf(e);
      if (e.fault || s === undefined || isOk(e)) continue;
      if (s === 400 || s === 409 || s === 422) {
        const body = responseBodyOf(e);
        const code = errorCodeOf(body);
        const first = Array.isArray(body) ? body[0] : undefined; // eCom answers an array of errors
        const why = [body?.title ?? first?.errorGroup, body?.detail ?? first?.errorMessage, code && `code ${code}`].filter(Boolean).join(' — ');
        t.add('FAILED', `${describe(e)} ${outcomeOf(e)}: rejected by the API${why ? ` (${why})` : ''}`, e);
      }
    }
    if (accepted.length === 0) {
      t.add('FAILED', `none of ${plural(creates.length, 'create request')} was accepted`);
      return t.finding(item, input, `No create request succeeded (${plural(creates.length, 'attempt')}).`);
    }
    if (t.problems > 0) return t.finding(item, input, `${plural(t.problems, 'create request')} with an invalid payload (${accepted.length} accepted in all).`);
    return finding(item, input, 'PASSED', `${plural(accepted.length, 'payment')} created with valid request bodies.`, { cites: accepted });
  },
};
