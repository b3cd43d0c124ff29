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
 * Interning of header names and values: the same `Authorization`, subscription key, MSN or
 * content type arrives as a fresh string on every request; one copy is kept for all of them.
 * A header whose values keep changing (Idempotency-Key, a request id) is marked diverse once it
 * has shown `perName` distinct values, and is no longer interned, so the tables stay bounded.
 */
export class Interner {
  private readonly names = new Map<string, string>();
  /** Per header name: its values seen so far, or null once diverse. */
  private readonly values = new Map<string, Map<string, string> | null>();

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
    let table = this.values.get(name);
    if (table === null || value.length > this.maxValueLength) return value;
    if (table === undefined) {
      if (this.values.size >= this.maxNames) return value;
      table = new Map();
      this.values.set(name, table);
    }
    const known = table.get(value);
    if (known !== undefined) return known;
    if (table.size >= this.perName) {
      this.values.set(name, null);
      return value;
    }
    table.set(value, value);
    return value;
  }
}

/** Header names and values alternating; values as given (string, string[], a number, undefined). */
export type PackedHeaders = readonly unknown[];

const NO_HEADERS: PackedHeaders = Object.freeze([]);

export function packHeaders(headers: Headers | undefined, interner: Interner): PackedHeaders | undefined {
  if (headers === undefined) return undefined;
  let out: unknown[] | undefined;
  for (const key in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, key)) continue;
    const name = interner.name(key);
    const v: unknown = headers[key];
    (out ??= []).push(name, typeof v === 'string' ? interner.value(name, v) : Array.isArray(v) ? v.slice() : v);
  }
  return out ?? NO_HEADERS;
}

export function unpackHeaders(packed: PackedHeaders | undefined): Headers {
  if (packed === undefined) return undefined as unknown as Headers;
  const out: Headers = {};
  for (let i = 0; i < packed.length; i += 2) {
    const v = packed[i + 1];
    out[packed[i] as string] = (Array.isArray(v) ? v.slice() : v) as string | string[] | undefined;
  }
  return out;
}
