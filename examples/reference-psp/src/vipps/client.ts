/**
 * The PSP's one way to Vipps MobilePay. Every ePayment and Webhooks call carries the bearer
 * token (fetched once, cached until a minute before it expires), Ocp-Apim-Subscription-Key,
 * Psp-Id, the *merchant's* Merchant-Serial-Number and the four Vipps-System-* headers.
 * Operations that change money send an Idempotency-Key that is reused on every retry of that
 * operation (network error, timeout, 429, 5xx); other answers are returned as they are.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { SYSTEM_HEADERS, type PspConfig } from '../config.ts';

/** What the client needs: the card-passthrough PspConfig, or the PSP API mode's config. */
export type ClientConfig = Pick<PspConfig, 'vippsBaseUrl' | 'clientId' | 'clientSecret' | 'subscriptionKey' | 'pspId' | 'msn' | 'retries' | 'retryBackoffMs' | 'requestTimeoutMs'> & {
  faults: ReadonlySet<string>;
  /** The Vipps-System-* headers to send (default: card passthrough's, none with its no-system-headers fault). */
  systemHeaders?: Readonly<Record<string, string>>;
  /** Spell psp-id / merchant-serial-number in lowercase (the PSP API v2 spec's spelling; v3 and ePayment: Psp-Id, Merchant-Serial-Number). */
  lowercasePspHeaders?: boolean;
};

export interface VippsCall {
  /** Operation name for the log (createPayment, capturePayment, …). */
  op: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

export interface VippsAnswer<T = any> {
  status: number;
  body: T;
  idempotencyKey?: string;
}

export class VippsError extends Error {
  constructor(
    readonly op: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const detail = body && typeof body === 'object' ? ((body as any).detail ?? (body as any).title ?? (Array.isArray(body) && (body[0] as any)?.errorMessage ? `${(body[0] as any).errorCode} ${(body[0] as any).errorMessage}` : JSON.stringify(body))) : String(body ?? '');
    super(`${op}: HTTP ${status}${detail ? ` ${detail}` : ''}`);
  }
}

const TOKEN_MARGIN_MS = 60_000;

export class VippsClient {
  private readonly agent = new Agent({ keepAliveTimeout: 5_000, connections: 16 });
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async close(): Promise<void> {
    await this.agent.close();
  }

  private systemHeaders(): Record<string, string> {
    if (this.config.systemHeaders) return { ...this.config.systemHeaders };
    return this.config.faults.has('no-system-headers') ? {} : { ...SYSTEM_HEADERS };
  }

  /** Cached access token; concurrent callers share one token request. */
  async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt - TOKEN_MARGIN_MS) return this.token.value;
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const res = await request(`${this.config.vippsBaseUrl}/accesstoken/get`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
        'Ocp-Apim-Subscription-Key': this.config.subscriptionKey,
        ...this.systemHeaders(),
      },
      body: '',
      headersTimeout: this.config.requestTimeoutMs,
      bodyTimeout: this.config.requestTimeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new VippsError('accessToken', res.statusCode, text);
    const body = JSON.parse(text) as { access_token: string; expires_in: string | number };
    const seconds = Number(body.expires_in) || 3600;
    this.token = { value: body.access_token, expiresAt: Date.now() + seconds * 1000 };
    return body.access_token;
  }

  /** One call with retries; throws VippsError for any non-2xx final answer. */
  async call<T = any>(call: VippsCall): Promise<VippsAnswer<T>> {
    const answer = await this.send<T>(call);
    if (answer.status < 200 || answer.status > 299) throw new VippsError(call.op, answer.status, answer.body);
    return answer;
  }

  /** One call with retries; every final answer is returned (network failures after the last retry throw). */
  async send<T = any>(call: VippsCall): Promise<VippsAnswer<T>> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      if (attempt > 0) await sleep(this.config.retryBackoffMs * 2 ** (attempt - 1));
      try {
        const answer = await this.once<T>(call);
        const retryable = answer.status === 429 || answer.status >= 500;
        if (retryable && attempt < this.config.retries) {
          this.log(`refpsp: ${call.op} answered ${answer.status}, retrying with the same Idempotency-Key`);
          continue;
        }
        if (answer.status === 401 && attempt === 0) this.token = undefined;
        return answer;
      } catch (err) {
        lastError = err;
        this.log(`refpsp: ${call.op} failed (${(err as Error).message})${attempt < this.config.retries ? ', retrying' : ''}`);
      }
    }
    throw lastError;
  }

  private async once<T>(call: VippsCall): Promise<VippsAnswer<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.accessToken()}`,
      'Ocp-Apim-Subscription-Key': this.config.subscriptionKey,
      ...this.systemHeaders(),
    };
    const lower = this.config.lowercasePspHeaders === true;
    headers[lower ? 'merchant-serial-number' : 'Merchant-Serial-Number'] = this.config.msn;
    if (!this.config.faults.has('no-psp-id')) headers[lower ? 'psp-id' : 'Psp-Id'] = this.config.pspId;
    if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey;
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await request(`${this.config.vippsBaseUrl}${call.path}`, {
      method: call.method,
      dispatcher: this.agent,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      headersTimeout: this.config.requestTimeoutMs,
      bodyTimeout: this.config.requestTimeoutMs,
    });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.statusCode, body: body as T, idempotencyKey: call.idempotencyKey };
  }
}
