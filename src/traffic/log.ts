import { randomUUID } from 'node:crypto';
import type { ApiName, Exchange, ExchangeInput, ExchangeKind, TrafficQuery } from './types.ts';
import { HeaderPacker, isUrlPath, pathOf, unpackHeaders, withBody, type PackedHeaders, type RawBodies } from './compact.ts';

export type { BodyText, RawBodies } from './compact.ts';
export { compileQuery, header } from './query.ts';
import { asSet } from './query.ts';

export interface TrafficLogOptions {
  /** Maximum exchanges kept; the oldest are dropped first. */
  capacity?: number;
  /** Completes an exchange before it is stored (the sandbox tags its flow there). */
  annotate?: (exchange: ExchangeInput) => void;
}

export type TrafficListener = (exchange: Exchange) => void;

/** What may change on an exchange after it was recorded. */
export type ExchangeUpdate = Partial<Pick<Exchange, 'flowId' | 'notes' | 'error' | 'fault'>>;

// Per-slot flags: how the bodies are kept and whether there is a response.
const REQ_TEXT = 1;
const REQ_JSON = 2;
const RES_TEXT = 4;
const RES_JSON = 8;
const HAS_RESPONSE = 16;

/**
 * A bounded, append-only log of exchanges. Appends are O(1) (ring buffer) and do no
 * serialisation, so recording stays off the hot path's cost sheet; queries scan.
 * When full, the oldest exchanges are dropped and counted, so a long-running sandbox
 * never grows without limit and readers can tell that history is incomplete.
 *
 * Kept compact (issue #17): one small record per exchange instead of its object graph,
 * headers as flat arrays of interned strings, bodies handed over as text (`append`'s `bodies`)
 * kept as that text and decoded on read, `seq` and a generated `id` derived from the position.
 * Readers get fresh `Exchange` objects from `all()`, `query()` and `get()`; changing one does
 * not change the log — `update()` does.
 */
export class TrafficLog {
  readonly capacity: number;
  private head = 0; // slot of the oldest entry
  private size = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private readonly listeners = new Set<TrafficListener>();
  private readonly annotate: ((exchange: ExchangeInput) => void) | undefined;
  // One packer per direction, so each one's last set is the one that repeats.
  private readonly requestPacker = new HeaderPacker();
  private readonly responsePacker = new HeaderPacker();
  /** Generated ids are this prefix plus the seq in hex: UUID-shaped, unique, and free to keep. */
  private readonly idPrefix = randomUUID().slice(0, 24);

  /** The ring of kept exchanges, grown up to `capacity`, then wrapping. */
  private readonly slots: (Slot | undefined)[] = [];
  /** startedAt and durationMs of slot i at 2i and 2i + 1: raw doubles, no number boxed per exchange. */
  private times = new Float64Array(0);

  constructor(options: TrafficLogOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 50_000);
    this.annotate = options.annotate;
  }

  /**
   * Record an exchange. `bodies` hands over the request's and/or response's body as the text it
   * travelled as: the log keeps that text instead of `input`'s body and decodes it on read.
   * Returns `input` completed with `seq` and `id` (bodies given as text are not decoded into it;
   * `get(seq)` reads the exchange as stored).
   */
  append(input: ExchangeInput, bodies?: RawBodies): Exchange {
    this.annotate?.(input);
    const exchange = input as Exchange;
    const seq = this.nextSeq++;
    exchange.seq = seq;
    const chosenId = exchange.id || undefined;
    if (!chosenId) exchange.id = this.idOf(seq);
    let slot: number;
    if (this.size < this.capacity) {
      slot = (this.head + this.size) % this.capacity;
      this.size++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
      this.droppedCount++;
    }
    this.write(slot, exchange, chosenId, bodies);
    if (this.listeners.size > 0) {
      const stored = this.read(slot, seq);
      for (const listener of this.listeners) {
        try {
          listener(stored);
        } catch {
          // A faulty listener must never break recording.
        }
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
    const first = this.firstSeq;
    for (let k = 0; k < this.size; k++) out[k] = this.read((this.head + k) % this.capacity, first + k);
    return out;
  }

  query(q: TrafficQuery = {}): Exchange[] {
    const match = this.compile(q);
    const out: Exchange[] = [];
    const first = this.firstSeq;
    // seq is contiguous, so `afterSeq` skips straight to the first candidate.
    const start = q.afterSeq === undefined ? 0 : Math.max(0, Math.min(this.size, Math.floor(q.afterSeq) - first + 1));
    for (let k = start; k < this.size; k++) {
      const slot = (this.head + k) % this.capacity;
      if (!match(slot)) continue;
      out.push(this.read(slot, first + k));
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  /** The kept exchange with this seq, as stored. */
  get(seq: number): Exchange | undefined {
    const slot = this.slotOf(seq);
    return slot === undefined ? undefined : this.read(slot, seq);
  }

  /** Change what may change after recording (a late flow tag, notes); false when no longer kept. */
  update(seq: number, patch: ExchangeUpdate): boolean {
    const i = this.slotOf(seq);
    if (i === undefined) return false;
    const slot = this.slots[i]!;
    if ('flowId' in patch) slot.flowId = patch.flowId;
    if ('notes' in patch) slot.notes = patch.notes;
    if ('error' in patch) slot.error = patch.error;
    if ('fault' in patch) slot.fault = patch.fault;
    return true;
  }

  subscribe(listener: TrafficListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.slots.length = 0;
    this.times = new Float64Array(0);
    this.head = 0;
    this.size = 0;
  }

  private get firstSeq(): number {
    return this.nextSeq - this.size;
  }

  private slotOf(seq: number): number | undefined {
    const k = seq - this.firstSeq;
    return Number.isInteger(k) && k >= 0 && k < this.size ? (this.head + k) % this.capacity : undefined;
  }

  private idOf(seq: number): string {
    return this.idPrefix + seq.toString(16).padStart(12, '0');
  }

  private write(i: number, e: Exchange, chosenId: string | undefined, bodies: RawBodies | undefined): void {
    const { request, response } = e;
    let flags = 0;
    let requestBody: unknown = request.body;
    if (bodies?.request) {
      flags |= REQ_TEXT | (bodies.request.json ? REQ_JSON : 0);
      requestBody = bodies.request.text;
    }
    let responseBody: unknown;
    if (response) {
      flags |= HAS_RESPONSE;
      responseBody = response.body;
      if (bodies?.response) {
        flags |= RES_TEXT | (bodies.response.json ? RES_JSON : 0);
        responseBody = bodies.response.text;
      }
    }
    this.slots[i] = new Slot(
      e.kind,
      e.api,
      e.operation,
      e.msn,
      e.reference,
      e.idempotencyKey,
      e.flowId,
      chosenId,
      request.method,
      request.url,
      isUrlPath(request.url, request.path) ? undefined : request.path,
      this.requestPacker.pack(request.headers),
      requestBody,
      response ? response.status : 0,
      response ? this.responsePacker.pack(response.headers) : undefined,
      responseBody,
      e.error,
      e.fault,
      e.notes,
      flags,
    );
    if (this.times.length < 2 * (i + 1)) {
      const grown = new Float64Array(2 * Math.min(this.capacity, Math.max(64, this.times.length)));
      grown.set(this.times);
      this.times = grown;
    }
    this.times[2 * i] = e.startedAt;
    this.times[2 * i + 1] = e.durationMs;
  }

  /** A fresh Exchange for a slot, in the key order producers write them; bodies decode on first read. */
  private read(i: number, seq: number): Exchange {
    const slot = this.slots[i]!;
    const flags = slot.flags;
    const e: Partial<Exchange> = { kind: slot.kind, api: slot.api };
    setIfDefined(e, 'operation', slot.operation);
    setIfDefined(e, 'msn', slot.msn);
    setIfDefined(e, 'reference', slot.reference);
    setIfDefined(e, 'idempotencyKey', slot.idempotencyKey);
    const { url } = slot;
    const request = { method: slot.method, url, path: slot.path ?? pathOf(url), headers: unpackHeaders(slot.requestHeaders) };
    e.request = withBody(request, slot.requestBody, flags & REQ_TEXT ? (flags & REQ_JSON) !== 0 : undefined);
    if (flags & HAS_RESPONSE) {
      const response = { status: slot.status, headers: unpackHeaders(slot.responseHeaders) };
      e.response = withBody(response, slot.responseBody, flags & RES_TEXT ? (flags & RES_JSON) !== 0 : undefined);
    }
    setIfDefined(e, 'error', slot.error);
    setIfDefined(e, 'fault', slot.fault);
    e.startedAt = this.times[2 * i];
    e.durationMs = this.times[2 * i + 1];
    setIfDefined(e, 'notes', slot.notes);
    setIfDefined(e, 'flowId', slot.flowId);
    e.seq = seq;
    e.id = slot.id ?? this.idOf(seq);
    return e as Exchange;
  }

  private compile(q: TrafficQuery): (slot: number) => boolean {
    const kinds = asSet(q.kind);
    const apis = asSet(q.api);
    const operations = asSet(q.operation);
    const { msn, reference, flowId, since } = q;
    return (i) => {
      const e = this.slots[i]!;
      return (
        (kinds === undefined || kinds.has(e.kind)) &&
        (apis === undefined || apis.has(e.api)) &&
        (operations === undefined || (e.operation !== undefined && operations.has(e.operation))) &&
        (msn === undefined || e.msn === msn) &&
        (reference === undefined || e.reference === reference) &&
        (flowId === undefined || e.flowId === flowId) &&
        (since === undefined || this.times[2 * i] >= since)
      );
    };
  }
}

/** One kept exchange: strings, packed headers and bodies by reference; seq, id and times live in the log. */
class Slot {
  constructor(
    readonly kind: ExchangeKind,
    readonly api: ApiName,
    readonly operation: string | undefined,
    readonly msn: string | undefined,
    readonly reference: string | undefined,
    readonly idempotencyKey: string | undefined,
    public flowId: string | undefined,
    /** Only when the producer chose the id; otherwise derived from seq. */
    readonly id: string | undefined,
    readonly method: string,
    readonly url: string,
    /** Only when it is not the URL without its query. */
    readonly path: string | undefined,
    readonly requestHeaders: PackedHeaders | undefined,
    readonly requestBody: unknown,
    readonly status: number,
    readonly responseHeaders: PackedHeaders | undefined,
    readonly responseBody: unknown,
    public error: string | undefined,
    public fault: string | undefined,
    public notes: Record<string, unknown> | undefined,
    readonly flags: number,
  ) {}
}

function setIfDefined<K extends keyof Exchange>(e: Partial<Exchange>, key: K, value: Exchange[K] | undefined): void {
  if (value !== undefined) e[key] = value;
}
