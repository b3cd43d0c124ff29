import { randomUUID } from 'node:crypto';
import type { ApiName, Exchange, ExchangeInput, ExchangeKind, TrafficQuery } from './types.ts';
import { HeaderPacker, unpackHeaders, withBody, type PackedHeaders, type RawBodies } from './compact.ts';

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
 * Kept compact (issue #17): one column per field instead of an object graph per exchange,
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

  // The columns: slot i of each is one exchange. They grow up to `capacity`, then wrap.
  private readonly kind: ExchangeKind[] = [];
  private readonly api: ApiName[] = [];
  private readonly operation: (string | undefined)[] = [];
  private readonly msn: (string | undefined)[] = [];
  private readonly reference: (string | undefined)[] = [];
  private readonly idempotencyKey: (string | undefined)[] = [];
  private readonly flowId: (string | undefined)[] = [];
  /** Only when the producer chose the id; otherwise derived from seq. */
  private readonly id: (string | undefined)[] = [];
  private readonly method: string[] = [];
  private readonly url: string[] = [];
  /** Only when it is not the URL without its query. */
  private readonly path: (string | undefined)[] = [];
  private readonly requestHeaders: (PackedHeaders | undefined)[] = [];
  private readonly requestBody: unknown[] = [];
  private readonly status: number[] = [];
  private readonly responseHeaders: (PackedHeaders | undefined)[] = [];
  private readonly responseBody: unknown[] = [];
  private readonly error: (string | undefined)[] = [];
  private readonly fault: (string | undefined)[] = [];
  private readonly notes: (Record<string, unknown> | undefined)[] = [];
  private readonly flags: number[] = [];
  private readonly startedAt: number[] = [];
  private readonly durationMs: number[] = [];

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
    const slot = this.slotOf(seq);
    if (slot === undefined) return false;
    if ('flowId' in patch) this.flowId[slot] = patch.flowId;
    if ('notes' in patch) this.notes[slot] = patch.notes;
    if ('error' in patch) this.error[slot] = patch.error;
    if ('fault' in patch) this.fault[slot] = patch.fault;
    return true;
  }

  subscribe(listener: TrafficListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    for (const column of this.columns()) column.length = 0;
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

  private columns(): unknown[][] {
    return [
      this.kind, this.api, this.operation, this.msn, this.reference, this.idempotencyKey, this.flowId, this.id, this.method, this.url, this.path,
      this.requestHeaders, this.requestBody, this.status, this.responseHeaders, this.responseBody, this.error, this.fault, this.notes, this.flags,
      this.startedAt, this.durationMs,
    ];
  }

  private write(slot: number, e: Exchange, chosenId: string | undefined, bodies: RawBodies | undefined): void {
    const { request, response } = e;
    let flags = 0;
    this.kind[slot] = e.kind;
    this.api[slot] = e.api;
    this.operation[slot] = e.operation;
    this.msn[slot] = e.msn;
    this.reference[slot] = e.reference;
    this.idempotencyKey[slot] = e.idempotencyKey;
    this.flowId[slot] = e.flowId;
    this.id[slot] = chosenId;
    this.method[slot] = request.method;
    this.url[slot] = request.url;
    this.path[slot] = isUrlPath(request.url, request.path) ? undefined : request.path;
    this.requestHeaders[slot] = this.requestPacker.pack(request.headers);
    if (bodies?.request) {
      flags |= REQ_TEXT | (bodies.request.json ? REQ_JSON : 0);
      this.requestBody[slot] = bodies.request.text;
    } else this.requestBody[slot] = request.body;
    if (response) {
      flags |= HAS_RESPONSE;
      this.status[slot] = response.status;
      this.responseHeaders[slot] = this.responsePacker.pack(response.headers);
      if (bodies?.response) {
        flags |= RES_TEXT | (bodies.response.json ? RES_JSON : 0);
        this.responseBody[slot] = bodies.response.text;
      } else this.responseBody[slot] = response.body;
    } else {
      this.status[slot] = 0;
      this.responseHeaders[slot] = undefined;
      this.responseBody[slot] = undefined;
    }
    this.error[slot] = e.error;
    this.fault[slot] = e.fault;
    this.notes[slot] = e.notes;
    this.flags[slot] = flags;
    this.startedAt[slot] = e.startedAt;
    this.durationMs[slot] = e.durationMs;
  }

  /** A fresh Exchange for a slot, in the key order producers write them; bodies decode on first read. */
  private read(slot: number, seq: number): Exchange {
    const flags = this.flags[slot];
    const e: Partial<Exchange> = { kind: this.kind[slot], api: this.api[slot] };
    setIfDefined(e, 'operation', this.operation[slot]);
    setIfDefined(e, 'msn', this.msn[slot]);
    setIfDefined(e, 'reference', this.reference[slot]);
    setIfDefined(e, 'idempotencyKey', this.idempotencyKey[slot]);
    const url = this.url[slot];
    const path = this.path[slot] ?? pathOf(url);
    const requestHeaders = unpackHeaders(this.requestHeaders[slot]);
    e.request = withBody({ method: this.method[slot], url, path, headers: requestHeaders }, this.requestBody[slot], flags & REQ_TEXT ? (flags & REQ_JSON) !== 0 : undefined);
    if (flags & HAS_RESPONSE) {
      const response = { status: this.status[slot], headers: unpackHeaders(this.responseHeaders[slot]) };
      e.response = withBody(response, this.responseBody[slot], flags & RES_TEXT ? (flags & RES_JSON) !== 0 : undefined);
    }
    setIfDefined(e, 'error', this.error[slot]);
    setIfDefined(e, 'fault', this.fault[slot]);
    e.startedAt = this.startedAt[slot];
    e.durationMs = this.durationMs[slot];
    setIfDefined(e, 'notes', this.notes[slot]);
    setIfDefined(e, 'flowId', this.flowId[slot]);
    e.seq = seq;
    e.id = this.id[slot] ?? this.idOf(seq);
    return e as Exchange;
  }

  private compile(q: TrafficQuery): (slot: number) => boolean {
    const kinds = asSet(q.kind);
    const apis = asSet(q.api);
    const operations = asSet(q.operation);
    const { msn, reference, flowId, since } = q;
    return (i) =>
      (kinds === undefined || kinds.has(this.kind[i])) &&
      (apis === undefined || apis.has(this.api[i])) &&
      (operations === undefined || (this.operation[i] !== undefined && operations.has(this.operation[i]!))) &&
      (msn === undefined || this.msn[i] === msn) &&
      (reference === undefined || this.reference[i] === reference) &&
      (flowId === undefined || this.flowId[i] === flowId) &&
      (since === undefined || this.startedAt[i] >= since);
  }
}

function setIfDefined<K extends keyof Exchange>(e: Partial<Exchange>, key: K, value: Exchange[K] | undefined): void {
  if (value !== undefined) e[key] = value;
}

/** `path` as http.ts writes it: the URL up to its query. */
const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};
const isUrlPath = (url: string, path: string): boolean => path === url || (url.length > path.length && url[path.length] === '?' && url.startsWith(path));
