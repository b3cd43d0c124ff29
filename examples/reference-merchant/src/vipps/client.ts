/**
 * The one place that talks HTTP to Vipps MobilePay. Everything the checklist asks of every
 * request lives here, so no endpoint can forget it:
 *
 * - the access token is fetched once and reused until shortly before it expires (fetching a
 *   token per request is a known anti-pattern); a 401 makes us fetch a new one and retry once;
 * - the standard headers go on EVERY request, the token call included: Merchant-Serial-Number,
 *   Ocp-Apim-Subscription-Key and the four Vipps-System-* headers;
 * - each operation that changes money gets a fresh Idempotency-Key (a UUID) that is reused on
 *   every retry of that operation, so a retry can never capture or refund twice;
 * - a client timeout on each request; timeouts, network errors, 5xx, 423 and 429 are retried
 *   with exponential back-off (honouring Retry-After); other 4xx are never retried with the
 *   same key — they are answers, and come back as a VippsApiError;
 * - a 429 slows down every caller of that endpoint, not just the one that got it: until a call
 *   there succeeds again, calls to it (a poll, a webhook's re-read, a page view) go one at a
 *   time, at least a second apart and not before Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Faults, MerchantConfig } from '../config.ts';
import { VippsApiError } from './errors.ts';

/** The subset of a pino/fastify logger we use. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface VippsRequest {
  /** Name of the API operation, for logs and errors (e.g. `capturePayment`). */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Send an Idempotency-Key (create, capture, refund, cancel). */
  idempotent?: boolean;
  /** Extra headers for this operation (the QR API's `Accept` picks the image format). */
  headers?: Record<string, string>;
}

export interface VippsResponse<T> {
  status: number;
  body: T;
  /** The key sent with the operation, if any (shown in the order history). */
  idempotencyKey?: string;
}

export interface ClientOptions {
  /**
   * Merchant-Serial-Number on every request. Default: `config.msn`. `null`: none at all — a
   * partner's own calls (its token, its partner-wide webhook registrations).
   */
  msn?: string | null;
  /**
   * Take the access token from this client instead of fetching one: the platform's tenants share
   * the partner's one token (keys for many sales units; each call names its MSN).
   */
  tokenFrom?: VippsClient;
}

/** Token refresh margin: renew a minute early so a token never expires mid-request. */
const TOKEN_MARGIN_MS = 60_000;
/** After a 429, calls to the same endpoint are at least this far apart until one succeeds. */
const RATE_LIMITED_SPACING_MS = 1000;

export class VippsClient {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  private readonly closing = new AbortController();
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;
  /** Endpoints (method + path) Vipps answered 429, with the earliest time of the next call there. */
  private readonly rateLimited = new Map<string, number>();

  private readonly msn: string | undefined;
  private readonly tokenFrom: VippsClient | undefined;

  constructor(
    private readonly config: MerchantConfig,
    private readonly faults: Faults,
    private readonly log: Logger,
    options: ClientOptions = {},
  ) {
    this.msn = options.msn === null ? undefined : (options.msn ?? config.msn);
    this.tokenFrom = options.tokenFrom;
  }

  /** The MSN this client sends (undefined: none). */
  get merchantSerialNumber(): string | undefined {
    return this.msn;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.agent.close();
  }

  /** Headers every request to Vipps carries. */
  private standardHeaders(): Record<string, string> {
    const headers: Record<string, string> = { 'Ocp-Apim-Subscription-Key': this.config.subscriptionKey };
    if (this.msn !== undefined) headers['Merchant-Serial-Number'] = this.msn;
    if (!this.faults.has('no-system-headers')) {
      headers['Vipps-System-Name'] = this.config.systemName;
      headers['Vipps-System-Version'] = this.config.systemVersion;
      headers['Vipps-System-Plugin-Name'] = this.config.pluginName;
      headers['Vipps-System-Plugin-Version'] = this.config.pluginVersion;
    }
    return headers;
  }

  /** A valid access token, from the cache when possible. Concurrent callers share one fetch. */
  private async accessToken(): Promise<string> {
    if (this.tokenFrom) {
      if (this.faults.has('token-per-request')) this.tokenFrom.token = undefined;
      return this.tokenFrom.accessToken();
    }
    if (this.faults.has('token-per-request')) this.token = undefined;
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const res = await this.send('fetchAccessToken', 'POST', '/accesstoken/get', {
      ...this.standardHeaders(),
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    });
    if (res.status !== 200) throw VippsApiError.fromResponse('fetchAccessToken', res.status, res.body);
    const body = res.body as { access_token?: string; expires_in?: string | number };
    if (!body.access_token) throw new VippsApiError({ kind: 'http', operation: 'fetchAccessToken', status: res.status, detail: 'no access_token in answer' });
    // `expires_in` is relative, so it does not matter whether our clock agrees with Vipps' (the
    // absolute `expires_on` would). 1 hour in the test environment, 24 hours in production.
    const lifetimeMs = Number(body.expires_in ?? 3600) * 1000;
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
    return body.access_token;
  }

  /** Call a Vipps API operation with retries; resolves with a 2xx answer or throws VippsApiError. */
  async call<T = unknown>(req: VippsRequest): Promise<VippsResponse<T>> {
    let idempotencyKey = req.idempotent && !this.faults.has('no-idempotency-key') ? randomUUID() : undefined;
    let refreshedToken = false;
    const endpoint = `${req.method} ${req.path}`;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && idempotencyKey && this.faults.has('new-idempotency-key-on-retry')) idempotencyKey = randomUUID();
      let error: VippsApiError;
      let retryAfterMs: number | undefined;
      try {
        await this.waitForRateLimit(endpoint);
        const token = await this.accessToken();
        const headers: Record<string, string> = { ...req.headers, ...this.standardHeaders(), Authorization: `Bearer ${token}` };
        if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
        const res = await this.send(req.operation, req.method, req.path, headers, req.body);
        if (res.status !== 429) this.rateLimited.delete(endpoint);
        if (res.status >= 200 && res.status < 300) return { status: res.status, body: res.body as T, idempotencyKey };
        if (res.status === 401 && !refreshedToken) {
          // The token may have been revoked or expired early: fetch a new one, retry once.
          refreshedToken = true;
          (this.tokenFrom ?? this).token = undefined;
          attempt--;
          continue;
        }
        error = VippsApiError.fromResponse(req.operation, res.status, res.body);
        retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      } catch (err) {
        if (!(err instanceof VippsApiError)) throw err;
        error = err;
      }
      let delay = retryAfterMs ?? this.config.retryBaseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
      // 429 means "too fast": without a Retry-After, back off at least a second.
      if (error.status === 429 && retryAfterMs === undefined) delay = Math.max(delay, 1000);
      if (error.status === 429) this.rateLimited.set(endpoint, Math.max(this.rateLimited.get(endpoint) ?? 0, Date.now() + Math.min(delay, this.config.maxRetryAfterMs)));
      if (!error.retryable || attempt >= this.config.maxRetries || delay > this.config.maxRetryAfterMs || this.closing.signal.aborted) {
        this.log.error(
          { operation: req.operation, path: req.path, status: error.status, code: error.code, traceId: error.traceId, kind: error.kind, idempotencyKey, attempts: attempt + 1 },
          `Vipps ${req.operation} failed: ${error.message}`,
        );
        throw error;
      }
      this.log.warn({ operation: req.operation, status: error.status, kind: error.kind, attempt: attempt + 1, retryInMs: Math.round(delay) }, `Vipps ${req.operation}: retrying`);
      await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
  }

  /**
   * Back off across callers: while an endpoint is rate limited, wait for its next free slot and
   * take it (the next caller waits at least RATE_LIMITED_SPACING_MS more, or until an answer
   * that is not a 429 lifts the limit).
   */
  private async waitForRateLimit(endpoint: string): Promise<void> {
    for (;;) {
      const at = this.rateLimited.get(endpoint);
      if (at === undefined || this.closing.signal.aborted) return;
      const wait = at - Date.now();
      if (wait <= 0) {
        this.rateLimited.set(endpoint, Date.now() + RATE_LIMITED_SPACING_MS);
        return;
      }
      await sleep(wait, undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
  }

  /** One HTTP exchange. Network failures and timeouts become VippsApiError (retryable). */
  private async send(operation: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs);
    try {
      const res = await request(new URL(path, this.config.vippsBaseUrl), {
        method: method as 'GET',
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.agent,
        signal: AbortSignal.any([timeout, this.closing.signal]),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.statusCode, headers: res.headers, body: parsed };
    } catch (err) {
      const timedOut = timeout.aborted;
      throw new VippsApiError({
        kind: timedOut ? 'timeout' : 'network',
        operation,
        detail: timedOut ? `no answer within ${this.config.requestTimeoutMs} ms` : (err as Error).message,
        cause: err,
      });
    }
  }
}

/** Retry-After is either seconds or an HTTP date. */
function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
