import type { Headers } from './types.ts';

/**
 * The pieces of the traffic log's compact representation (issue #17): header maps packed into
 * flat arrays of interned names and repeating values, and bodies kept as the text they travelled
 * as, decoded on read. Nothing here knows about exchanges as a whole; see log.ts.
 */

/** A body as the text it travelled as; the log keeps the text and decodes it on every read. */
export interface BodyText {
  text: string;
  /** Decode as JSON (falling back to the text when it does not parse); otherwise the text itself. */
  json: boolean;
}

/** Bodies a producer hands over as text, in place of the request's or response's `body`. */
export interface RawBodies {
  request?: BodyText;
  response?: BodyText;
}

/** The decoded value of a body kept as text. */
export function decodeBody(text: string, json: boolean): unknown {
  if (!json || text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `target` with its `body`: the value kept as it is, or, for a body kept as text (`json` given),
 * the text decoded on first read. Either way a plain own property to readers: enumerable,
 * spreadable, serialisable, assignable.
 */
export function withBody<T extends object>(target: T, kept: unknown, json: boolean | undefined): T & { body?: unknown } {
  const out = target as T & { body?: unknown };
  if (json === undefined) {
    if (kept !== undefined) out.body = kept;
    return out;
  }
  let decoded: unknown;
  let done = false;
  return Object.defineProperty(out, 'body', {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        done = true;
        decoded = decodeBody(kept as string, json);
      }
      return decoded;
    },
    set(value: unknown) {
      done = true;
      decoded = value;
    },
  });
}

/**
 * Interning of header names and values: the same `Authorization`, subscription key, MSN or
 * content type arrives as a fresh string on every request; one copy is kept for all of them.
 * A header whose values keep changing (Idempotency-Key, a request id) is marked diverse once it
 * has shown `perName` distinct values, and is no longer interned, so the tables stay bounded.
 */
export class Interner {
  private readonly names = new Map<string, string>();
  /** Per header name: its values seen so far (null once diverse), and the last one answered. */
  private readonly values = new Map<string, { table: Map<string, string> | null; last: string | undefined }>();
  /** Whether the last `value()` answered a kept (repeating) value: a header set holding only such values can be shared. */
  kept = false;

  constructor(
    private readonly perName = 256,
    private readonly maxNames = 1024,
    /** Longer values are kept as they are (a body-sized header is not worth a table entry). */
    private readonly maxValueLength = 2048,
  ) {}

  name(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    if (this.names.size < this.maxNames) this.names.set(name, name);
    return name;
  }

  value(name: string, value: string): string {
    this.kept = false;
    let entry = this.values.get(name);
    if (entry === undefined) {
      if (this.values.size >= this.maxNames) return value;
      entry = { table: new Map(), last: undefined };
      this.values.set(name, entry);
    }
    const { table } = entry;
    if (table === null || value.length > this.maxValueLength) return value;
    // The same value as last time (a load test's token, key, MSN): a compare, cheaper than hashing a fresh string.
    if (entry.last === value) {
      this.kept = true;
      return entry.last;
    }
    let known = table.get(value);
    if (known === undefined) {
      if (table.size >= this.perName) {
        entry.table = null;
        entry.last = undefined;
        return value;
      }
      table.set(value, value);
      known = value;
    }
    entry.last = known;
    this.kept = true;
    return known;
  }
}

/** Header names and values alternating; values as given (string, string[], a number, undefined). */
export type PackedHeaders = readonly unknown[];

const NO_HEADERS: PackedHeaders = Object.freeze([]);

/** A node of the header-set trie: names and values alternate along a path; `packed` ends one. */
interface SetNode {
  next: Map<unknown, SetNode>;
  packed?: PackedHeaders;
}

/**
 * Header maps packed into flat arrays. A map whose names and values all repeat (every GET of a
 * load test, most responses) is the same array as the last one like it: the sets seen are kept in
 * a trie of bounded size, so a repeated set costs one pointer per exchange.
 */
export class HeaderPacker {
  private readonly root: SetNode = { next: new Map() };
  private nodes = 0;
  /** The shared set answered last. */
  private last: PackedHeaders | undefined;

  constructor(
    private readonly interner = new Interner(),
    private readonly maxNodes = 20_000,
  ) {}

  pack(headers: Headers | undefined): PackedHeaders | undefined {
    if (headers === undefined) return undefined;
    // The common case under load: the very set answered last time (compares only, no lookups).
    if (this.last !== undefined && sameSet(headers, this.last)) return this.last;
    const out: unknown[] = [];
    let node: SetNode | undefined = this.root;
    for (const key in headers) {
      if (!Object.prototype.hasOwnProperty.call(headers, key)) continue;
      const name = this.interner.name(key);
      const v: unknown = headers[key];
      let value: unknown = v;
      let repeats = true;
      if (typeof v === 'string') {
        value = this.interner.value(name, v);
        repeats = this.interner.kept;
      } else if (Array.isArray(v)) {
        value = v.slice();
        repeats = false;
      }
      out.push(name, value);
      // Only values that repeat (strings the interner keeps, numbers, absent ones) make a set worth sharing.
      if (node !== undefined) node = repeats ? this.child(this.child(node, name), value) : undefined;
    }
    if (out.length === 0) return NO_HEADERS;
    if (node === undefined) return out;
    return (this.last = node.packed ??= out);
  }

  private child(node: SetNode | undefined, key: unknown): SetNode | undefined {
    if (node === undefined) return undefined;
    let next = node.next.get(key);
    if (next === undefined && this.nodes < this.maxNodes) {
      next = { next: new Map() };
      node.next.set(key, next);
      this.nodes++;
    }
    return next;
  }
}

/** Whether `headers` holds exactly the names and values of `packed`, in its order. */
function sameSet(headers: Headers, packed: PackedHeaders): boolean {
  let i = 0;
  for (const key in headers) {
    if (i >= packed.length || key !== packed[i] || headers[key] !== packed[i + 1] || Array.isArray(headers[key])) return false;
    i += 2;
  }
  return i === packed.length;
}

/** A packed map as a fresh header object (arrays copied: readers may change what they get). */
export function unpackHeaders(packed: PackedHeaders | undefined): Headers {
  if (packed === undefined) return undefined as unknown as Headers;
  const out: Headers = {};
  for (let i = 0; i < packed.length; i += 2) {
    const v = packed[i + 1];
    out[packed[i] as string] = (Array.isArray(v) ? v.slice() : v) as string | string[] | undefined;
  }
  return out;
}

/** `path` as http.ts writes it: the URL up to its query. */
export const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};
/** Whether `path` is what `pathOf(url)` gives, so it need not be kept. */
export const isUrlPath = (url: string, path: string): boolean => path === url || (url.length > path.length && url[path.length] === '?' && url.startsWith(path));
