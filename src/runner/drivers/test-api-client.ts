import { request } from 'undici';
import { EnvironmentProblem } from '../../shared/errors.ts';

/** The merchant's credentials for the test API (the profile's, resolved from the environment). */
export interface TestApiCredentials {
  msn: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  /** A PSP's keys: the Psp-Id every PSP API call names. */
  pspId?: string;
}

/** An ePayment payment as `GET /epayment/v1/payments/{reference}` answers it (the fields golive reads). */
export interface EpaymentPayment {
  reference: string;
  state: string;
  amount?: { value: number; currency: string };
  aggregate?: Record<string, { value: number; currency: string }>;
  redirectUrl?: string;
}

/** The test environment refused force approve; `hint` names the documented prerequisite that explains it. */
export class ForceApproveRefused extends EnvironmentProblem {
  override name = 'ForceApproveRefused';
}

/**
 * What the test environment documents about force approve refusals (vipps-facts §2.11): the
 * test user must have approved one payment by hand in the test app first (else it is not
 * "BankID verified"), and 10010–10070 name the other causes.
 */
export function forceApproveHint(status: number, body: string): string {
  const code = /"code"\s*:\s*"?(\d+)/.exec(body)?.[1];
  const causes: Record<string, string> = {
    '10010': 'approve failed — most often the test user has not yet approved one payment by hand in the MT (test) app: do that once, then force approve works',
    '10020': 'approve not allowed for this payment (Express checkout cannot be force-approved)',
    '10030': 'identification required: set testApi.phoneNumber in the profile to the test user\'s phone number',
    '10040': 'invalid payment source for the test user',
    '10050': 'the test user has no cards: add a test card in the MT app',
    '10060': 'operation not supported',
    '10070': 'payment limit exceeded for the test user',
  };
  if (code && causes[code]) return `${code}: ${causes[code]}`;
  if (status === 500) return 'an expired test card shows as HTTP 500: renew the test user\'s card in the MT app';
  if (status === 404) return 'the test API has no such payment, or no force approve at this path (force approve exists in the test environment only)';
  return 'check that every test user has approved at least one payment by hand in the MT (test) app before force approve works';
}

/**
 * golive's own client for the real ePayment test API: reads payments and force-approves them
 * with the profile's credentials. It talks to the upstream directly, never through the recording
 * proxy, so golive's reads are not mistaken for the integration's (its polling, its headers).
 */
export class TestApiClient {
  private token: { value: string; until: number } | undefined;

  constructor(
    readonly upstream: string,
    private readonly credentials: TestApiCredentials,
    private readonly timeoutMs = 15_000,
  ) {}

  /**
   * One call, backing off on 429 as Vipps asks (Retry-After, else 1, 2, 4 s) for at most the
   * client's timeout: golive must not hammer a shared test API, and a rate-limited read is no
   * verdict about the integration. A 429 that outlasts the timeout is answered as it came.
   */
  private async call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string }> {
    const until = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const res = await this.once(method, path, headers, body);
      if (res.status !== 429) return res;
      const wait = retryAfterMs(res.retryAfter) ?? 1000 * 2 ** Math.min(attempt, 3);
      if (Date.now() + wait > until) return res;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async once(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string; retryAfter?: string }> {
    try {
      const res = await request(`${this.upstream.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'vipps-system-name': 'golive' },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const retryAfter = res.headers['retry-after'];
      return { status: res.statusCode, text: await res.body.text(), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
    } catch (err) {
      throw new EnvironmentProblem(`the test API at ${this.upstream} could not be reached for ${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const c = this.credentials;
    const base = { 'ocp-apim-subscription-key': c.subscriptionKey, 'merchant-serial-number': c.msn, ...(c.pspId ? { 'psp-id': c.pspId } : {}) };
    if (!this.token || this.token.until < Date.now()) {
      const res = await this.call('POST', '/accesstoken/get', { ...base, client_id: c.clientId, client_secret: c.clientSecret });
      if (res.status !== 200) throw new EnvironmentProblem(`the test API refused golive an access token with the profile's credentials (HTTP ${res.status}): check merchant.clientId/clientSecret/subscriptionKey`);
      const body = JSON.parse(res.text) as { access_token: string; expires_in?: number | string };
      // Renewed a minute early: a token that lapses mid-flow would be golive's failure, not the integration's.
      this.token = { value: body.access_token, until: Date.now() + Math.max(60, Number(body.expires_in ?? 3600) - 60) * 1000 };
    }
    return { ...base, authorization: `Bearer ${this.token.value}` };
  }

  /** An authorised call of the merchant's to the test API (golive's own reads and customer actions). */
  async api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return this.call(method, path, await this.authHeaders(), body);
  }

  /** The payment, or undefined when the test API has none by that reference (404). */
  async findPayment(reference: string): Promise<EpaymentPayment | undefined> {
    const res = await this.call('GET', `/epayment/v1/payments/${encodeURIComponent(reference)}`, await this.authHeaders());
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new EnvironmentProblem(`GET payment ${reference} on the test API answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text) as EpaymentPayment;
  }

  /** `POST /epayment/v1/test/payments/{reference}/approve` (vipps-facts §2.11): the test user approves without the app. */
  async forceApprove(reference: string, who: { phoneNumber?: string; token?: string }): Promise<void> {
    const body = { ...(who.phoneNumber ? { customer: { phoneNumber: who.phoneNumber } } : {}), ...(who.token ? { token: who.token } : {}) };
    const res = await this.call('POST', `/epayment/v1/test/payments/${encodeURIComponent(reference)}/approve`, await this.authHeaders(), body);
    if (res.status >= 300) throw new ForceApproveRefused(`the test API refused force approve of ${reference} (HTTP ${res.status}: ${res.text.slice(0, 300)}) — ${forceApproveHint(res.status, res.text)}`);
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
