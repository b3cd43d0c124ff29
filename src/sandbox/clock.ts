/**
 * The sandbox clock. Every time-dependent rule (payment expiry, token lifetime, webhook
 * retry back-off, signature dates, rate-limit windows) reads this clock, never Date.now(),
 * so tests can move time forward instead of waiting.
 *
 * Time = real time + offset. `advance(ms)` moves the offset and immediately runs every task
 * that became due; a small unref'd real-time ticker runs tasks that fall due on their own.
 */
export interface Clock {
  now(): number;
}

interface Task {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export interface TaskHandle {
  cancel(): void;
}

export class SandboxClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;
  private tasks: Task[] = [];
  private seq = 0;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly tickMs = 25) {}

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  /** Offset from real time in ms (what the control API reports). */
  get offset(): number {
    return this.now() - Date.now();
  }

  /** Move time forward (never backwards: expiry and signatures assume monotonic time). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a non-negative number of ms');
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
    this.runDue();
  }

  /** Stop time (useful for deterministic tests); `resume()` lets it run again from there. */
  freeze(): void {
    this.frozenAt = this.now();
  }

  resume(): void {
    if (this.frozenAt === undefined) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = undefined;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Run `run` once the sandbox time reaches `at` (epoch ms). */
  scheduleAt(at: number, run: () => void): TaskHandle {
    const task: Task = { at, seq: this.seq++, run, cancelled: false };
    // Keep sorted by (at, seq); task lists are short, insertion from the back is cheap.
    let i = this.tasks.length;
    while (i > 0 && (this.tasks[i - 1].at > at)) i--;
    this.tasks.splice(i, 0, task);
    this.ensureTicker();
    return { cancel: () => { task.cancelled = true; } };
  }

  scheduleIn(delayMs: number, run: () => void): TaskHandle {
    return this.scheduleAt(this.now() + Math.max(0, delayMs), run);
  }

  /** Number of tasks still waiting (for introspection and tests). */
  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Run every due task, in time order; tasks scheduled by tasks run too if due. */
  runDue(): void {
    const now = this.now();
    while (this.tasks.length > 0 && this.tasks[0].at <= now) {
      const task = this.tasks.shift()!;
      if (task.cancelled) continue;
      try {
        task.run();
      } catch (err) {
        // A failing task must not stop the clock; surface it for debugging.
        process.emitWarning(`sandbox clock task failed: ${(err as Error).message}`);
      }
    }
    if (this.tasks.length === 0) this.stopTicker();
  }

  private ensureTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.runDue(), this.tickMs);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Drop all tasks and stop the ticker (sandbox shutdown). */
  dispose(): void {
    this.tasks = [];
    this.stopTicker();
  }
}
