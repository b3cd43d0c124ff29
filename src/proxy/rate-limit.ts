/**
 * A token bucket that queues instead of refusing: golive must not push a shared test API over
 * its limits, but holding a request back a little is no answer of Vipps', so nothing is
 * rejected — requests wait their turn in arrival order. (A 429 the upstream sends anyway goes to
 * the integration untouched: backing off is the integration's business.)
 */
export interface RateLimit {
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell (default 1: evenly spaced). */
  burst?: number;
}

export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly queue: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(limit: RateLimit) {
    if (!(limit.requestsPerSecond > 0)) throw new RangeError(`rateLimit.requestsPerSecond must be > 0 (got ${limit.requestsPerSecond})`);
    this.capacity = Math.max(1, limit.burst ?? 1);
    this.perMs = limit.requestsPerSecond / 1000;
    this.tokens = this.capacity;
  }

  /** Resolves when the request may go. */
  take(): Promise<void> {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Refuse every waiting request (the proxy is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) w.reject(new Error('golive proxy closed while the request waited for the rate limit'));
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, (1 - this.tokens) / this.perMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()!.resolve();
      }
      this.schedule();
    }, Math.ceil(wait));
  }
}
