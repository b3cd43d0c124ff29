import { landingToken } from '../shared/landing-tokens.ts';

/**
 * Merchant-redirect QR codes (QR API, qr-v1.yaml), apart from HTTP. One record per printed
 * code: its opaque `token` is both the image URL's and the scanned content's, so a PUT
 * (new redirectUrl) keeps the printed code working. Time is the sandbox clock.
 *
 * Decisions where the docs are silent: DELETE is permanent for that code (its scans say
 * `deleted-qr` for good) but frees the id, so a later create with the same id prints a new
 * code; an expired code (`ttl`) is gone from the API the same way and scans say `expired-qr`.
 */
export interface MerchantRedirectQr {
  msn: string;
  id: string;
  token: string;
  redirectUrl: string;
  createdAt: number;
  updatedAt: number;
  /** Set with `ttl` (sandbox ms); never expires otherwise. */
  expiresAt?: number;
  deletedAt?: number;
}

export type QrStatus = 'active' | 'expired' | 'deleted';

export class MerchantRedirectStore {
  private readonly byToken = new Map<string, MerchantRedirectQr>();
  /** The latest code per MSN + id (also once deleted or expired, for scans by id). */
  private readonly latest = new Map<string, MerchantRedirectQr>();

  constructor(private readonly clock: { now(): number }) {}

  private key(msn: string, id: string): string {
    return `${msn}\u0000${id}`;
  }

  status(qr: MerchantRedirectQr): QrStatus {
    if (qr.deletedAt !== undefined) return 'deleted';
    if (qr.expiresAt !== undefined && this.clock.now() >= qr.expiresAt) return 'expired';
    return 'active';
  }

  /** The active code with this id, if any. */
  get(msn: string, id: string): MerchantRedirectQr | undefined {
    const qr = this.latest.get(this.key(msn, id));
    return qr && this.status(qr) === 'active' ? qr : undefined;
  }

  /** The latest code with this id in any status (scans by id). */
  latestOf(msn: string, id: string): MerchantRedirectQr | undefined {
    return this.latest.get(this.key(msn, id));
  }

  byTokenOf(token: string): MerchantRedirectQr | undefined {
    return this.byToken.get(token);
  }

  /** Undefined when an active code already has this id (409). */
  create(msn: string, id: string, redirectUrl: string, ttlSeconds?: number): MerchantRedirectQr | undefined {
    if (this.get(msn, id)) return undefined;
    const now = this.clock.now();
    const qr: MerchantRedirectQr = { msn, id, token: landingToken(), redirectUrl, createdAt: now, updatedAt: now };
    if (ttlSeconds !== undefined) qr.expiresAt = now + ttlSeconds * 1000;
    this.byToken.set(qr.token, qr);
    this.latest.set(this.key(msn, id), qr);
    return qr;
  }

  update(msn: string, id: string, redirectUrl: string): MerchantRedirectQr | undefined {
    const qr = this.get(msn, id);
    if (!qr) return undefined;
    qr.redirectUrl = redirectUrl;
    qr.updatedAt = this.clock.now();
    return qr;
  }

  delete(msn: string, id: string): boolean {
    const qr = this.get(msn, id);
    if (!qr) return false;
    qr.deletedAt = this.clock.now();
    return true;
  }

  /** The MSN's active codes, oldest first. */
  list(msn: string): MerchantRedirectQr[] {
    return [...this.latest.values()].filter((qr) => qr.msn === msn && this.status(qr) === 'active').sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Seconds left (a started second counts), -1 for a code without ttl (the spec's `expiresIn`). */
  expiresIn(qr: MerchantRedirectQr): number {
    if (qr.expiresAt === undefined) return -1;
    return Math.max(0, Math.ceil((qr.expiresAt - this.clock.now()) / 1000));
  }
}
