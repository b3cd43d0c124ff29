import { request } from 'undici';
import { SYSTEM_HEADERS, type ShopConfig } from '../config.ts';
import { errorItems, VippsApiError, VippsNetworkError } from './errors.ts';

export interface VippsCall {
  /** Our name for the call, used in logs and errors ("capture", "details" …). */
  operation: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface CachedToken {
  value: string;
  /** Epoch ms after which we fetch a new one. */
  renewAt: number;
}

/**
 * HTTP towards Vipps MobilePay: one cached access token, and the system headers on every call
 * (the token call included). A 4xx/5xx becomes VippsApiError, no answer VippsNetworkError.
 */
export class VippsClient {
  private token: CachedToken | undefined;
  private pendingToken: Promise<string> | undefined;
  /** Token fetches so far (tests read it to prove the cache). */
  tokenFetches = 0;

  constructor(
    private readonly config: ShopConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async send<T = any>(call: VippsCall): Promise<T> {
    const answer = await this.sendOnce(call, await this.accessToken());
    if (answer.status !== 401) return this.result<T>(call, answer);
    // A token revoked or expired early: fetch a new one and try once more.
    this.token = undefined;
    return this.result<T>(call, await this.sendOnce(call, await this.accessToken()));
  }

  private result<T>(call: VippsCall, answer: Answer): T {
    if (answer.status < 400) return answer.body as T;
    const retryAfter = Number(answer.retryAfter);
    throw new VippsApiError(call.operation, answer.status, errorItems(answer.body), Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
  }

  private baseHeaders(): Record<string, string> {
    const system = this.config.faults.has('no-system-headers') ? {} : SYSTEM_HEADERS;
    return { ...system, 'Ocp-Apim-Subscription-Key': this.config.subscriptionKey, 'Merchant-Serial-Number': this.config.msn };
  }

  private async sendOnce(call: VippsCall, token: string): Promise<Answer> {
    const headers: Record<string, string> = { ...this.baseHeaders(), Authorization: `Bearer ${token}`, ...call.headers };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
    return this.http(call.operation, call.method, call.path, headers, call.body === undefined ? undefined : JSON.stringify(call.body));
  }

  /** The cached token, or a new one; concurrent callers share one fetch. */
  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    this.tokenFetches++;
    const headers = { ...this.baseHeaders(), client_id: this.config.clientId, client_secret: this.config.clientSecret };
    const answer = await this.http('accesstoken', 'POST', '/accesstoken/get', headers, '');
    if (answer.status >= 400) throw new VippsApiError('accesstoken', answer.status, errorItems(answer.body));
    const body = answer.body as { access_token?: string; expires_in?: string | number };
    if (!body?.access_token) throw new VippsApiError('accesstoken', answer.status, [{ errorMessage: 'token answer without access_token' }]);
    // expires_in is a string of seconds (1 h in test, 24 h in production); renew 5 min before
    // it ends, or 10 % before the end of a short lifetime.
    const lifetimeMs = Number(body.expires_in ?? 3600) * 1000;
    this.token = { value: body.access_token, renewAt: this.now() + lifetimeMs - Math.min(300_000, lifetimeMs * 0.1) };
    return body.access_token;
  }

  private async http(operation: string, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
    try {
      const res = await request(this.config.vippsBaseUrl + path, {
        method: method as 'GET',
        headers,
        body,
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: kept as text */
      }
      const retryAfter = res.headers['retry-after'];
      return { status: res.statusCode, body: parsed, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
    } catch (err) {
      throw new VippsNetworkError(operation, err as Error);
    }
  }
}

interface Answer {
  status: number;
  body: unknown;
  retryAfter?: string;
}
