import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Merchant } from './merchants.ts';
import type { Partner } from './partners.ts';
import type { Psp } from './psps.ts';

export interface IssuedToken {
  token: string;
  /** Whose token: a merchant's (acts for its own MSN), a PSP's or a partner's (act for their sales units). */
  merchant?: Merchant;
  psp?: Psp;
  partner?: Partner;
  issuedAt: number; // ms, sandbox clock
  expiresAt: number; // ms, sandbox clock
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/**
 * Access tokens: JWT-shaped strings (header.payload.signature) so clients that decode them
 * work, looked up in a map on use (cheaper than verifying a signature per request).
 * Expired tokens are swept when the store grows, so it stays bounded by live tokens.
 */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly key = randomBytes(32);
  private sweepAt = 10_000;

  /** A token for a merchant, a PSP (`{psp}`) or a partner (`{partner}`). */
  issue(owner: Merchant | { psp: Psp } | { partner: Partner }, now: number, lifetimeSeconds: number): IssuedToken {
    const who: { merchant?: Merchant; psp?: Psp; partner?: Partner } = 'psp' in owner ? { psp: owner.psp } : 'partner' in owner ? { partner: owner.partner } : { merchant: owner };
    const clientId = (who.psp ?? who.partner ?? who.merchant!).clientId;
    const iat = Math.floor(now / 1000);
    const exp = iat + lifetimeSeconds;
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'golive-sandbox' }));
    const payload = b64url(
      JSON.stringify({
        aud: '00000002-0000-0000-c000-000000000000',
        iss: 'https://golive.sandbox/accesstoken',
        iat,
        nbf: iat,
        exp,
        sub: clientId,
        tid: 'golive-sandbox',
        jti: randomUUID(),
        appid: clientId,
        ...(who.psp ? { pspId: who.psp.pspId } : who.partner ? { partnerId: who.partner.id } : { msn: who.merchant!.msn }),
        env: 'test',
      }),
    );
    const signature = createHmac('sha256', this.key).update(`${header}.${payload}`).digest('base64url');
    const issued: IssuedToken = { token: `${header}.${payload}.${signature}`, ...who, issuedAt: iat * 1000, expiresAt: exp * 1000 };
    this.tokens.set(issued.token, issued);
    if (this.tokens.size > this.sweepAt) this.sweep(now);
    return issued;
  }

  /** The token's record, `expired`, or undefined when unknown. */
  verify(token: string, now: number): IssuedToken | 'expired' | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (now >= issued.expiresAt) return 'expired';
    return issued;
  }

  sweep(now: number): void {
    for (const [token, issued] of this.tokens) if (now >= issued.expiresAt) this.tokens.delete(token);
    this.sweepAt = Math.max(10_000, this.tokens.size * 2);
  }

  get size(): number {
    return this.tokens.size;
  }
}
