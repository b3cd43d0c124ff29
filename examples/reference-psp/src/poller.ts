/**
 * Polling GET payment for payments Vipps has not settled yet (still CREATED): first after
 * ~5 s, then every ~2 s, until the state is final or the PSP gives up. Together with the
 * webhooks (a signal to re-read) this keeps the PSP's records current even when a webhook is
 * lost. Fault webhooks-only: never polls.
 */
import { isSettledAtVipps } from './payments.ts';
import type { Psp } from './psp.ts';

export class Poller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly psp: Psp) {}

  get enabled(): boolean {
    return !this.psp.config.faults.has('webhooks-only');
  }

  watch(reference: string): void {
    if (!this.enabled || this.stopped) return;
    this.schedule(reference, this.psp.config.firstPollMs);
  }

  private schedule(reference: string, ms: number): void {
    clearTimeout(this.timers.get(reference));
    const timer = setTimeout(() => void this.tick(reference), ms);
    timer.unref();
    this.timers.set(reference, timer);
  }

  private async tick(reference: string): Promise<void> {
    this.timers.delete(reference);
    if (this.stopped) return;
    const p = await this.psp.sync(reference);
    if (this.stopped || isSettledAtVipps(p)) return;
    if (Date.now() - p.createdAt > this.psp.config.pollGiveUpMs) {
      this.psp.log(`refpsp: ${reference} still ${p.vippsState} after ${this.psp.config.pollGiveUpMs} ms, no more polling`);
      return;
    }
    this.schedule(reference, this.psp.config.pollIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
