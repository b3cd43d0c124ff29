/**
 * A tiny acquirer stub standing in for the PSP's card acquirer (test behaviour by card number):
 * numbers ending in 0002 are refused by the issuer, 0051 have insufficient funds, 0069 are
 * expired cards (both modes share it: card passthrough's network tokens, the PSP API's
 * decrypted card numbers and v3 network tokens), numbers ending in 3220 need
 * 3-D Secure (the first authorisation is a soft decline; after the challenge the issuer
 * approves), everything else is approved. It keeps reservations so capture, refund and release
 * are checked against what was really authorised.
 */
import { randomInt } from 'node:crypto';

export type AuthorizeResult =
  | { outcome: 'approved'; networkTransactionReference: string }
  | { outcome: 'declined'; code: number; message: string; reason: DeclineReason }
  | { outcome: '3ds-required' };

export interface AuthorizeRequest {
  /** The card (network token) number. */
  number: string;
  /** The card type the PSP processes with (an allowed-type word, e.g. VISA_DANKORT). */
  cardType: string;
  amount: number;
  currency: string;
  /** The cardholder completed 3-D Secure for this authorisation. */
  threeDSecureDone?: boolean;
}

export interface Reservation {
  networkTransactionReference: string;
  cardType: string;
  amount: number;
  captured: number;
  refunded: number;
  released: number;
}

/** Why the acquirer declined: each PSP mode maps it to its own answer (codes, errorIds). */
export type DeclineReason = 'refused' | 'insufficient-funds' | 'expired-card' | 'invalid-card' | 'invalid-amount';

export const DECLINE_SUFFIX = '0002';
export const INSUFFICIENT_FUNDS_SUFFIX = '0051';
export const EXPIRED_CARD_SUFFIX = '0069';
export const THREE_DS_SUFFIX = '3220';
export const REFUSED_BY_ISSUER = { code: 300, message: 'Refused by Issuer' } as const;

export class AcquirerError extends Error {}

export class AcquirerStub {
  private readonly reservations = new Map<string, Reservation>();
  /** Every authorisation asked of the acquirer, in order (the PSP's processing record). */
  readonly log: { number: string; cardType: string; amount: number; threeDSecureDone: boolean; outcome: AuthorizeResult['outcome'] }[] = [];

  authorize(req: AuthorizeRequest): AuthorizeResult {
    const result = this.decide(req);
    this.log.push({ number: mask(req.number), cardType: req.cardType, amount: req.amount, threeDSecureDone: Boolean(req.threeDSecureDone), outcome: result.outcome });
    if (result.outcome === 'approved') {
      this.reservations.set(result.networkTransactionReference, {
        networkTransactionReference: result.networkTransactionReference,
        cardType: req.cardType,
        amount: req.amount,
        captured: 0,
        refunded: 0,
        released: 0,
      });
    }
    return result;
  }

  private decide(req: AuthorizeRequest): AuthorizeResult {
    if (!/^\d{12,19}$/.test(req.number)) return { outcome: 'declined', code: 301, message: 'Invalid card number', reason: 'invalid-card' };
    if (req.number.endsWith(DECLINE_SUFFIX)) return { outcome: 'declined', ...REFUSED_BY_ISSUER, reason: 'refused' };
    if (req.number.endsWith(INSUFFICIENT_FUNDS_SUFFIX)) return { outcome: 'declined', code: 308, message: 'Insufficient funds', reason: 'insufficient-funds' };
    if (req.number.endsWith(EXPIRED_CARD_SUFFIX)) return { outcome: 'declined', code: 309, message: 'Expired card', reason: 'expired-card' };
    if (req.number.endsWith(THREE_DS_SUFFIX) && !req.threeDSecureDone) return { outcome: '3ds-required' };
    if (!Number.isInteger(req.amount) || req.amount < 0) return { outcome: 'declined', code: 302, message: 'Invalid amount', reason: 'invalid-amount' };
    return { outcome: 'approved', networkTransactionReference: String(randomInt(100_000_000, 999_999_999)) + String(randomInt(1000, 9999)) };
  }

  get(ntr: string): Reservation | undefined {
    return this.reservations.get(ntr);
  }

  /** Amount still reserved (authorised, neither captured nor released). */
  remaining(ntr: string): number {
    const r = this.must(ntr);
    return r.amount - r.captured - r.released;
  }

  capture(ntr: string, amount: number): void {
    const r = this.must(ntr);
    if (amount <= 0 || amount > this.remaining(ntr)) throw new AcquirerError(`cannot capture ${amount}: ${this.remaining(ntr)} reserved`);
    r.captured += amount;
  }

  refund(ntr: string, amount: number): void {
    const r = this.must(ntr);
    if (amount <= 0 || amount > r.captured - r.refunded) throw new AcquirerError(`cannot refund ${amount}: ${r.captured - r.refunded} captured and not refunded`);
    r.refunded += amount;
  }

  /** Release what is still reserved; returns the released amount. */
  release(ntr: string): number {
    const r = this.must(ntr);
    const left = this.remaining(ntr);
    r.released += left;
    return left;
  }

  private must(ntr: string): Reservation {
    const r = this.reservations.get(ntr);
    if (!r) throw new AcquirerError(`no reservation ${ntr}`);
    return r;
  }
}

/** First six and last four digits, the rest as X (never log a whole card number). */
export function mask(number: string): string {
  if (number.length < 11) return 'X'.repeat(number.length);
  return number.slice(0, 6) + 'X'.repeat(number.length - 10) + number.slice(-4);
}
