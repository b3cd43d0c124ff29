import type { Clock, TaskHandle } from '../clock.ts';

export interface SchedulingClock extends Clock {
  scheduleAt(at: number, run: () => void): TaskHandle;
}

/**
 * Payments that expire on the sandbox clock, with one clock task for all of them: a binary
 * min-heap by `expiresAt`, and a task for the earliest. `expire(item)` is called for each item
 * whose time has come; it decides (the item may have moved on meanwhile).
 */
export class ExpiryQueue<T extends { expiresAt: number }> {
  private readonly heap: T[] = [];
  private task: { at: number; handle: TaskHandle } | undefined;

  constructor(
    private readonly clock: SchedulingClock,
    private readonly expire: (item: T) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  add(item: T): void {
    this.push(item);
    if (this.task === undefined || item.expiresAt < this.task.at) {
      this.task?.handle.cancel();
      this.schedule(item.expiresAt);
    }
  }

  private schedule(at: number): void {
    this.task = { at, handle: this.clock.scheduleAt(at, () => this.run()) };
  }

  private run(): void {
    this.task = undefined;
    const now = this.clock.now();
    for (let next = this.heap[0]; next !== undefined && next.expiresAt <= now; next = this.heap[0]) {
      this.pop();
      this.expire(next);
    }
    if (this.heap[0] !== undefined) this.schedule(this.heap[0].expiresAt);
  }

  private push(item: T): void {
    const a = this.heap;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent].expiresAt <= a[i].expiresAt) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  private pop(): T | undefined {
    const a = this.heap;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].expiresAt < a[m].expiresAt) m = l;
        if (r < a.length && a[r].expiresAt < a[m].expiresAt) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
