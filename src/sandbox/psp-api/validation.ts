import { PSP_OPERATION_STATUSES, PSP_STATUS_UPDATES, type PspApiVersion, type PspStatusUpdate } from '../../contract/psp-api.ts';
import { isAcceptableUrl, isObject, present } from '../shared/validation.ts';
import { invalidField, pspError } from './errors.ts';
import type { InitiateInput } from './types.ts';

/**
 * Request rules of the PSP API (vipps-facts §5.2, §5.5), per version. Each rule throws a
 * PspApiError in the API's own codes: 51 naming the field, or `amount`, `currency`, `makePaymentUrl`.
 *
 * pspTransactionId: the spec's pattern is `[a-z0-9]`, at most 30 (v2, 2020) then 36 (2021+)
 * characters; 36 is a UUID's length, so `-` is accepted too (UNCONFIRMED), at most 36 in both
 * versions. merchantOrderId: v3 `^[a-zA-Z0-9-]{1,50}$`; v2 at most 30 of the same characters.
 */
const PSP_TRANSACTION_ID = /^[a-z0-9-]{1,36}$/;
const ORDER_ID = { v2: /^[a-zA-Z0-9-]{1,30}$/, v3: /^[a-zA-Z0-9-]{1,50}$/ } as const;
const MOBILE_NUMBER = /^\d{8}$/;
const INT32_MAX = 2 ** 31 - 1;
export const MIN_AMOUNT = 100;
const MAKE_PAYMENT_TOKEN_MAX = 255;

const text = (body: Record<string, unknown>, field: string, required = false): string | undefined => {
  const v = body[field];
  if (!present(v)) {
    if (required) throw invalidField(field, `${field} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidField(field, `${field} must be a string.`);
  return v;
};

const flag = (body: Record<string, unknown>, field: string): boolean => {
  const v = body[field];
  if (!present(v)) return false;
  if (typeof v !== 'boolean') throw invalidField(field, `${field} must be true or false.`);
  return v;
};

export function validateInitiate(version: PspApiVersion, body: unknown): InitiateInput & { scope?: string } {
  if (!isObject(body)) throw invalidField('body', 'The request body must be a JSON object (InitiatePaymentRequest).');
  const pspTransactionId = text(body, 'pspTransactionId', true)!;
  if (!PSP_TRANSACTION_ID.test(pspTransactionId))
    throw invalidField('pspTransactionId', 'pspTransactionId must be 1–36 characters of a-z, 0-9 (and -).');
  const merchantOrderId = text(body, 'merchantOrderId', true)!;
  if (!ORDER_ID[version].test(merchantOrderId))
    throw invalidField('merchantOrderId', `merchantOrderId must be 1–${version === 'v2' ? 30 : 50} characters of a-z, A-Z, 0-9 and -.`);
  const customerMobileNumber = text(body, 'customerMobileNumber');
  if (customerMobileNumber !== undefined && !MOBILE_NUMBER.test(customerMobileNumber))
    throw invalidField('customerMobileNumber', 'customerMobileNumber must be eight digits (a Norwegian number without country code).');
  const amount = body.amount;
  if (!present(amount)) throw invalidField('amount', 'amount is required.');
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount > INT32_MAX) throw invalidField('amount', 'amount must be an integer (int32) in øre.');
  if (amount < MIN_AMOUNT) throw pspError('amount', undefined, 'amount');
  if (body.currency !== 'NOK') throw pspError('currency', undefined, 'currency');
  const isApp = flag(body, 'isApp');
  const pspRedirectUrl = text(body, 'pspRedirectUrl', true)!;
  // Apache Commons UrlValidator (https); isApp: true skips it (an app's own scheme).
  if (!isApp && !isAcceptableUrl(pspRedirectUrl, { customScheme: false })) throw pspError('51', 'Invalid pspRedirectUrl', 'pspRedirectUrl');
  const makePaymentUrl = text(body, 'makePaymentUrl', true)!;
  if (!isAcceptableUrl(makePaymentUrl, { customScheme: false })) throw pspError('makePaymentUrl', undefined, 'makePaymentUrl');
  const makePaymentToken = text(body, 'makePaymentToken');
  if (makePaymentToken !== undefined && makePaymentToken.length > MAKE_PAYMENT_TOKEN_MAX)
    throw invalidField('makePaymentToken', `makePaymentToken must be at most ${MAKE_PAYMENT_TOKEN_MAX} characters.`);
  const paymentText = text(body, 'paymentText');
  const skipLandingPage = flag(body, 'skipLandingPage');
  if (skipLandingPage && customerMobileNumber === undefined)
    throw invalidField('customerMobileNumber', 'skipLandingPage requires a valid customerMobileNumber.');
  const scope = text(body, 'scope');
  if (scope !== undefined && scope !== 'psp_subscription') throw invalidField('scope', 'scope must be psp_subscription.');
  const merchantAgreementUrl = version === 'v3' ? text(body, 'merchantAgreementUrl') : undefined;
  return {
    pspTransactionId,
    merchantOrderId,
    customerMobileNumber,
    amount,
    currency: 'NOK',
    pspRedirectUrl,
    makePaymentUrl,
    makePaymentToken,
    paymentText,
    isApp,
    skipLandingPage,
    scope,
    merchantAgreementUrl,
  };
}

export interface StatusUpdateInput {
  pspTransactionId: string;
  status: PspStatusUpdate;
  amount: number;
  paymentText?: string;
  operationStatus: 'SUCCESS' | 'FAILED';
}

/** `PaymentStatus`: `{transactions: TransactionInfo[]}` with pspTransactionId, status and amount required. */
export function validateStatusUpdate(body: unknown): StatusUpdateInput[] {
  if (!isObject(body) || !Array.isArray(body.transactions)) throw invalidField('transactions', 'The body must be {"transactions": [TransactionInfo, …]}.');
  if (body.transactions.length === 0) throw invalidField('transactions', 'transactions must list at least one transaction.');
  return body.transactions.map((t: unknown, i: number) => {
    const at = (field: string) => `transactions[${i}].${field}`;
    if (!isObject(t)) throw invalidField(`transactions[${i}]`, 'Each transaction must be an object (TransactionInfo).');
    const pspTransactionId = t.pspTransactionId;
    if (typeof pspTransactionId !== 'string' || pspTransactionId.length === 0) throw invalidField(at('pspTransactionId'), 'pspTransactionId is required.');
    if (!(PSP_STATUS_UPDATES as readonly unknown[]).includes(t.status)) throw invalidField(at('status'), `status must be one of ${PSP_STATUS_UPDATES.join(', ')}.`);
    if (typeof t.amount !== 'number' || !Number.isInteger(t.amount) || t.amount < 0 || t.amount > INT32_MAX)
      throw invalidField(at('amount'), 'amount is required: a non-negative integer (int32) in øre.');
    if (present(t.currency) && t.currency !== 'NOK') throw pspError('currency', undefined, at('currency'));
    if (present(t.paymentText) && typeof t.paymentText !== 'string') throw invalidField(at('paymentText'), 'paymentText must be a string.');
    const operationStatus = present(t.operationStatus) ? t.operationStatus : 'SUCCESS';
    if (!(PSP_OPERATION_STATUSES as readonly unknown[]).includes(operationStatus)) throw invalidField(at('operationStatus'), 'operationStatus must be SUCCESS or FAILED.');
    return { pspTransactionId, status: t.status as PspStatusUpdate, amount: t.amount, paymentText: t.paymentText as string | undefined, operationStatus: operationStatus as 'SUCCESS' | 'FAILED' };
  });
}

/** v3 `ForceApproveRequest`: `{customerPhoneNumber: ^\d{8}$, token}`, both required. */
export function validateForceApprove(body: unknown): { customerPhoneNumber: string; token: string } {
  if (!isObject(body)) throw invalidField('body', 'The body must be {"customerPhoneNumber", "token"}.');
  const { customerPhoneNumber, token } = body;
  if (typeof customerPhoneNumber !== 'string' || !MOBILE_NUMBER.test(customerPhoneNumber)) throw invalidField('customerPhoneNumber', 'customerPhoneNumber must be eight digits.');
  if (typeof token !== 'string' || token.length === 0) throw invalidField('token', 'token is required: the token of the vippsRedirectUrl the initiate answered.');
  return { customerPhoneNumber, token };
}
