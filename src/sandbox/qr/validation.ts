import { QR_PNG_SIZE } from '../../contract/in-person.ts';
import { isObject, present } from '../shared/validation.ts';

/**
 * QR API request rules (qr-v1.yaml): the Accept and Size headers, MerchantRedirectQrRequest,
 * MerchantRedirectQrUpdateRequest and OneTimePaymentQrRequest. Each check returns the
 * spec's `invalidParams` entries (empty = fine) or the parsed value.
 */
export interface InvalidParam {
  name: string;
  reason: string;
}

/** What the QR's `url` is: an image, or (text/targetUrl) the content itself. */
export type QrFormat = 'png' | 'svg' | 'target';

/** The spec's `id` pattern and length (MerchantRedirectQrRequest.id). */
export const SPEC_ID_PATTERN = /^[-_+%æøåÆØÅ\w\s]*$/;
/** The spec's redirectUrl pattern; the sandbox also takes `http://` on loopback, as its other URL fields do. */
const SPEC_REDIRECT_URL = /^https:\/\/[\w.]+([\w#!:.?+=&%@\-/]+)?$/;
const LOOPBACK_REDIRECT_URL = /^http:\/\/(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])([\w#!:.?+=&%@\-/]+)?$/;
const TTL = { min: 300, max: 2147483647 };

export type AcceptAnswer = { format: QrFormat } | { status: 400 | 415; reason: string };

/** The first supported media type in Accept (`image/*` ⇒ SVG, the QR API's default image format). */
export function acceptedFormat(header: string | undefined, options: { target: boolean }): AcceptAnswer {
  if (header === undefined || header.trim() === '') return { status: 400, reason: 'The Accept header is required: image/png, image/svg+xml, image/* or text/targetUrl.' };
  for (const part of header.split(',')) {
    const type = part.split(';')[0].trim().toLowerCase();
    if (type === 'image/png') return { format: 'png' };
    if (type === 'image/svg+xml' || type === 'image/*') return { format: 'svg' };
    if (type === 'text/targeturl' && options.target) return { format: 'target' };
  }
  return { status: 415, reason: `Unsupported Accept "${header.slice(0, 100)}": use image/png, image/svg+xml, image/* or text/targetUrl.` };
}

/** The `Size` header: an integer 100–2000 (pixels, PNG only), or undefined. */
export function sizeOf(header: string | undefined): { size?: number } | InvalidParam {
  if (header === undefined || header.trim() === '') return {};
  const size = Number(header);
  if (!/^\s*\d+\s*$/.test(header) || size < QR_PNG_SIZE.min || size > QR_PNG_SIZE.max)
    return { name: 'Size', reason: `The Size header must be an integer from ${QR_PNG_SIZE.min} to ${QR_PNG_SIZE.max}.` };
  return { size };
}

export function redirectUrlProblem(value: unknown, name = 'RedirectUrl'): InvalidParam | undefined {
  if (typeof value !== 'string' || value === '') return { name, reason: `The ${name} field is required.` };
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !(SPEC_REDIRECT_URL.test(value) || LOOPBACK_REDIRECT_URL.test(value)))
    return { name, reason: `The field ${name} must match the regular expression '^https://[\\w\\.]+([\\w#!:.?+=&%@\\-/]+)?$'.` };
  return undefined;
}

export interface CreateInput {
  id: string;
  redirectUrl: string;
  ttl?: number;
}

export function validateCreate(body: unknown): CreateInput | InvalidParam[] {
  if (!isObject(body)) return [{ name: 'body', reason: 'A JSON object is required as the request body.' }];
  const problems: InvalidParam[] = [];
  const { id, redirectUrl, ttl } = body;
  if (typeof id !== 'string' || id.length === 0) problems.push({ name: 'Id', reason: 'The Id field is required.' });
  else if (id.length > 128) problems.push({ name: 'Id', reason: 'The field Id must be a string with a maximum length of 128.' });
  else if (!SPEC_ID_PATTERN.test(id)) problems.push({ name: 'Id', reason: "The field Id must match the regular expression '^[-_+%æøåÆØÅ\\w\\s]*$'." });
  const url = redirectUrlProblem(redirectUrl);
  if (url) problems.push(url);
  if (present(ttl) && !(Number.isInteger(ttl) && ttl >= TTL.min && ttl <= TTL.max))
    problems.push({ name: 'Ttl', reason: `The field Ttl must be an integer between ${TTL.min} and ${TTL.max} (seconds).` });
  if (problems.length > 0) return problems;
  return { id, redirectUrl, ...(present(ttl) ? { ttl } : {}) };
}

export function validateUpdate(body: unknown): { redirectUrl: string } | InvalidParam[] {
  if (!isObject(body)) return [{ name: 'body', reason: 'A JSON object is required as the request body.' }];
  const problem = redirectUrlProblem(body.redirectUrl);
  return problem ? [problem] : { redirectUrl: body.redirectUrl };
}

/** OneTimePaymentQrRequest: `url`, the payment's landing page URL; its `token` names the payment. */
export function landingTokenOf(body: unknown, publicUrl: string): string | InvalidParam[] {
  if (!isObject(body) || typeof body.url !== 'string' || body.url.trim() === '') return [{ name: 'Url', reason: 'The Url field is required.' }];
  let url: URL;
  try {
    url = new URL(body.url.trim());
  } catch {
    return [{ name: 'Url', reason: 'The Url field is not a valid URL.' }];
  }
  const token = url.searchParams.get('token');
  const ours = `${url.origin}${url.pathname}` === `${publicUrl}/landing`;
  if (!ours || !token) return [{ name: 'Url', reason: 'Supplied landing page token is not valid' }];
  return token;
}
