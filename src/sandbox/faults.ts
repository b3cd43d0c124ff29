import { randomUUID } from 'node:crypto';
import { FaultSpecSchema, type Fault, type FaultEffect, type FaultSelector, type FaultSpecInput, type FaultType } from '../contract/faults.ts';

/**
 * Faults: sandbox behaviours a flow switches on to see how the integration copes. The fault
 * language (schemas, types) is src/contract/faults.ts; this is how the sandbox keeps and matches
 * them.
 */

/** What a request or delivery is, for matching. */
export interface FaultSubject {
  api?: string;
  operation?: string;
  msn?: string;
  reference?: string;
  amount?: number;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  /** Faults whose `times` are used up, by id: a runner asks whether its fault fired after it retired. */
  private retired = new Map<string, Fault>();

  /** `now` stamps firings on the sandbox clock (the one traffic and observations use). */
  constructor(private readonly now: () => number = Date.now) {}

  add(input: FaultSpecInput): Fault {
    const spec = FaultSpecSchema.parse(input);
    const fault: Fault = { ...spec, id: spec.id ?? randomUUID(), hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  /** An active or retired fault (removed and cleared ones are gone). */
  get(id: string): Fault | undefined {
    return this.faults.find((f) => f.id === id) ?? this.retired.get(id);
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** Remove all faults, or those with the given label. Returns how many were removed. */
  clear(label?: string): number {
    const before = this.faults.length;
    this.faults = label === undefined ? [] : this.faults.filter((f) => f.label !== label);
    for (const [id, f] of this.retired) if (label === undefined || f.label === label) this.retired.delete(id);
    return before - this.faults.length;
  }

  get size(): number {
    return this.faults.length;
  }

  /**
   * The first active fault of one of `types` matching `subject`; counts the hit and retires
   * faults whose `times` are used up. Cheap when there are no faults (the common case).
   */
  take(subject: FaultSubject, types: readonly FaultType[]): Fault | undefined {
    if (this.faults.length === 0) return undefined;
    for (const fault of this.faults) {
      if (!types.includes(fault.effect.type)) continue;
      if (!matches(fault.match, subject)) continue;
      this.fired(fault);
      if (fault.times !== undefined && fault.hits >= fault.times) {
        this.remove(fault.id);
        this.retired.set(fault.id, { ...fault, retired: true });
      }
      return fault;
    }
    return undefined;
  }

  /** Like take() but does not count a hit (for checks that happen repeatedly, e.g. stale reads). */
  peek(subject: FaultSubject, types: readonly FaultType[]): Fault | undefined {
    if (this.faults.length === 0) return undefined;
    return this.faults.find((f) => types.includes(f.effect.type) && matches(f.match, subject));
  }

  /** Count one application of a fault found with peek() (e.g. a read it really made stale). */
  fired(fault: Fault): void {
    fault.hits++;
    fault.firstFiredAt ??= this.now();
    fault.lastFiredAt = this.now();
  }
}

export function matches(selector: FaultSelector, subject: FaultSubject): boolean {
  if (selector.api !== undefined && selector.api !== subject.api) return false;
  if (selector.operation !== undefined) {
    const ops = Array.isArray(selector.operation) ? selector.operation : [selector.operation];
    if (subject.operation === undefined || !ops.includes(subject.operation)) return false;
  }
  if (selector.msn !== undefined && selector.msn !== subject.msn) return false;
  if (selector.reference !== undefined && selector.reference !== subject.reference) return false;
  if (selector.amount !== undefined && selector.amount !== subject.amount) return false;
  return true;
}

/**
 * An injected HTTP status fault, thrown by the HTTP layer before the handler runs. Not an
 * API's error: each API's error handler renders it in that API's own shape (RFC 7807 for
 * ePayment and Webhooks, the eCom error array for eCom), from what the fault asked for.
 */
export class InjectedFaultError extends Error {
  constructor(
    readonly status: number,
    /** What the fault spec said; absent ones are the renderer's defaults. */
    readonly title: string | undefined,
    readonly detail: string | undefined,
    readonly code: string | number | undefined,
  ) {
    super(`injected HTTP ${status}`);
  }
}

/** Short name of an effect for the traffic log, e.g. `http-500`, `drop-response`. */
export function faultName(effect: FaultEffect): string {
  return effect.type === 'status' ? `http-${effect.status}${effect.code ? `-${effect.code}` : ''}` : effect.type;
}

/**
 * Whether a `stale-read` fault still hides a change made at `changedAt`: always without `ms`,
 * else only for `ms` after the change (a lagging read model). Unknown change times count as hidden.
 */
export function staleReadHides(effect: FaultEffect, changedAt: number, now: number): boolean {
  if (effect.type !== 'stale-read' || effect.ms === undefined) return true;
  return !Number.isFinite(changedAt) || now - changedAt < effect.ms;
}
