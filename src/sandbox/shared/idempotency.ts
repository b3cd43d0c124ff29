import { flatString } from '../../shared/strings.ts';
import { fingerprint } from './validation.ts';

/**
 * Request-key bookkeeping for every API: ePayment's `Idempotency-Key` (vipps-facts §2.2) and
 * eCom's `X-Request-Id` behave alike. Scope = (MSN, reference, operation, key),
 * kept for the sandbox's lifetime (bounded by `capacity`, oldest dropped first).
 *
 * - same key + identical body → the stored outcome is replayed byte for byte (status and
 *   body, 2xx and 4xx alike) without applying the operation again;
 * - same key + different body → `conflict` (the caller answers 409 with the operation's code);
 * - the key is reserved by `begin()` synchronously, before the operation runs. The ePayment
 *   handlers are synchronous from `begin()` to `complete()`, so two identical requests that were
 *   in flight together (e.g. held back by a `delay` fault) reach `begin()` one after the other
 *   and the second always sees the first one's outcome. `in-progress` exists for callers that
 *   would ever await between the two; no ePayment handler does.
 */
export interface StoredOutcome {
  status: number;
  contentType: string;
  /** The exact serialised body sent the first time ('' for none). */
  body: string;
  /**
   * How to write `body` again from data that never changes (e.g. a created payment's reference
   * and redirectUrl): the store then keeps `source`, not the text (issue #17: the text of a
   * create answer is ~140 heap bytes per payment). `render(source)` must return `body` exactly.
   */
  again?: Rerender;
}

export interface Rerender<S = any> {
  source: S;
  /** Pure and shared (a module-level function), never a closure made per request. */
  render: (source: S) => string;
}

/** One key's record: one object, the outcome's fields inline (a store holds one per request). */
interface Entry {
  /** The parsed request body of the first request (never mutated by the sandbox). */
  request: unknown;
  /** Its canonical text, computed when a second request with the key arrives. */
  fingerprint: string | undefined;
  /** The outcome, once complete (`status` 0 until then). */
  status: number;
  contentType: string;
  /** The text, or '' when `source` and `render` write it again. */
  body: string;
  source: unknown;
  render: ((source: any) => string) | undefined;
}

export type IdempotencyDecision =
  | { kind: 'new' }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'conflict' }
  | { kind: 'in-progress' };

const NEW: IdempotencyDecision = { kind: 'new' };
const CONFLICT: IdempotencyDecision = { kind: 'conflict' };
const IN_PROGRESS: IdempotencyDecision = { kind: 'in-progress' };

export function idempotencyScope(msn: string, reference: string, operation: string, key: string): string {
  return flatString(`${msn}\u0000${reference}\u0000${operation}\u0000${key}`);
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 1_000_000) {}

  /**
   * Look the scope up; when unseen, reserve it for this body and answer `new`. Bodies are
   * compared by their canonical text (`fingerprint`: key order and whitespace do not count),
   * computed only when a key comes back, so first requests pay nothing for it.
   */
  begin(scope: string, body: unknown): IdempotencyDecision {
    const entry = this.entries.get(scope);
    if (entry === undefined) {
      this.entries.set(scope, { request: body, fingerprint: undefined, status: 0, contentType: '', body: '', source: undefined, render: undefined });
      if (this.entries.size > this.capacity) this.evict();
      return NEW;
    }
    entry.fingerprint ??= fingerprint(entry.request);
    if (entry.fingerprint !== fingerprint(body)) return CONFLICT;
    if (entry.status === 0) return IN_PROGRESS;
    const text = entry.render !== undefined ? entry.render(entry.source) : entry.body;
    return { kind: 'replay', outcome: { status: entry.status, contentType: entry.contentType, body: text } };
  }

  /** Store the outcome of a reserved scope (replayed from now on). */
  complete(scope: string, outcome: StoredOutcome): void {
    const entry = this.entries.get(scope);
    if (entry === undefined) return;
    entry.status = outcome.status;
    entry.contentType = outcome.contentType;
    if (outcome.again !== undefined) {
      entry.source = outcome.again.source;
      entry.render = outcome.again.render;
    } else entry.body = outcome.body;
  }

  /** Forget a reservation whose outcome must not stick to the key (e.g. 404, 5xx). */
  release(scope: string): void {
    const entry = this.entries.get(scope);
    if (entry && entry.status === 0) this.entries.delete(scope);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    let drop = Math.ceil(this.capacity / 10);
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
