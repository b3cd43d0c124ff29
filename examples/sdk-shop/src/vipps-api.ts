import { randomUUID } from 'node:crypto';
import { Client, type ClientConfig } from '@vippsmobilepay/sdk';
import { SYSTEM, type ShopConfig } from './config.ts';
import { installVippsFetch, runInCallContext, type CallContext } from './vipps-fetch.ts';

type SdkClient = ReturnType<typeof Client>;
type SdkResult<T> = { ok: true; data: T } | { ok: false; error: unknown };

export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; status?: number; retryAfterSeconds?: number; message: string; networkError: boolean };

/** Refresh the token this long before it expires (clocks differ; a 401 also refreshes it). */
const TOKEN_MARGIN_MS = 5 * 60_000;
/** Our own retries of an operation whose answer was lost (the SDK does not retry those). */
const OWN_RETRY_DELAYS_MS = [1000, 2000];

/**
 * The shop's one door to Vipps MobilePay: the official SDK plus a cached access token,
 * a retry of our own with the same Idempotency-Key, and errors as readable messages.
 */
export class VippsApi {
  readonly sdk: SdkClient;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(private readonly config: ShopConfig) {
    installVippsFetch();
    const sdkConfig: ClientConfig = {
      merchantSerialNumber: config.msn,
      subscriptionKey: config.subscriptionKey,
      useTestMode: true,
      retryRequests: true,
    };
    if (!config.faults.has('no-system-headers')) {
      Object.assign(sdkConfig, {
        systemName: SYSTEM.name,
        systemVersion: SYSTEM.version,
        pluginName: SYSTEM.pluginName,
        pluginVersion: SYSTEM.pluginVersion,
      });
    }
    this.sdk = Client(sdkConfig);
  }

  /**
   * One API call. A 401 drops the cached token and tries once more with a new one. With
   * `retryLost`, a lost answer (network error, timeout) is retried with the same
   * Idempotency-Key so the operation happens at most once.
   */
  async call<T>(fn: (token: string) => Promise<SdkResult<T>>, options: { retryLost?: boolean } = {}): Promise<ApiResult<T>> {
    const key = randomUUID();
    const attempts = options.retryLost ? OWN_RETRY_DELAYS_MS.length + 1 : 1;
    let result: ApiResult<T> = { ok: false, message: 'not attempted', networkError: false };
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(OWN_RETRY_DELAYS_MS[attempt - 1]);
      const sameKey = attempt === 0 || !this.config.faults.has('new-key-on-retry');
      result = await this.callWithToken(fn, sameKey ? key : randomUUID());
      // A 5xx was already retried twice by the SDK (same Request, same key); only a lost answer is ours to retry.
      if (result.ok || !result.networkError) return result;
    }
    return result;
  }

  private async callWithToken<T>(fn: (token: string) => Promise<SdkResult<T>>, idempotencyKey: string): Promise<ApiResult<T>> {
    let result = await this.once(fn, idempotencyKey);
    if (!result.ok && result.status === 401) {
      this.token = undefined;
      result = await this.once(fn, idempotencyKey);
    }
    return result;
  }

  private async once<T>(fn: (token: string) => Promise<SdkResult<T>>, idempotencyKey: string): Promise<ApiResult<T>> {
    let token: string;
    try {
      token = await this.accessToken();
    } catch (err) {
      return { ok: false, message: `no access token: ${(err as Error).message}`, networkError: true };
    }
    const context: CallContext = { idempotencyKey };
    try {
      const res = await runInCallContext(context, () => fn(token));
      if (res.ok) return { ok: true, data: res.data };
      return { ok: false, status: context.lastStatus, retryAfterSeconds: context.retryAfterSeconds, message: describeError(res.error), networkError: false };
    } catch (err) {
      // The SDK does not catch network errors (or our timeout): the answer is lost.
      return { ok: false, message: `no answer from Vipps MobilePay (${(err as Error).message})`, networkError: true };
    }
  }

  /** A cached token, shared by concurrent callers; one request per token lifetime. */
  async accessToken(): Promise<string> {
    if (!this.config.faults.has('token-per-call') && this.token && Date.now() < this.token.expiresAt - TOKEN_MARGIN_MS) return this.token.value;
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const context: CallContext = {};
    const res = await runInCallContext(context, () => this.sdk.auth.getToken(this.config.clientId, this.config.clientSecret));
    if (!res.ok) throw new Error(`${context.lastStatus ?? 'no'} answer: ${describeError(res.error)}`);
    const seconds = Number(res.data.expires_in) || 3600;
    this.token = { value: res.data.access_token, expiresAt: Date.now() + seconds * 1000 };
    return this.token.value;
  }
}

/** A one-line, human-readable account of an SDK error (problem details, gateway body or Error). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    const text = [e.title, e.detail].filter((v) => typeof v === 'string' && v).join(': ') || (typeof e.message === 'string' ? e.message : '');
    const extra = Array.isArray(e.extraDetails) ? (e.extraDetails as { name?: string; reason?: string }[]) : [];
    const code = extra.find((d) => d.name === 'ErrorCode')?.reason;
    return `${text || 'unexpected answer'}${code ? ` (code ${code})` : ''}`;
  }
  return String(error);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
