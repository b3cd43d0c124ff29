import { randomBytes } from 'node:crypto';

/**
 * Landing tokens: the opaque `?token=` of a payment's landing page and QR image, for every
 * API. 24 random bytes, base64url, drawn from a pooled buffer (refilled 1024 tokens at a time),
 * because one randomBytes() call per create costs more than the create.
 */
const TOKEN_BYTES = 24;
let tokenPool = Buffer.alloc(0);
let tokenOffset = 0;

export function landingToken(): string {
  if (tokenOffset + TOKEN_BYTES > tokenPool.length) {
    tokenPool = randomBytes(TOKEN_BYTES * 1024);
    tokenOffset = 0;
  }
  const token = tokenPool.toString('base64url', tokenOffset, tokenOffset + TOKEN_BYTES);
  tokenOffset += TOKEN_BYTES;
  return token;
}

/** The landing page URL for a token (what redirect URLs and QR codes point at). */
export function landingPageUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/landing?token=${encodeURIComponent(token)}`;
}
