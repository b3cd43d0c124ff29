import type { Merchant } from '../merchants.ts';
import type { ExtraDetail } from '../problem.ts';
import { epaymentError, validationError } from './errors.ts';
import type { CardPassthrough, Currency, QrFormat, UserFlow } from './types.ts';
import { USER_FLOWS } from '../../contract/epayment.ts';
import { checkCardPassthroughShape } from './card-passthrough/validation.ts';
import { isAcceptableUrl, isObject, MSISDN as PHONE, present, requestKeyProblem, RFC3339 } from '../shared/validation.ts';
import { specShapeErrors } from '../shared/spec-shapes.ts';
export { fingerprint, isAcceptableUrl } from '../shared/validation.ts';

/**
 * Request validation for the ePayment API. Shapes come from the spec: validators compiled once
 * from epayment-v1.yaml (src/sandbox/shared/spec-shapes.ts); written here by hand are only the
 * rules the spec cannot state (fields across each other, the sales unit's settings, extensions
 * newer than the spec) and the business rules with the API's own codes. Two kinds of failure, as
 * the real API reports them (vipps-facts §2.14):
 * - shape errors (missing field, wrong JSON type, enum, length, pattern) → 400 "Bad Request",
 *   detail "One or more validation errors occurred.", every problem listed in extraDetails
 *   as {name: <field path>, reason};
 * - business rules with a documented numeric code (4040, 4070, 5040, 6010 …) → the first
 *   failing rule, with extraDetails [{name:"ErrorCode"}, {name:<field>, reason}].
 * `npm run bench -- --only request-validation` measures it against JSON.parse of the same body.
 */

export const MAX_AMOUNT = 65_000_000;
/** Business minimum per currency (§2.4): NOK 100 øre, DKK 1 øre, EUR 1 cent. */
export const MINIMUM_AMOUNT: Record<Currency, number> = { NOK: 100, DKK: 1, EUR: 1 };
export const SCOPES = ['name', 'address', 'email', 'phoneNumber', 'birthDate', 'nin'] as const;
const PAYMENT_METHODS = ['WALLET', 'CARD', 'CARD_PASSTHROUGH'] as const;
export type PaymentMethodType = (typeof PAYMENT_METHODS)[number];
const IDEMPOTENCY_KEY_MAX = 50;
const REQUIRED = 'The property is required and cannot be null.';

const referencePatterns = new Map<number, { regex: RegExp; text: string }>();
export function referencePattern(maxLength: number): { regex: RegExp; text: string } {
  let p = referencePatterns.get(maxLength);
  if (!p) {
    p = { regex: new RegExp(`^[a-zA-Z0-9-]{8,${maxLength}}$`), text: `^[a-zA-Z0-9-]{8,${maxLength}}$` };
    referencePatterns.set(maxLength, p);
  }
  return p;
}

export interface CustomerInput {
  phoneNumber?: string;
  personalQr?: string;
  customerToken?: string;
}

/** A create request that passed validation, with defaults applied. */
export interface CreateInput {
  reference: string;
  amount: { currency: Currency; value: number };
  paymentMethodType: PaymentMethodType;
  userFlow: UserFlow;
  returnUrl?: string;
  customer?: CustomerInput;
  customerInteraction?: string;
  paymentDescription?: string;
  profileScope?: string;
  metadata?: Record<string, string>;
  receipt?: unknown;
  receiptUrl?: string;
  /** Epoch ms, when `expiresAt` was given. */
  expiresAt?: number;
  qrFormat?: { format: QrFormat; size?: number | null };
  cardPassthrough?: CardPassthrough;
  pspId?: string;
  /** Express checkout options (stored only; force approve refuses Express payments). */
  shipping?: unknown;
}

export interface CreateEnv {
  merchant: Merchant;
  referenceMaxLength: number;
  maxExpiresAtDays: number;
  now: number;
  /** The `Psp-Id` request header. */
  pspId?: string;
  /** The PSP whose own credentials made the request (its Psp-Id was checked at auth). */
  authenticatedPspId?: string;
}

/**
 * Spec constraints the API reports with its own code (§2.14), so the business rules below judge
 * them: amounts out of range or fractional (4040), the sales unit's currency (5040), the
 * phone number (4070) and personal QR (4060), metadata pairs (4100); the reference's length is
 * the sales unit's (`referenceMaxLength`).
 */
const deferredToRules = (path: string, keyword: string, value: unknown): boolean =>
  (path === '/amount/value' && typeof value === 'number' && ['minimum', 'maximum', 'type', 'format'].includes(keyword)) ||
  (path === '/amount/currency' && keyword === 'enum') ||
  (path === '/reference' && (keyword === 'pattern' || keyword === 'minLength' || keyword === 'maxLength')) ||
  (path === '/customer/phoneNumber' && keyword !== 'type') ||
  (path === '/customer/personalQr' && keyword !== 'type') ||
  (path === '/metadata' && keyword === 'maxProperties');

/** Capture and refund: the amount's range and fractions are 4040/6010; its currency is the payment's. */
const deferredModification = (path: string, keyword: string, value: unknown): boolean =>
  (path === '/modificationAmount/value' && typeof value === 'number' && ['minimum', 'maximum', 'type', 'format'].includes(keyword)) ||
  (path === '/modificationAmount/currency' && keyword === 'enum');

const IDENTIFICATIONS = ['phoneNumber', 'personalQr', 'customerToken'] as const;

/**
 * The one identification of a customer (oneOf phoneNumber / personalQr / customerToken). The
 * spec's oneOf can pass with two when one misses its length rule, which the API reports with its
 * own code (deferred), so "more than one" is checked here.
 */
function customerOf(v: unknown, errs: ExtraDetail[]): CustomerInput | undefined {
  if (!isObject(v)) return undefined;
  const keys = IDENTIFICATIONS.filter((k) => present(v[k]));
  if (keys.length > 1 && !errs.some((e) => e.name === 'customer')) errs.push({ name: 'customer', reason: `Specify only one of ${IDENTIFICATIONS.join(', ')} (got ${keys.join(', ')}).` });
  return keys.length === 1 && typeof v[keys[0]] === 'string' ? ({ [keys[0]]: v[keys[0]] } as CustomerInput) : undefined;
}

/** Business rules of a customer that has the right shape (4070, 4060, 4050). */
function checkCustomerRules(customer: CustomerInput, name: string): void {
  if (customer.phoneNumber !== undefined && !PHONE.test(customer.phoneNumber))
    throw epaymentError(4070, 'The phone number must be an MSISDN: country code and number, 10–15 digits (e.g. 4791234567).', `${name}.phoneNumber`, 'must match ^\\d{10,15}$');
  if (customer.personalQr !== undefined && (customer.personalQr.length < 5 || customer.personalQr.length > 255))
    throw epaymentError(4060, 'The personal QR code must be the complete QR content, 5–255 characters.', `${name}.personalQr`, 'length must be between 5 and 255');
  if (customer.customerToken !== undefined && customer.customerToken.trim().length === 0)
    throw epaymentError(4050, 'The customer token is not valid.', `${name}.customerToken`, 'must not be empty');
}

/** Validate a `CreatePaymentRequest`. Throws ApiError (400/403) on the first kind of failure found. */
export function validateCreate(body: unknown, env: CreateEnv): CreateInput {
  if (!isObject(body)) throw validationError([{ name: 'body', reason: 'A JSON object (CreatePaymentRequest) is required.' }]);
  // Shapes: the spec's schema (compiled, src/sandbox/shared/spec-shapes.ts), then what the
  // spec cannot say: fields across each other, the sales unit's reference length, extensions.
  const errs: ExtraDetail[] = specShapeErrors('epayment-v1', 'createPayment', body, { deferred: deferredToRules });
  const amount = isObject(body.amount) ? body.amount : {};
  const value: number | undefined = typeof amount.value === 'number' ? amount.value : undefined;
  const currency: string | undefined = typeof amount.currency === 'string' ? amount.currency : undefined;

  const ref = referencePattern(env.referenceMaxLength);
  if (typeof body.reference === 'string' && !ref.regex.test(body.reference)) errs.push({ name: 'reference', reason: `must match ${ref.text}` });

  // The constants, not the request's copies: a payment keeps them for the sandbox's lifetime.
  const methodType: PaymentMethodType | undefined = PAYMENT_METHODS.find((m) => m === body.paymentMethod?.type);
  const userFlow: UserFlow | undefined = USER_FLOWS.find((f) => f === body.userFlow);
  if (methodType === 'CARD' && userFlow && userFlow !== 'WEB_REDIRECT') errs.push({ name: 'paymentMethod.type', reason: 'CARD can only be combined with userFlow WEB_REDIRECT.' });

  const customer = customerOf(body.customer, errs);

  let expiresAtMs: number | undefined;
  if (typeof body.expiresAt === 'string' && RFC3339.test(body.expiresAt)) {
    expiresAtMs = Date.parse(body.expiresAt);
    if (Number.isNaN(expiresAtMs)) errs.push({ name: 'expiresAt', reason: 'must be an RFC 3339 date-time, e.g. 2026-02-26T17:32:28Z' });
    if (userFlow && userFlow !== 'PUSH_MESSAGE' && userFlow !== 'QR') errs.push({ name: 'expiresAt', reason: 'expiresAt can only be combined with userFlow PUSH_MESSAGE or QR.' });
    if (methodType && methodType !== 'WALLET') errs.push({ name: 'expiresAt', reason: 'expiresAt can only be used with paymentMethod WALLET.' });
  }

  let qrFormat: CreateInput['qrFormat'];
  if (isObject(body.qrFormat)) {
    if (userFlow && userFlow !== 'QR') errs.push({ name: 'qrFormat', reason: 'qrFormat is only applicable when userFlow is QR.' });
    qrFormat = { format: body.qrFormat.format, size: body.qrFormat.size ?? undefined };
  }

  // Newer than spec v1.4.1 (§2.5): minimum age; the PSP's card passthrough (§4.1).
  if (present(body.minimumUserAge) && (!Number.isInteger(body.minimumUserAge) || body.minimumUserAge < 0))
    errs.push({ name: 'minimumUserAge', reason: 'must be a non-negative integer.' });
  if (present(body.cardPassthrough)) checkCardPassthroughShape(errs, body.cardPassthrough);

  if (errs.length > 0) throw validationError(errs);

  // ---- business rules, first failure wins ------------------------------------------------
  const merchant = env.merchant;
  const v = value!;
  if (!Number.isInteger(v) || v < 0 || v > MAX_AMOUNT)
    throw epaymentError(4040, `The amount must be an integer number of minor units between 0 and ${MAX_AMOUNT}.`, 'amount.value', 'must be an integer in minor units');
  if (currency !== merchant.currency)
    throw epaymentError(5040, `The currency ${currency} is not valid for this sales unit; use ${merchant.currency}.`, 'amount.currency', `must be ${merchant.currency}`);
  const minimum = MINIMUM_AMOUNT[merchant.currency];
  if (v < minimum) throw epaymentError(6010, `The amount must be at least ${minimum} (minor units of ${merchant.currency}).`, 'amount.value', `must be at least ${minimum}`);

  let cardPassthrough: CardPassthrough | undefined;
  if (methodType === 'CARD_PASSTHROUGH') {
    if (!env.pspId) throw epaymentError(4160, 'CARD_PASSTHROUGH requires the Psp-Id header.', 'Psp-Id', 'required for CARD_PASSTHROUGH');
    // A PSP's own token was checked against the PSP's sales units (psp-auth.ts); merchant keys need the unit's pspId.
    if (env.pspId !== env.authenticatedPspId && (!merchant.pspId || merchant.pspId !== env.pspId))
      throw epaymentError(4160, 'CARD_PASSTHROUGH is only available to sales units of the PSP named in Psp-Id.', 'paymentMethod.type', 'not available for this sales unit');
    const c = body.cardPassthrough;
    if (!isObject(c) || !c.pspReference || !c.cardCallbackUrl)
      throw epaymentError(4160, 'CARD_PASSTHROUGH requires cardPassthrough with pspReference and cardCallbackUrl.', 'cardPassthrough', 'pspReference and cardCallbackUrl are required');
    if (!isAcceptableUrl(c.cardCallbackUrl, { customScheme: false }))
      throw epaymentError(4090, 'cardPassthrough.cardCallbackUrl must be an https:// URL (http:// only for a loopback host, in the sandbox).', 'cardPassthrough.cardCallbackUrl', 'must be https');
    cardPassthrough = c as CardPassthrough;
  } else if (present(body.cardPassthrough)) {
    throw epaymentError(4160, 'cardPassthrough can only be used with paymentMethod.type CARD_PASSTHROUGH.', 'paymentMethod.type', 'must be CARD_PASSTHROUGH with cardPassthrough');
  }

  const returnUrl: string | undefined = present(body.returnUrl) ? body.returnUrl : undefined;
  if (returnUrl !== undefined && !isAcceptableUrl(returnUrl))
    throw epaymentError(4090, 'returnUrl must use https:// or a custom URL scheme.', 'returnUrl', 'must be https:// or a custom scheme');
  if (returnUrl === undefined && userFlow === 'WEB_REDIRECT') throw epaymentError(4140, 'returnUrl is required for userFlow WEB_REDIRECT.', 'returnUrl', REQUIRED);

  if (customer) checkCustomerRules(customer, 'customer');
  if (userFlow === 'PUSH_MESSAGE') {
    if (!customer) throw epaymentError(4140, 'customer is required for userFlow PUSH_MESSAGE.', 'customer', REQUIRED);
    if (!merchant.allowPushMessage) throw epaymentError(5080, 'This sales unit is not allowed to use userFlow PUSH_MESSAGE.', 'userFlow', 'PUSH_MESSAGE not allowed');
  }

  let profileScope: string | undefined;
  if (isObject(body.profile) && typeof body.profile.scope === 'string') {
    const words = body.profile.scope.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw epaymentError(4080, 'profile.scope must name at least one scope.', 'profile.scope', `must be space-separated words from: ${SCOPES.join(' ')}`);
    const unknown = words.find((w: string) => !(SCOPES as readonly string[]).includes(w));
    if (unknown) throw epaymentError(4080, `Unknown scope "${unknown}".`, 'profile.scope', `must be space-separated words from: ${SCOPES.join(' ')}`);
    const illegal = words.find((w: string) => !merchant.allowedScopes.includes(w));
    if (illegal) throw epaymentError(5030, `This sales unit may not request the scope "${illegal}".`, 'profile.scope', `"${illegal}" not permitted`);
    profileScope = words.join(' ');
  }

  let metadata: Record<string, string> | undefined;
  if (isObject(body.metadata)) {
    const keys = Object.keys(body.metadata);
    if (keys.length > 5) throw epaymentError(4100, 'metadata can hold at most 5 key-value pairs.', 'metadata', 'at most 5 pairs');
    // JSON.parse already merged exact duplicate keys; keys differing only by case collide
    // in the live API's (case-insensitive) dictionary — our reading of 4110, UNCONFIRMED.
    const lower = new Set(keys.map((k) => k.toLowerCase()));
    if (lower.size !== keys.length) throw epaymentError(4110, 'metadata has duplicate keys (keys are case-insensitive).', 'metadata', 'duplicate keys');
    for (const k of keys) {
      if (k.length === 0 || k.length > 100) throw epaymentError(4120, 'metadata keys must be 1–100 characters.', `metadata.${k.slice(0, 40)}`, 'key length must be 1–100');
      if (body.metadata[k].length > 500) throw epaymentError(4130, 'metadata values must be at most 500 characters.', `metadata.${k}`, 'value length must be at most 500');
    }
    metadata = { ...body.metadata };
  }

  const receiptUrl: string | undefined = present(body.receiptUrl) ? body.receiptUrl : undefined;
  if (receiptUrl !== undefined && !isAcceptableUrl(receiptUrl))
    throw epaymentError(4090, 'receiptUrl must use https:// or a custom URL scheme.', 'receiptUrl', 'must be https:// or a custom scheme');

  if (expiresAtMs !== undefined) {
    if (!merchant.allowLongLiving) throw epaymentError(5050, 'This sales unit is not allowed to create long-living payments (expiresAt).', 'expiresAt', 'long-living payments not allowed');
    if (!present(body.receipt)) throw epaymentError(6130, 'A payment with expiresAt must have a receipt.', 'receipt', 'required with expiresAt');
    if (expiresAtMs <= env.now + 10 * 60_000) throw epaymentError(6120, 'expiresAt must be more than 10 minutes in the future.', 'expiresAt', 'must be more than 10 minutes ahead');
    if (expiresAtMs >= env.now + env.maxExpiresAtDays * 24 * 3600_000)
      throw epaymentError(6110, `expiresAt must be less than ${env.maxExpiresAtDays} days in the future.`, 'expiresAt', `must be less than ${env.maxExpiresAtDays} days ahead`);
  }

  if (present(body.blockedSources) && merchant.currency === 'NOK')
    throw epaymentError(5010, 'blockedSources only applies to Danish and Finnish sales units.', 'blockedSources', 'not applicable');

  return {
    reference: body.reference,
    amount: { currency: currency as Currency, value: v },
    paymentMethodType: methodType!,
    userFlow: userFlow!,
    returnUrl,
    customer,
    customerInteraction: body.customerInteraction ?? undefined,
    paymentDescription: body.paymentDescription ?? undefined,
    profileScope,
    metadata,
    receipt: body.receipt ?? undefined,
    receiptUrl,
    expiresAt: expiresAtMs,
    qrFormat: userFlow === 'QR' ? (qrFormat ?? { format: 'IMAGE/SVG+XML' }) : undefined,
    cardPassthrough,
    pspId: env.pspId,
    shipping: body.shipping ?? undefined,
  };
}

/** `modificationAmount` of capture and refund. Returns the value in minor units. */
export function validateModification(body: unknown, paymentCurrency: string, operationId: 'capturePayment' | 'refundPayment' = 'capturePayment'): number {
  const errs = specShapeErrors('epayment-v1', operationId, isObject(body) ? body : {}, { deferred: deferredModification });
  const m = isObject(body) && isObject(body.modificationAmount) ? body.modificationAmount : {};
  if (typeof m.currency === 'string' && m.currency !== paymentCurrency) errs.push({ name: 'modificationAmount.currency', reason: `must be ${paymentCurrency}, the currency of the payment.` });
  if (errs.length > 0) throw validationError(errs);
  const v = m.value as number;
  if (!Number.isInteger(v) || v < 0 || v > MAX_AMOUNT)
    throw epaymentError(4040, `The amount must be an integer number of minor units between 0 and ${MAX_AMOUNT}.`, 'modificationAmount.value', 'must be an integer in minor units');
  if (v === 0) throw epaymentError(6010, 'The amount must be greater than 0.', 'modificationAmount.value', 'must be greater than 0');
  return v;
}

/** Cancel takes no body, or `{cancelTransactionOnly: boolean}` (newer than spec v1.4.1). */
export function validateCancel(body: unknown): { cancelTransactionOnly: boolean } {
  if (body === undefined || body === null || body === '') return { cancelTransactionOnly: false };
  if (!isObject(body)) throw validationError([{ name: 'body', reason: 'The body must be empty or a JSON object.' }]);
  const c = body.cancelTransactionOnly;
  if (present(c) && typeof c !== 'boolean') throw validationError([{ name: 'cancelTransactionOnly', reason: 'The value must be a boolean.' }]);
  return { cancelTransactionOnly: c === true };
}

/** Force approve body: `{customer?, token?}` (spec `ForceApprove`). */
export function validateForceApprove(body: unknown): { customer?: CustomerInput; token?: string } {
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw validationError([{ name: 'body', reason: 'The body must be empty or a JSON object.' }]);
  const errs = specShapeErrors('epayment-v1', 'forceApprove', body, { deferred: deferredToRules });
  if (present(body.token) && (typeof body.token !== 'string' || body.token.length === 0)) errs.push({ name: 'token', reason: 'The value must be a non-empty string.' });
  const customer = customerOf(body.customer, errs);
  if (errs.length > 0) throw validationError(errs);
  if (customer) checkCustomerRules(customer, 'customer');
  return { customer, token: present(body.token) ? body.token : undefined };
}

/**
 * The `Idempotency-Key` header: required (spec) on create, capture, refund, cancel; ≤ 50 chars.
 */
export function validateIdempotencyKey(value: string | undefined): string {
  const problem = requestKeyProblem('Idempotency-Key', value, { max: IDEMPOTENCY_KEY_MAX });
  if (problem) throw validationError([problem]);
  return value!;
}
