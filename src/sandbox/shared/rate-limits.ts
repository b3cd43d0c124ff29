import type { Clock } from '../clock.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { SandboxSettings } from '../settings.ts';

/**
 * The per-payment rate limits every payment API has (ePayment §2.15, eCom §6.5): modifications
 * per reference + MSN, reads per reference + subscription key, per minute on the sandbox clock,
 * with the limits from the sandbox settings. Each API answers a refusal in its own shape.
 */
export class PaymentRateLimits {
  private readonly modify = new RateLimiter();
  private readonly read = new RateLimiter();

  constructor(private readonly deps: { clock: Clock; settings: Pick<SandboxSettings, 'rateLimits'> }) {}

  /**
   * Count one request. Undefined while within the limit; else the limit and the seconds for
   * Retry-After. `limit` overrides the setting where an API documents a stricter one.
   */
  hit(kind: 'modify' | 'read', key: string, limit?: number): { limit: number; retryAfter: number } | undefined {
    const limits = this.deps.settings.rateLimits;
    if (!limits.enabled) return undefined;
    const limiter = kind === 'read' ? this.read : this.modify;
    const max = limit ?? (kind === 'read' ? limits.readPerMinute : limits.modifyPerMinute);
    const now = this.deps.clock.now();
    if (limiter.hit(key, max, now)) return undefined;
    return { limit: max, retryAfter: limiter.retryAfter(key, now) };
  }
}
