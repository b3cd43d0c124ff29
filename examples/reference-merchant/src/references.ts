/**
 * Payment references, as Vipps recommends them: unique per sales unit, 8–64 characters of
 * [a-zA-Z0-9-], readable (the customer sees it in the app), starting with something that says
 * which shop it is, never digits only, no leading zeros, and a new reference per payment
 * attempt (`-1`, `-2`, … on the same order number).
 *
 *   acme-shop-mf3k2x9q-7b2-1
 *   └prefix─┘ └order no.─┘ └attempt
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Faults } from './config.ts';

export const REFERENCE_PATTERN = /^[a-zA-Z0-9-]{8,64}$/;

export class ReferenceGenerator {
  private sequence = 10_000_000;
  private lastTime = 0;
  private seeded = 1000;

  constructor(
    private readonly prefix: string,
    private readonly faults: Faults,
    /** Deterministic order numbers (config `referenceSeed`): same seed ⇒ same sequence, on purpose. */
    private readonly seed?: string,
  ) {}

  /**
   * A new order number: time-based (base 36, so it sorts and never starts with 0; strictly
   * increasing within this process) plus a random part, so two shop instances or a restart
   * cannot produce the same one.
   */
  orderNumber(): string {
    if (this.faults.has('weak-references')) return String(++this.sequence);
    if (this.seed !== undefined) {
      // 1001-3fa2, 1002-9c0e, …: as unique as the seed is (a test shares it to make a collision).
      const n = ++this.seeded;
      return `${n}-${createHash('sha256').update(`${this.seed}:${n}`).digest('hex').slice(0, 4)}`;
    }
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return `${this.lastTime.toString(36)}-${randomBytes(2).toString('hex')}`;
  }

  /** The reference of one payment attempt for an order. */
  reference(orderNumber: string, attempt: number): string {
    if (this.faults.has('weak-references')) return attempt === 1 ? orderNumber : String(++this.sequence);
    const reference = `${this.prefix}-${orderNumber}-${attempt}`;
    if (!REFERENCE_PATTERN.test(reference)) throw new Error(`reference ${reference} does not follow the rules`);
    return reference;
  }
}
