import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhooks API v1 request authentication (HMAC-SHA256), as vipps-facts.md §3.4 restates
 * the official `request-authentication.md`. Pure functions, no sandbox state: the sandbox's
 * dispatcher signs with them, the reference merchant verifies with them, golive's checks
 * explain verdicts with them.
 *
 *   contentHash  = base64(SHA-256(raw body bytes))                       → x-ms-content-sha256
 *   stringToSign = "POST\n" + pathAndQuery + "\n" + xMsDate + ";" + host + ";" + contentHash
 *   signature    = base64(HMAC-SHA256(key = UTF-8 bytes of the secret string, stringToSign))
 *   Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<signature>
 *
 * The secret is used as given (NOT base64-decoded, even when it looks like base64);
 * `host` is the URL authority, `:port` included when not the scheme's default.
 */

export const SIGNED_HEADERS = 'x-ms-date;host;x-ms-content-sha256';
export const AUTHORIZATION_PREFIX = `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}&Signature=`;

/** Raw body as sent/received: a string is taken as UTF-8. */
export type BodyInput = string | Uint8Array;
export type HeaderBag = Record<string, string | string[] | undefined>;

const bytes = (body: BodyInput): Uint8Array => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

/** base64(SHA-256(body)) — the `x-ms-content-sha256` value. */
export function computeContentHash(body: BodyInput): string {
  return createHash('sha256').update(bytes(body)).digest('base64');
}

/** RFC 7231 IMF-fixdate, e.g. `Thu, 30 Mar 2023 08:38:32 GMT` (the `x-ms-date` format). */
export function httpDate(time: number | Date): string {
  return (typeof time === 'number' ? new Date(time) : time).toUTCString();
}

/** Path + query (JS `url.pathname + url.search`, C# `Uri.PathAndQuery`) and authority (`url.host`). */
export function urlParts(url: string | URL): { pathAndQuery: string; host: string } {
  const u = typeof url === 'string' ? new URL(url) : url;
  return { pathAndQuery: u.pathname + u.search, host: u.host };
}

export interface StringToSignInput {
  /** Default `POST` (every delivery is a POST). */
  method?: string;
  pathAndQuery: string;
  /** The `x-ms-date` header value, verbatim. */
  date: string;
  host: string;
  contentHash: string;
}

/** `METHOD\npathAndQuery\ndate;host;contentHash` — LF separators, no trailing newline. */
export function stringToSign({ method = 'POST', pathAndQuery, date, host, contentHash }: StringToSignInput): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
}

/** base64(HMAC-SHA256(UTF-8 secret, UTF-8 stringToSign)). */
export function computeSignature(secret: string, toSign: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(toSign, 'utf8')).digest('base64');
}

export function authorizationHeader(signature: string): string {
  return AUTHORIZATION_PREFIX + signature;
}

/** The headers of a signed delivery (lower-case names, ready for an HTTP client). */
export interface SignedHeaders {
  'content-type': string;
  host: string;
  'x-ms-date': string;
  'x-ms-content-sha256': string;
  authorization: string;
}

export interface SignatureDetails {
  headers: SignedHeaders;
  contentHash: string;
  stringToSign: string;
  signature: string;
}

/** Like sign(), also returning the intermediate values (for docs, reports and debugging). */
export function signDetailed(secret: string, url: string | URL, body: BodyInput, date: string | number | Date): SignatureDetails {
  const { pathAndQuery, host } = urlParts(url);
  const xMsDate = typeof date === 'string' ? date : httpDate(date);
  const contentHash = computeContentHash(body);
  const toSign = stringToSign({ pathAndQuery, date: xMsDate, host, contentHash });
  const signature = computeSignature(secret, toSign);
  return {
    headers: {
      'content-type': 'application/json',
      host,
      'x-ms-date': xMsDate,
      'x-ms-content-sha256': contentHash,
      authorization: authorizationHeader(signature),
    },
    contentHash,
    stringToSign: toSign,
    signature,
  };
}

/**
 * Sign a delivery of `body` (exact bytes) to `url` at `date` (an `x-ms-date` string, or a
 * time that is formatted as one). Returns the headers to send.
 */
export function sign(secret: string, url: string | URL, body: BodyInput, date: string | number | Date): SignedHeaders {
  return signDetailed(secret, url, body, date).headers;
}

export type VerifyFailureReason =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'missing-date'
  | 'missing-content-hash'
  | 'missing-host'
  | 'content-hash-mismatch'
  | 'signature-mismatch'
  | 'invalid-date'
  | 'stale-date';

export type VerifyVerdict =
  | { ok: true; contentHash: string; stringToSign: string }
  | { ok: false; reason: VerifyFailureReason; detail: string };

export interface VerifyInput {
  /** The secret returned when the webhook was registered. */
  secret: string;
  /** The raw body bytes as received (never re-serialised JSON). */
  body: BodyInput;
  /** Request headers as received; names in any case. */
  headers: HeaderBag;
  /** Default `POST`. */
  method?: string;
  /** The registered URL (gives path + query and host). */
  url?: string | URL;
  /** Path + query as received (e.g. node:http `req.url`); used when `url` is absent. */
  pathAndQuery?: string;
  /** Authority that was signed; default: from `url`, else the `Host` header. */
  host?: string;
  /**
   * Optional freshness check (not required by the Webhooks API docs): with `now` (epoch ms),
   * an `x-ms-date` further than `maxSkewMs` (default 15 minutes) from it is rejected.
   */
  now?: number;
  maxSkewMs?: number;
}

function headerOf(headers: HeaderBag, name: string): string | undefined {
  for (const key in headers) {
    if (key.toLowerCase() === name) {
      const v = headers[key];
      return Array.isArray(v) ? v[0] : v;
    }
  }
  return undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  // Compare equal-length buffers always, so the timing does not reveal where they differ.
  const equalLength = ab.length === bb.length;
  return timingSafeEqual(equalLength ? ab : bb, bb) && equalLength;
}

const fail = (reason: VerifyFailureReason, detail: string): VerifyVerdict => ({ ok: false, reason, detail });

/**
 * Verify a received delivery. Checks, in order: Authorization present and of the documented
 * form, x-ms-date and x-ms-content-sha256 present, the content hash against the raw body,
 * the HMAC over the received x-ms-date, host and content hash (constant-time), then the
 * optional date freshness.
 */
export function verify(input: VerifyInput): VerifyVerdict {
  const { secret, body, headers } = input;
  const authorization = headerOf(headers, 'authorization');
  if (!authorization) return fail('missing-authorization', 'no Authorization header');
  if (!authorization.startsWith(AUTHORIZATION_PREFIX) || authorization.length === AUTHORIZATION_PREFIX.length) {
    return fail('malformed-authorization', `Authorization is not "${AUTHORIZATION_PREFIX}<signature>"`);
  }
  const date = headerOf(headers, 'x-ms-date');
  if (!date) return fail('missing-date', 'no x-ms-date header');
  const claimedHash = headerOf(headers, 'x-ms-content-sha256');
  if (!claimedHash) return fail('missing-content-hash', 'no x-ms-content-sha256 header');

  const contentHash = computeContentHash(body);
  if (!constantTimeEqual(contentHash, claimedHash)) {
    return fail('content-hash-mismatch', `x-ms-content-sha256 ${claimedHash} does not match the body (${contentHash})`);
  }

  let pathAndQuery = input.pathAndQuery;
  let host = input.host;
  if (input.url !== undefined) {
    const parts = urlParts(input.url);
    pathAndQuery ??= parts.pathAndQuery;
    host ??= parts.host;
  }
  host ??= headerOf(headers, 'host');
  if (!host) return fail('missing-host', 'no host to verify against (give url or host, or send a Host header)');
  pathAndQuery ??= '/';

  const toSign = stringToSign({ method: input.method ?? 'POST', pathAndQuery, date, host, contentHash });
  const expected = authorizationHeader(computeSignature(secret, toSign));
  if (!constantTimeEqual(expected, authorization)) {
    return fail('signature-mismatch', 'the HMAC-SHA256 signature does not match (wrong secret, date, host, path or body)');
  }

  if (input.now !== undefined) {
    const at = Date.parse(date);
    if (Number.isNaN(at)) return fail('invalid-date', `x-ms-date "${date}" is not an HTTP date`);
    const maxSkew = input.maxSkewMs ?? 15 * 60_000;
    if (Math.abs(input.now - at) > maxSkew) {
      return fail('stale-date', `x-ms-date is ${Math.round((input.now - at) / 1000)} s away from now (allowed ±${Math.round(maxSkew / 1000)} s)`);
    }
  }
  return { ok: true, contentHash, stringToSign: toSign };
}
