/**
 * Polling GET …/details at the guideline pace: first read 5 s after initiate, then every 2 s
 * until the customer has decided (reserved, captured, cancelled, failed), then stop. A 429
 * backs off (Retry-After, at least double the interval, ≤ 30 s). Gives up after the payment
 * window. Timers are injected so the schedule can be tested without waiting.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: Date.now,
};

export interface PollResult {
  /** The customer has decided: nothing more to wait for. */
  decided: boolean;
  /** Wait at least this long before the next read (a 429's Retry-After). */
  backoffMs?: number;
}

export interface PollerOptions {
  firstMs: number;
  intervalMs: number;
  giveUpMs: number;
  /** Fault `poll-after-final`: keep reading after the decision, until giving up. */
  keepAfterFinal?: boolean;
}

const MAX_BACKOFF_MS = 30_000;

export class Poller {
  private readonly active = new Map<string, { handle: unknown; startedAt: number; backoffs: number }>();

  constructor(
    private readonly options: PollerOptions,
    /** Reads details once and books the result. Must not throw for network trouble (return decided: false). */
    private readonly read: (orderId: string) => Promise<PollResult>,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  start(orderId: string): void {
    if (this.active.has(orderId)) return;
    const entry = { handle: undefined as unknown, startedAt: this.timers.now(), backoffs: 0 };
    this.active.set(orderId, entry);
    this.schedule(orderId, this.options.firstMs);
  }

  isPolling(orderId: string): boolean {
    return this.active.has(orderId);
  }

  stop(orderId: string): void {
    const entry = this.active.get(orderId);
    if (entry) this.timers.clearTimeout(entry.handle);
    this.active.delete(orderId);
  }

  stopAll(): void {
    for (const id of [...this.active.keys()]) this.stop(id);
  }

  private schedule(orderId: string, ms: number): void {
    const entry = this.active.get(orderId);
    if (entry) entry.handle = this.timers.setTimeout(() => void this.tick(orderId), ms);
  }

  private async tick(orderId: string): Promise<void> {
    const entry = this.active.get(orderId);
    if (!entry) return;
    let result: PollResult;
    try {
      result = await this.read(orderId);
    } catch {
      result = { decided: false };
    }
    if (!this.active.has(orderId)) return; // stopped while reading
    if ((result.decided && !this.options.keepAfterFinal) || this.timers.now() - entry.startedAt >= this.options.giveUpMs) {
      this.stop(orderId);
      return;
    }
    if (result.backoffMs !== undefined) {
      entry.backoffs++;
      const doubled = this.options.intervalMs * 2 ** entry.backoffs;
      this.schedule(orderId, Math.min(MAX_BACKOFF_MS, Math.max(result.backoffMs, doubled)));
    } else {
      entry.backoffs = 0;
      this.schedule(orderId, this.options.intervalMs);
    }
  }
}
