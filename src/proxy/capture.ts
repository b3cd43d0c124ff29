import { Transform } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Redactor } from '../traffic/redact.ts';
import type { Headers } from '../traffic/types.ts';

/**
 * A bounded copy of a body as it flows by: the forwarded bytes never wait for the whole body,
 * and a large body costs the log at most `limit` bytes (the rest only counted).
 */
export class BodyCopy {
  total = 0;
  private kept = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly limit: number) {}

  keep(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= this.limit) return;
    const part = this.kept + chunk.length <= this.limit ? chunk : chunk.subarray(0, this.limit - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

/** A pass-through stream that copies into `copy` what it passes on (the request body, handed to undici). */
export function tapInto(copy: BodyCopy): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      copy.keep(chunk);
      callback(null, chunk);
    },
  });
}

const first = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml)|application\/(x-www-form-urlencoded|javascript|problem\+json))/i;

export interface RecordedBody {
  /** What the log keeps: decoded (the forwarded bytes stay encoded), parsed when JSON, redacted. */
  recorded: unknown;
  /** The JSON body as sent, unredacted, for classification only (never recorded). */
  parsed?: unknown;
}

export function recordedBody(tap: BodyCopy | undefined, headers: Headers, redactor: Redactor, limit: number): RecordedBody {
  if (!tap || tap.total === 0) return { recorded: undefined };
  const recorded = (v: unknown): RecordedBody => ({ recorded: v });
  const encoding = (first(headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
  let bytes = tap.bytes();
  if (encoding !== 'identity') {
    // A cut-off compressed stream cannot be decoded; the note on the exchange says it was cut.
    if (tap.truncated) return recorded(`[${encoding} body: ${tap.total} bytes, not decoded]`);
    try {
      bytes = decode(bytes, encoding, limit);
    } catch {
      return recorded(`[${encoding} body: ${tap.total} bytes, not decodable]`);
    }
  }
  const type = first(headers, 'content-type') ?? '';
  let text: string;
  if (TEXTUAL.test(type)) text = bytes.toString('utf8');
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return recorded(`[binary body: ${tap.total} bytes${type ? `, ${type}` : ''}]`);
    }
  }
  if (/json/i.test(type) || (!type && /^\s*[[{]/.test(text))) {
    try {
      const parsed: unknown = JSON.parse(text);
      discoverBodySecrets(parsed, redactor);
      return { recorded: redactor.value(parsed), parsed };
    } catch {
      // Not JSON after all (or cut off): kept as text.
    }
  }
  if (/x-www-form-urlencoded/i.test(type)) return recorded(redactForm(text, redactor));
  return recorded(redactor.text(text));
}

function decode(bytes: Buffer, encoding: string, limit: number): Buffer {
  const opts = { maxOutputLength: Math.max(limit, 1) };
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(bytes, opts);
  if (encoding === 'deflate') return inflateSync(bytes, opts);
  if (encoding === 'br') return brotliDecompressSync(bytes, opts);
  throw new Error(`unknown content-encoding ${encoding}`);
}

/** A form body (`client_secret=…&grant_type=…`): secret fields masked as in JSON bodies, the rest kept. */
function redactForm(text: string, redactor: Redactor): string {
  const form = new URLSearchParams(text);
  const masked = redactor.value(Object.fromEntries(form)) as Record<string, string>;
  for (const [k, v] of form) if (masked[k] !== v) redactor.addSecret(v);
  return redactor.text(new URLSearchParams(masked).toString());
}

const SECRET_HEADER_NAMES = ['authorization', 'proxy-authorization', 'client_secret', 'client-secret', 'ocp-apim-subscription-key', 'x-api-key'];
// makePaymentToken: the PSP API's secret for Vipps's makePayment calls (the sandbox redacts it too).
const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token', 'client_secret', 'accessToken', 'makePaymentToken'];

/**
 * Register the secrets an exchange carries with the redactor before anything is recorded, so
 * they are scrubbed everywhere (also where they turn up later: a URL, an echoed body).
 */
export function discoverHeaderSecrets(headers: Headers, redactor: Redactor): void {
  for (const name of SECRET_HEADER_NAMES) {
    for (const value of [headers[name] ?? []].flat()) {
      const scheme = /^(Bearer|Basic|HMAC-SHA256)\s+(.+)$/i.exec(value);
      redactor.addSecret(scheme ? scheme[2].trim() : value);
    }
  }
}

function discoverBodySecrets(body: unknown, redactor: Redactor): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  for (const field of TOKEN_FIELDS) {
    const v = (body as Record<string, unknown>)[field];
    if (typeof v === 'string') redactor.addSecret(v);
  }
}
