import { z } from 'zod';
import type { Merchant } from '../merchants.ts';
import type { ExtraDetail } from '../problem.ts';
import { epaymentError, validationError } from './errors.ts';
import type { CardPassthrough, Currency, QrFormat, UserFlow } from './types.ts';
import { USER_FLOWS } from '../../contract/epayment.ts';
import { checkCardPassthroughShape } from './card-passthrough/validation.ts';
import { isAcceptableUrl, isObject, MSISDN as PHONE, present, requestKeyProblem, RFC3339 } from '../shared/validation.ts';
export { fingerprint, isAcceptableUrl } from '../shared/validation.ts';

/**
 * Request validation for the ePayment API, hand-written for speed (no schema compiled or
 * walked per request). Two kinds of failure, as the real API reports them (vipps-facts §2.14):
 * - shape errors (missing field, wrong JSON type, enum, length, pattern) → 400 "Bad Request",
 *   detail "One or more validation errors occurred.", every problem listed in extraDetails
 *   as {name: <field path>, reason};
 * - business rules with a documented numeric code (4040, 4070, 5040, 6010 …) → the first
 *   failing rule, with extraDetails [{name:"ErrorCode"}, {name:<field>, reason}].
 * The spec (epayment-v1.yaml) decides shapes; §2.5 decides the codes.
 *
 * Over 300 lines: one validator per request body of the spec, in the spec's order; replacing
 * them with validators compiled from the spec (ajv) is issue 8's open item, measured first.
 */

export const MAX_AMOUNT = 65_000_000;
/** Business minimum per currency (§2.4): NOK 100 øre, DKK 1 øre, EUR 1 cent. */
export const MINIMUM_AMOUNT: Record<Currency, number> = { NOK: 100, DKK: 1, EUR: 1 };
export const SCOPES = ['name', 'address', 'email', 'phoneNumber', 'birthDate', 'nin'] as const;
const PAYMENT_METHODS = ['WALLET', 'CARD', 'CARD_PASSTHROUGH'] as const;
export type PaymentMethodType = (typeof PAYMENT_METHODS)[number];
const QR_FORMATS: readonly QrFormat[] = ['TEXT/TARGETURL', 'IMAGE/SVG+XML', 'IMAGE/PNG'];
const INTERACTIONS = ['CUSTOMER_PRESENT', 'CUSTOMER_NOT_PRESENT'];
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

// --- Receipt (Order Management `Receipt`, referenced by CreatePaymentRequest) -------------
const int = z.number().int();
const nullableOptional = <T extends z.ZodType>(t: T) => t.nullable().optional();
const ReceiptSchema = z.object({
  orderLines: z
    .array(
      z
        .looseObject({
          name: z.string(),
          id: z.string(),
          totalAmount: int,
          totalAmountExcludingTax: int,
          totalTaxAmount: int,
          taxRate: int.min(0).max(10000).optional(),
          taxPercentage: int.min(0).max(100).optional(),
          unitInfo: nullableOptional(
            z.looseObject({
              unitPrice: int.min(0).nullable(),
              quantity: z.string().max(10).regex(/^\d+([.]\d{1,8})?$/),
              quantityUnit: z.enum(['PCS', 'KG', 'KM', 'MINUTE', 'LITRE', 'KWH']).optional(),
            }),
          ),
          discount: nullableOptional(int.min(0)),
          productUrl: nullableOptional(z.string()),
          isReturn: nullableOptional(z.boolean()),
          isShipping: nullableOptional(z.boolean()),
        })
        .refine((l) => l.taxRate !== undefined || l.taxPercentage !== undefined, { message: 'taxRate (or the deprecated taxPercentage) is required', path: ['taxRate'] }),
    )
    .min(1),
  bottomLine: z.looseObject({
    currency: z.enum(['NOK', 'DKK', 'EUR']),
    tipAmount: nullableOptional(int.min(0)),
    posId: nullableOptional(z.string()),
    receiptNumber: nullableOptional(z.string()),
    barcode: nullableOptional(z.looseObject({ format: z.enum(['EAN-13', 'CODE 39', 'CODE 128']), data: z.string().nullable() })),
    paymentSources: nullableOptional(
      z.looseObject({ giftCard: nullableOptional(int), card: nullableOptional(int), voucher: nullableOptional(int), cash: nullableOptional(int) }),
    ),
  }),
});

const AIRLINE_FIELDS: [string, number, number, boolean][] = [
  ['agencyInvoiceNumber', 1, 6, true],
  ['airlineCode', 3, 3, true],
  ['airlineDesignatorCode', 2, 2, true],
  ['passengerName', 1, 49, true],
  ['ticketNumber', 1, 150, false],
];

function checkString(errs: ExtraDetail[], name: string, v: unknown, min?: number, max?: number): v is string {
  if (typeof v !== 'string') {
    errs.push({ name, reason: 'The value must be a string.' });
    return false;
  }
  if ((min !== undefined && v.length < min) || (max !== undefined && v.length > max)) {
    errs.push({ name, reason: max === undefined ? `The length must be at least ${min}.` : `The length must be between ${min ?? 0} and ${max}.` });
    return false;
  }
  return true;
}

/** Shape of `customer` (oneOf phoneNumber / personalQr / customerToken). */
function checkCustomerShape(errs: ExtraDetail[], name: string, v: unknown): CustomerInput | undefined {
  if (!isObject(v)) {
    errs.push({ name, reason: 'The value must be an object.' });
    return undefined;
  }
  const keys = (['phoneNumber', 'personalQr', 'customerToken'] as const).filter((k) => v[k] !== undefined && v[k] !== null);
  if (keys.length !== 1) {
    errs.push({
      name,
      reason:
        keys.length === 0
          ? 'Exactly one of phoneNumber, personalQr or customerToken is required.'
          : `Specify only one of phoneNumber, personalQr or customerToken (got ${keys.join(', ')}).`,
    });
    return undefined;
  }
  const key = keys[0];
  if (!checkString(errs, `${name}.${key}`, v[key])) return undefined;
  return { [key]: v[key] } as CustomerInput;
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
  const errs: ExtraDetail[] = [];

  // amount
  const amount = body.amount;
  let value: number | undefined;
  let currency: string | undefined;
  if (!present(amount)) errs.push({ name: 'amount', reason: REQUIRED });
  else if (!isObject(amount)) errs.push({ name: 'amount', reason: 'The value must be an object with currency and value.' });
  else {
    if (typeof amount.value !== 'number' || !Number.isFinite(amount.value)) errs.push({ name: 'amount.value', reason: present(amount.value) ? 'The value must be an integer (minor units).' : REQUIRED });
    else value = amount.value;
    if (typeof amount.currency !== 'string') errs.push({ name: 'amount.currency', reason: present(amount.currency) ? 'The value must be a string.' : REQUIRED });
    else currency = amount.currency;
  }

  // reference
  const ref = referencePattern(env.referenceMaxLength);
  if (!present(body.reference)) errs.push({ name: 'reference', reason: REQUIRED });
  else if (typeof body.reference !== 'string') errs.push({ name: 'reference', reason: 'The value must be a string.' });
  else if (!ref.regex.test(body.reference)) errs.push({ name: 'reference', reason: `must match ${ref.text}` });

  // paymentMethod
  let methodType: PaymentMethodType | undefined;
  if (!present(body.paymentMethod)) errs.push({ name: 'paymentMethod', reason: REQUIRED });
  else if (!isObject(body.paymentMethod)) errs.push({ name: 'paymentMethod', reason: 'The value must be an object.' });
  else if (!PAYMENT_METHODS.includes(body.paymentMethod.type)) errs.push({ name: 'paymentMethod.type', reason: 'must be one of WALLET, CARD (CARD_PASSTHROUGH for PSPs).' });
  else methodType = body.paymentMethod.type;

  // userFlow
  let userFlow: UserFlow | undefined;
  if (!present(body.userFlow)) errs.push({ name: 'userFlow', reason: REQUIRED });
  else if (!USER_FLOWS.includes(body.userFlow)) errs.push({ name: 'userFlow', reason: `must be one of ${USER_FLOWS.join(', ')}.` });
  else userFlow = body.userFlow;

  if (methodType === 'CARD' && userFlow && userFlow !== 'WEB_REDIRECT') errs.push({ name: 'paymentMethod.type', reason: 'CARD can only be combined with userFlow WEB_REDIRECT.' });

  if (present(body.returnUrl)) checkString(errs, 'returnUrl', body.returnUrl);
  const customer = present(body.customer) ? checkCustomerShape(errs, 'customer', body.customer) : undefined;
  if (present(body.customerInteraction) && !INTERACTIONS.includes(body.customerInteraction)) errs.push({ name: 'customerInteraction', reason: `must be one of ${INTERACTIONS.join(', ')}.` });
  if (present(body.paymentDescription)) checkString(errs, 'paymentDescription', body.paymentDescription, 3, 100);

  if (present(body.profile)) {
    if (!isObject(body.profile)) errs.push({ name: 'profile', reason: 'The value must be an object.' });
    else if (present(body.profile.scope)) checkString(errs, 'profile.scope', body.profile.scope);
  }

  if (present(body.metadata)) {
    if (!isObject(body.metadata)) errs.push({ name: 'metadata', reason: 'The value must be an object of string values.' });
    else for (const [k, v] of Object.entries(body.metadata)) if (typeof v !== 'string') errs.push({ name: `metadata.${k}`, reason: 'The value must be a string.' });
  }

  let expiresAtMs: number | undefined;
  if (present(body.expiresAt)) {
    if (typeof body.expiresAt !== 'string' || !RFC3339.test(body.expiresAt) || Number.isNaN(Date.parse(body.expiresAt)))
      errs.push({ name: 'expiresAt', reason: 'must be an RFC 3339 date-time, e.g. 2026-02-26T17:32:28Z' });
    else {
      expiresAtMs = Date.parse(body.expiresAt);
      if (userFlow && userFlow !== 'PUSH_MESSAGE' && userFlow !== 'QR') errs.push({ name: 'expiresAt', reason: 'expiresAt can only be combined with userFlow PUSH_MESSAGE or QR.' });
      if (methodType && methodType !== 'WALLET') errs.push({ name: 'expiresAt', reason: 'expiresAt can only be used with paymentMethod WALLET.' });
    }
  }

  let qrFormat: CreateInput['qrFormat'];
  if (present(body.qrFormat)) {
    const q = body.qrFormat;
    if (!isObject(q)) errs.push({ name: 'qrFormat', reason: 'The value must be an object.' });
    else {
      if (userFlow && userFlow !== 'QR') errs.push({ name: 'qrFormat', reason: 'qrFormat is only applicable when userFlow is QR.' });
      const format = q.format;
      if (!present(format)) errs.push({ name: 'qrFormat.format', reason: REQUIRED });
      else if (!QR_FORMATS.includes(format)) errs.push({ name: 'qrFormat.format', reason: `must be one of ${QR_FORMATS.join(', ')}.` });
      if (present(q.size) && (!Number.isInteger(q.size) || q.size < 100 || q.size > 2000)) errs.push({ name: 'qrFormat.size', reason: 'must be an integer between 100 and 2000.' });
      qrFormat = { format, size: q.size ?? undefined };
    }
  }

  if (present(body.receipt)) {
    const parsed = ReceiptSchema.safeParse(body.receipt);
    if (!parsed.success) for (const issue of parsed.error.issues) errs.push({ name: ['receipt', ...issue.path.map(String)].join('.'), reason: issue.message });
  }
  if (present(body.receiptUrl)) checkString(errs, 'receiptUrl', body.receiptUrl);

  if (present(body.industryData)) {
    if (!isObject(body.industryData)) errs.push({ name: 'industryData', reason: 'The value must be an object.' });
    else if (present(body.industryData.airlineData)) {
      const a = body.industryData.airlineData;
      if (!isObject(a)) errs.push({ name: 'industryData.airlineData', reason: 'The value must be an object.' });
      else
        for (const [field, min, max, required] of AIRLINE_FIELDS) {
          if (!present(a[field])) {
            if (required) errs.push({ name: `industryData.airlineData.${field}`, reason: REQUIRED });
          } else checkString(errs, `industryData.airlineData.${field}`, a[field], min, max);
        }
    }
  }

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
export function validateModification(body: unknown, paymentCurrency: string): number {
  const m = isObject(body) ? body.modificationAmount : undefined;
  if (!present(m)) throw validationError([{ name: 'modificationAmount', reason: REQUIRED }]);
  if (!isObject(m)) throw validationError([{ name: 'modificationAmount', reason: 'The value must be an object with currency and value.' }]);
  const errs: ExtraDetail[] = [];
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) errs.push({ name: 'modificationAmount.value', reason: present(m.value) ? 'The value must be an integer (minor units).' : REQUIRED });
  if (typeof m.currency !== 'string') errs.push({ name: 'modificationAmount.currency', reason: present(m.currency) ? 'The value must be a string.' : REQUIRED });
  else if (m.currency !== paymentCurrency) errs.push({ name: 'modificationAmount.currency', reason: `must be ${paymentCurrency}, the currency of the payment.` });
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
  const errs: ExtraDetail[] = [];
  const customer = present(body.customer) ? checkCustomerShape(errs, 'customer', body.customer) : undefined;
  if (present(body.token)) checkString(errs, 'token', body.token, 1);
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
