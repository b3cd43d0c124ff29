/**
 * Vipps' request signature (Webhooks API "request authentication", also offered for the card
 * callback keyed with the PSP's client secret): HMAC-SHA256 over
 * "POST\n<path and query>\n<x-ms-date>;<host>;<x-ms-content-sha256>", the key being the secret
 * string's UTF-8 bytes (not base64-decoded), checked against the raw body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const HMAC_PREFIX = 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=';

export function contentHash(rawBody: Buffer | string): string {
  return createHash('sha256').update(rawBody).digest('base64');
}

export function signature(secret: string, method: string, pathAndQuery: string, date: string, host: string, hash: string): string {
  const toSign = `${method}\n${pathAndQuery}\n${date};${host};${hash}`;
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(toSign, 'utf8').digest('base64');
}

/** Headers a sender puts on a signed POST (used by the tests' fake Vipps). */
export function signRequest(secret: string, url: string, rawBody: string, date = new Date().toUTCString()): Record<string, string> {
  const u = new URL(url);
  const hash = contentHash(rawBody);
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': hash,
    authorization: HMAC_PREFIX + signature(secret, 'POST', u.pathname + u.search, date, u.host, hash),
  };
}

/** Constant-time string comparison (different lengths compare unequal without a shortcut on content). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export interface SignedRequest {
  method: string;
  pathAndQuery: string;
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Whether the request carries Vipps' HMAC headers at all. */
export function hasHmacHeaders(req: Pick<SignedRequest, 'headers'>): boolean {
  const auth = one(req.headers.authorization) ?? '';
  return Boolean(one(req.headers['x-ms-date']) && one(req.headers['x-ms-content-sha256']) && auth.startsWith('HMAC-SHA256 '));
}

/** Verify body hash and signature; false on any missing or wrong part. */
export function verifyHmac(secret: string, req: SignedRequest): boolean {
  const date = one(req.headers['x-ms-date']);
  const hash = one(req.headers['x-ms-content-sha256']);
  const auth = one(req.headers.authorization);
  if (!date || !hash || !auth || !req.host) return false;
  if (!safeEqual(contentHash(req.rawBody), hash)) return false;
  const expected = HMAC_PREFIX + signature(secret, req.method, req.pathAndQuery, date, req.host, hash);
  return safeEqual(expected, auth);
}
