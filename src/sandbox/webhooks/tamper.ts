import { randomBytes } from 'node:crypto';
import type { OutboundRequest } from '../shared/outbound.ts';
import { httpDate, sign } from './signer.ts';

/** Forgeries the control API can send, to prove a receiver checks authenticity. */
export const TAMPER_MODES = ['none', 'signature', 'body', 'date', 'stale-date', 'missing-signature'] as const;
export type TamperMode = (typeof TAMPER_MODES)[number];

/** A webhook POST for the shared outbound module: HMAC-signed per attempt, possibly forged. */
export function webhookRequest(url: string, secret: string, body: string, tamper: TamperMode = 'none'): OutboundRequest {
  const signer = (u: string, b: string, now: number) => ({ ...sign(secret, u, b, now) });
  if (tamper === 'none') return { url, body, signer };
  return { url, body, signer, tamper: ({ headers, now }) => forge(tamper, { url, secret, body, headers, now }) };
}

function forge(mode: Exclude<TamperMode, 'none'>, r: { url: string; secret: string; body: string; headers: Record<string, string>; now: number }) {
  const hourAgo = r.now - 3600_000;
  switch (mode) {
    case 'signature':
      return { headers: { ...sign(randomBytes(64).toString('base64'), r.url, r.body, r.now) }, body: r.body };
    case 'body':
      return { headers: r.headers, body: alterBody(r.body) };
    case 'date':
      // Signed over the real date, then the header is moved an hour back: the HMAC no longer matches.
      return { headers: { ...r.headers, 'x-ms-date': httpDate(hourAgo) }, body: r.body };
    case 'stale-date':
      // Correctly signed, but an hour old (a replay); only a freshness check catches it.
      return { headers: { ...sign(r.secret, r.url, r.body, hourAgo) }, body: r.body };
    case 'missing-signature': {
      const { authorization: _drop, ...rest } = r.headers;
      return { headers: rest, body: r.body };
    }
  }
}

/** Change a signed body the way an attacker would: more money, or an extra field. */
export function alterBody(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const amount = (parsed as any).amount;
      if (amount && typeof amount === 'object' && typeof amount.value === 'number') {
        return JSON.stringify({ ...parsed, amount: { ...amount, value: amount.value + 100 } });
      }
      return JSON.stringify({ ...parsed, tampered: true });
    }
  } catch {
    /* not JSON */
  }
  return body + ' ';
}
