import { createHash, randomBytes } from 'node:crypto';
import type { Exchange, Headers } from './types.ts';

/**
 * Redaction, in one place, for every output (control API, reports, logs, attachments).
 * Two layers: fields that are secret by name (headers and JSON keys), and secret values
 * registered at run time (profile secrets, issued tokens, webhook secrets) scrubbed
 * wherever they appear, including inside URLs and free text.
 */
export const REDACTED = '[REDACTED]';

/** True when a value is a redaction marker (with or without fingerprint). */
export const isRedacted = (v: unknown): boolean => typeof v === 'string' && /\[REDACTED(:[0-9a-f]{8})?\]/.test(v);

const SECRET_HEADERS = new Set([
  'authorization',
  'client_secret',
  'client-secret',
  'ocp-apim-subscription-key',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

const SECRET_KEYS = new Set(
  [
    'access_token',
    'accessToken',
    'refresh_token',
    'id_token',
    'client_secret',
    'clientSecret',
    'secret',
    'webhookSecret',
    'subscriptionKey',
    'subscriptionKeys',
    'password',
    'cardCallbackAuthHeader',
    'makePaymentToken',
    'authToken',
    'callbackAuthorizationToken',
    'cardData',
    'encryptedPan',
    'cryptogram',
    'cvc',
    'cvv',
    'pan',
    'cardNumber',
  ].map((k) => k.toLowerCase()),
);

/** Keys whose object value is card data as a whole (network token numbers etc.). */
const SECRET_OBJECTS = new Set(['networktoken']);

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;
  /** Per-instance salt: fingerprints tell equal secrets apart within a run, and reveal nothing. */
  private readonly salt = randomBytes(16);
  private readonly marks = new Map<string, string>();

  /**
   * `[REDACTED:1a2b3c4d]`: the same secret always gets the same marker within a run, so checks
   * can still tell "the same token was reused" from "a new token per request".
   */
  mark(secret: string): string {
    let m = this.marks.get(secret);
    if (m === undefined) {
      m = `[REDACTED:${createHash('sha256').update(this.salt).update(secret).digest('hex').slice(0, 8)}]`;
      // The same few tokens and keys come by on every request (the recording proxy marks them per exchange).
      if (this.marks.size >= 1024) this.marks.clear();
      this.marks.set(secret, m);
    }
    return m;
  }

  /** Register a secret value to scrub wherever it appears (values shorter than 6 chars are ignored). */
  addSecret(value: string | undefined | null): void {
    if (!value || value.length < 6 || this.values.has(value)) return;
    this.values.add(value);
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  text(input: string): string {
    if (this.values.size === 0) return input;
    this.pattern ??= new RegExp(
      [...this.values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
      'g',
    );
    return input.replace(this.pattern, (m) => this.mark(m));
  }

  headers(headers: Headers | undefined): Headers {
    const out: Headers = {};
    if (!headers) return out;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      if (SECRET_HEADERS.has(name.toLowerCase())) out[name] = this.headerValue(name, value);
      else out[name] = Array.isArray(value) ? value.map((v) => this.text(v)) : this.text(value);
    }
    return out;
  }

  value(input: unknown, depth = 0): unknown {
    if (depth > 50) return REDACTED;
    if (typeof input === 'string') return this.text(input);
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1));
    if (input && typeof input === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
        const key = k.toLowerCase();
        if (SECRET_OBJECTS.has(key) && v && typeof v === 'object') out[k] = REDACTED;
        else if (SECRET_KEYS.has(key) && v !== null && v !== undefined) out[k] = typeof v === 'string' ? this.mark(v) : REDACTED;
        // Header maps held in plain objects (e.g. a webhook receiver's answer headers) get the
        // same treatment as in headers(): Authorization, Cookie, Set-Cookie… values are masked.
        else if (SECRET_HEADERS.has(key) && v !== null && v !== undefined) out[k] = typeof v === 'string' || Array.isArray(v) ? this.headerValue(k, v as string | string[]) : REDACTED;
        else out[k] = this.value(v, depth + 1);
      }
      return out;
    }
    return input;
  }

  exchange(e: Exchange): Exchange {
    return {
      ...e,
      request: {
        ...e.request,
        url: this.text(e.request.url),
        path: this.text(e.request.path),
        headers: this.headers(e.request.headers),
        body: this.value(e.request.body),
      },
      response: e.response && {
        status: e.response.status,
        headers: this.headers(e.response.headers),
        body: this.value(e.response.body),
      },
      error: e.error && this.text(e.error),
      notes: e.notes && (this.value(e.notes) as Record<string, unknown>),
    };
  }

  /** Keep the scheme word of Authorization (Bearer / HMAC-SHA256 / Basic) so readers see what was sent. */
  private headerValue(name: string, value: string | string[]): string {
    const v = Array.isArray(value) ? value[0] : value;
    if (name.toLowerCase() === 'authorization' || name.toLowerCase() === 'proxy-authorization') {
      const m = /^(Bearer|Basic|HMAC-SHA256)\s+(.*)$/i.exec(v);
      if (m) return m[2] ? `${m[1]} ${this.mark(m[2])}` : m[1];
    }
    return this.mark(v);
  }
}
