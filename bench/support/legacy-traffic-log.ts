// The traffic log as it was before the compact representation (issue #17): kept for bench/traffic-memory.ts only.
import { randomUUID } from 'node:crypto';
import type { Exchange, ExchangeInput, TrafficQuery } from '../../src/traffic/types.ts';

export interface TrafficLogOptions {
  /** Maximum exchanges kept; the oldest are dropped first. */
  capacity?: number;
  /** Completes an exchange before it is stored (the sandbox tags its flow there). */
  annotate?: (exchange: ExchangeInput) => void;
}

export type TrafficListener = (exchange: Exchange) => void;

/**
 * A bounded, append-only log of exchanges. Appends are O(1) (ring buffer) and do no
 * serialisation, so recording stays off the hot path's cost sheet; queries scan.
 * When full, the oldest exchanges are dropped and counted, so a long-running sandbox
 * never grows without limit and readers can tell that history is incomplete.
 */
export class LegacyTrafficLog {
  readonly capacity: number;
  private readonly ring: (Exchange | undefined)[];
  private head = 0; // index of the oldest entry
  private size = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private readonly listeners = new Set<TrafficListener>();
  private readonly annotate: ((exchange: ExchangeInput) => void) | undefined;

  constructor(options: TrafficLogOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 50_000);
    this.annotate = options.annotate;
    this.ring = new Array(this.capacity);
  }

  append(input: ExchangeInput): Exchange {
    this.annotate?.(input);
    const exchange = input as Exchange;
    exchange.seq = this.nextSeq++;
    if (!exchange.id) exchange.id = randomUUID();
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size) % this.capacity] = exchange;
      this.size++;
    } else {
      this.ring[this.head] = exchange;
      this.head = (this.head + 1) % this.capacity;
      this.droppedCount++;
    }
    for (const listener of this.listeners) {
      try {
        listener(exchange);
      } catch {
        // A faulty listener must never break recording.
      }
    }
    return exchange;
  }

  /** Exchanges dropped because the log was full (oldest first). */
  get dropped(): number {
    return this.droppedCount;
  }

  get length(): number {
    return this.size;
  }

  /** Sequence number of the newest exchange (0 when empty). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** All kept exchanges, oldest first. */
  all(): Exchange[] {
    const out: Exchange[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.ring[(this.head + i) % this.capacity]!;
    return out;
  }

  query(q: TrafficQuery = {}): Exchange[] {
    const match = compileQuery(q);
    const out: Exchange[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.head + i) % this.capacity]!;
      if (match(e)) {
        out.push(e);
        if (q.limit !== undefined && out.length >= q.limit) break;
      }
    }
    return out;
  }

  subscribe(listener: TrafficListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}

const asSet = <T>(v: T | T[] | undefined): Set<T> | undefined =>
  v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]);

export function compileQuery(q: TrafficQuery): (e: Exchange) => boolean {
  const kinds = asSet(q.kind);
  const apis = asSet(q.api);
  const operations = asSet(q.operation);
  return (e) =>
    (kinds === undefined || kinds.has(e.kind)) &&
    (apis === undefined || apis.has(e.api)) &&
    (operations === undefined || (e.operation !== undefined && operations.has(e.operation))) &&
    (q.msn === undefined || e.msn === q.msn) &&
    (q.reference === undefined || e.reference === q.reference) &&
    (q.flowId === undefined || e.flowId === q.flowId) &&
    (q.afterSeq === undefined || e.seq > q.afterSeq) &&
    (q.since === undefined || e.startedAt >= q.since);
}

/** Case-insensitive header lookup that tolerates repeated headers. */
export function header(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key in headers) {
    if (key.toLowerCase() === wanted) {
      const v = headers[key];
      return Array.isArray(v) ? v[0] : v;
    }
  }
  return undefined;
}
