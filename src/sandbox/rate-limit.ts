/**
 * Fixed-window counters (per minute on the real API, §2.15). Windows are read from the
 * sandbox clock, so moving the clock resets them just as waiting would.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly windowMs = 60_000) {}

  /** Count one request for `key`; true when it is within `limit` for the current window. */
  hit(key: string, limit: number, now: number): boolean {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 100_000) this.prune(now);
      return 1 <= limit;
    }
    w.count++;
    return w.count <= limit;
  }

  /** Seconds until the window for `key` resets (for Retry-After). */
  retryAfter(key: string, now: number): number {
    const w = this.windows.get(key);
    return w ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 1;
  }

  prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
