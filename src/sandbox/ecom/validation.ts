import { ECOM_PAYMENT_TYPES } from '../../contract/ecom.ts';
import { isAcceptableUrl, isObject, present } from '../shared/validation.ts';
import { ecomError, invalidRequest } from './errors.ts';
import type { EcomMerchantInfo } from './types.ts';

/**
 * Request shapes of ecom-v2.yaml. Each check throws the first problem as eCom does:
 * `InvalidRequest` with errorCode = the field's name; a bad phone number is User 81 (§6.2).
 */

export const ORDER_ID = /^[a-zA-Z0-9-]{1,50}$/;
export const MOBILE_NUMBER = /^\d{8}$/;
const MSN = /^\d{5,6}$/;
const URL_MAX = 255;
const TEXT_MAX = 100;

export interface InitiateInput {
  merchantInfo: EcomMerchantInfo;
  mobileNumber?: string;
  orderId: string;
  amount: number;
  transactionText: string;
  skipLandingPage: boolean;
  scope?: string;
  useExplicitCheckoutFlow: boolean;
}

function object(v: unknown, field: string): Record<string, any> {
  if (!isObject(v)) throw invalidRequest(field, `${field} must be a JSON object.`);
  return v;
}

function optionalString(v: unknown, field: string, max: number): string | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'string') throw invalidRequest(field, `${field} must be a string.`);
  if (v.length > max) throw invalidRequest(field, `${field} must be at most ${max} characters.`);
  return v;
}

function requiredString(v: unknown, field: string, max: number): string {
  const s = optionalString(v, field, max);
  if (s === undefined || s.length === 0) throw invalidRequest(field, `${field} is required.`);
  return s;
}

function optionalBoolean(v: unknown, field: string): boolean {
  if (!present(v)) return false;
  if (typeof v !== 'boolean') throw invalidRequest(field, `${field} must be true or false.`);
  return v;
}

/** An amount in øre: an integer ≥ 100 (decimals are refused, §0.1). */
function amountOf(v: unknown, field = 'amount'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidRequest(field, `${field} must be an integer amount in øre.`);
  if (v < 100) throw invalidRequest(field, `${field} must be at least 100 øre.`);
  return v;
}

/** `merchantSerialNumber` must be a string of 5–6 digits (a number is the classic HTTP 500 cause; refused here). */
export function merchantSerialNumberOf(merchantInfo: unknown): string {
  const info = object(merchantInfo, 'merchantInfo');
  const msn = info.merchantSerialNumber;
  if (typeof msn !== 'string' || !MSN.test(msn)) throw invalidRequest('merchantSerialNumber', 'merchantSerialNumber must be a string of 5 or 6 digits.');
  return msn;
}

function urlOf(v: unknown, field: string, options: { customScheme: boolean; validate: boolean }): string {
  const url = requiredString(v, field, URL_MAX);
  if (options.validate && !isAcceptableUrl(url, { customScheme: options.customScheme }))
    throw invalidRequest(field, `${field} must be an https URL${options.customScheme ? ' or a custom scheme (myapp://)' : ''}.`);
  return url;
}

function optionalUrl(v: unknown, field: string, validate: boolean): string | undefined {
  return present(v) ? urlOf(v, field, { customScheme: false, validate }) : undefined;
}

export function validateInitiate(body: unknown): InitiateInput {
  const root = object(body, 'body');
  const info = object(root.merchantInfo, 'merchantInfo');
  const transaction = object(root.transaction, 'transaction');
  const customerInfo = object(root.customerInfo, 'customerInfo');
  const merchantSerialNumber = merchantSerialNumberOf(info);
  // With isApp, URLs are not validated as regular URLs (spec).
  const isApp = optionalBoolean(info.isApp, 'isApp');
  const paymentType = present(info.paymentType) ? info.paymentType : ECOM_PAYMENT_TYPES[0];
  if (!ECOM_PAYMENT_TYPES.includes(paymentType)) throw invalidRequest('paymentType', `paymentType must be one of: ${ECOM_PAYMENT_TYPES.join(', ')}.`);
  const merchantInfo: EcomMerchantInfo = {
    merchantSerialNumber,
    callbackPrefix: urlOf(info.callbackPrefix, 'callbackPrefix', { customScheme: false, validate: true }),
    fallBack: urlOf(info.fallBack, 'fallBack', { customScheme: true, validate: !isApp }),
    authToken: optionalString(info.authToken, 'authToken', URL_MAX),
    isApp,
    paymentType,
    consentRemovalPrefix: optionalUrl(info.consentRemovalPrefix, 'consentRemovalPrefix', true),
    shippingDetailsPrefix: optionalUrl(info.shippingDetailsPrefix, 'shippingDetailsPrefix', true),
  };
  if (present(info.staticShippingDetails)) {
    if (!Array.isArray(info.staticShippingDetails)) throw invalidRequest('staticShippingDetails', 'staticShippingDetails must be an array.');
    merchantInfo.staticShippingDetails = info.staticShippingDetails;
  }
  if (paymentType === 'eComm Express Payment' && merchantInfo.consentRemovalPrefix === undefined)
    throw invalidRequest('consentRemovalPrefix', 'Express checkout payments require consentRemovalPrefix.');

  let mobileNumber: string | undefined;
  if (present(customerInfo.mobileNumber)) {
    if (typeof customerInfo.mobileNumber !== 'string' || !MOBILE_NUMBER.test(customerInfo.mobileNumber))
      throw ecomError('User', 81, 'User not registered with Vipps: mobileNumber must be 8 digits (no country code).');
    mobileNumber = customerInfo.mobileNumber;
  }
  const orderId = transaction.orderId;
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) throw invalidRequest('orderId', 'orderId must be 1–50 characters a-z, A-Z, 0-9 and -.');
  return {
    merchantInfo,
    mobileNumber,
    orderId,
    amount: amountOf(transaction.amount),
    transactionText: requiredString(transaction.transactionText, 'transactionText', TEXT_MAX),
    skipLandingPage: optionalBoolean(transaction.skipLandingPage, 'skipLandingPage'),
    scope: optionalString(transaction.scope, 'scope', 200),
    useExplicitCheckoutFlow: optionalBoolean(transaction.useExplicitCheckoutFlow, 'useExplicitCheckoutFlow'),
  };
}

export interface ActionInput {
  msn: string;
  /** Capture/refund: absent, null or 0 = the whole remaining amount. */
  amount?: number;
  transactionText: string;
}

/** Capture and refund bodies (PaymentActionsRequest). */
export function validateAction(body: unknown): ActionInput {
  const root = object(body, 'body');
  const msn = merchantSerialNumberOf(root.merchantInfo);
  const transaction = object(root.transaction, 'transaction');
  const raw = transaction.amount;
  const amount = !present(raw) || raw === 0 ? undefined : amountOf(raw);
  return { msn, amount, transactionText: requiredString(transaction.transactionText, 'transactionText', TEXT_MAX) };
}

/** Cancel body (CancelPaymentActionRequest). */
export function validateCancel(body: unknown): ActionInput & { shouldReleaseRemainingFunds: boolean } {
  const root = object(body, 'body');
  const msn = merchantSerialNumberOf(root.merchantInfo);
  const transaction = object(root.transaction, 'transaction');
  return {
    msn,
    transactionText: requiredString(transaction.transactionText, 'transactionText', TEXT_MAX),
    shouldReleaseRemainingFunds: optionalBoolean(root.shouldReleaseRemainingFunds, 'shouldReleaseRemainingFunds'),
  };
}

/** Force approve body (ForceApproveRequest); an empty body is allowed. */
export function validateForceApprove(body: unknown): { customerPhoneNumber?: string; token?: string } {
  if (!present(body) || body === '') return {};
  const root = object(body, 'body');
  let customerPhoneNumber: string | undefined;
  if (present(root.customerPhoneNumber)) {
    if (typeof root.customerPhoneNumber !== 'string' || !MOBILE_NUMBER.test(root.customerPhoneNumber))
      throw ecomError('User', 81, 'User not registered with Vipps: customerPhoneNumber must be 8 digits.');
    customerPhoneNumber = root.customerPhoneNumber;
  }
  return { customerPhoneNumber, token: optionalString(root.token, 'token', 2000) };
}
