import { request } from 'undici';
import type { Exchange, TrafficQuery } from '../traffic/types.ts';
import type { FaultSpecInput, Fault } from '../contract/faults.ts';

/** Thrown when the sandbox control API answers with an error. */
export class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Client for the sandbox control API (`/_sandbox/v1`), used by golive's runner and actors in
 * Playwright workers. Every call has a bounded timeout so a stuck sandbox fails a step, not the run.
 */
export class ControlClient {
  constructor(readonly baseUrl: string, private readonly timeoutMs = 15_000) {}

  /** The answer as it came, whatever its status (card payments answer 202 and 402 as outcomes). */
  private async exchange(method: string, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: any }> {
    const res = await request(`${this.baseUrl}/_sandbox/v1${path}`, {
      method: method as any,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? safeJson(text) : undefined };
  }

  private async call<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const { status, body: parsed } = await this.exchange(method, path, body, timeoutMs);
    if (status >= 400) {
      const message = (parsed as any)?.error ?? (parsed as any)?.details ?? parsed ?? '';
      throw new ControlError(status, `sandbox control ${method} ${path} → ${status}: ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    }
    return parsed as T;
  }

  health() {
    return this.call<{ status: string }>('GET', '/health');
  }

  addFault(spec: FaultSpecInput): Promise<Fault> {
    return this.call('POST', '/faults', spec);
  }
  /** One fault with its `hits` (fired count), also after its `times` retired it. */
  fault(id: string): Promise<Fault> {
    return this.call('GET', `/faults/${encodeURIComponent(id)}`);
  }
  clearFaults(label?: string): Promise<{ removed: number }> {
    return this.call('DELETE', `/faults${label ? `?label=${encodeURIComponent(label)}` : ''}`);
  }

  /** Tag the flow's exchanges at record time: its creates (by MSN and amount) and their payments'. */
  startFlowTags(spec: { label: string; flowId: string; msn: string; amount: number }): Promise<unknown> {
    return this.call('POST', '/flows', spec);
  }
  endFlowTags(label: string): Promise<void> {
    return this.call('DELETE', `/flows?label=${encodeURIComponent(label)}`);
  }

  clock(): Promise<{ now: number; offsetMs: number }> {
    return this.call('GET', '/clock');
  }
  advanceClock(ms: number): Promise<{ now: number; offsetMs: number }> {
    return this.call('POST', '/clock/advance', { ms });
  }

  async traffic(query: TrafficQuery & { limit?: number } = {}): Promise<{ exchanges: Exchange[]; lastSeq: number; dropped: number }> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      params.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    return this.call('GET', `/traffic?${params}`);
  }

  /** Every payment of an MSN, as the control API shows it (not recorded in the traffic log). */
  payments(msn: string): Promise<{ payments: any[]; count: number }> {
    return this.call('GET', `/payments?msn=${encodeURIComponent(msn)}`);
  }
  payment(msn: string, reference: string): Promise<any> {
    return this.call('GET', `/payments/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}`);
  }
  paymentByToken(token: string): Promise<any> {
    return this.call('GET', `/payments/by-token/${encodeURIComponent(token)}`);
  }
  customer(action: 'approve' | 'reject' | 'expire' | 'fail', msn: string, reference: string, body: Record<string, unknown> = {}): Promise<any> {
    return this.call('POST', `/payments/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}/${action}`, body);
  }

  /**
   * Card passthrough: the customer pays with a card; the sandbox calls the PSP's card callback and
   * answers with the outcome (200 reserved, 202 soft decline, 402 declined or unknown, 4xx refused).
   * `timeoutMs` must outlast the callback's own deadline.
   */
  payWithCard(msn: string, reference: string, card: Record<string, unknown>, timeoutMs: number): Promise<{ status: number; body: any }> {
    return this.exchange('POST', `${paymentPath(msn, reference)}/approve`, { card }, timeoutMs);
  }
  /** Card passthrough: the PSP's 3-D Secure step-up is done; the sandbox sends the attempt's second callback. */
  softDeclineCompleted(msn: string, reference: string, timeoutMs: number): Promise<{ status: number; body: any }> {
    return this.exchange('POST', `${paymentPath(msn, reference)}/soft-decline-completed`, {}, timeoutMs);
  }
  /** Card passthrough: send the PSP a forged card callback; the sandbox never acts on its answer. */
  forgeCardCallback(msn: string, reference: string, forgery: string, timeoutMs: number): Promise<{ status?: number; body?: unknown; accepted?: boolean; error?: string }> {
    return this.call('POST', `${paymentPath(msn, reference)}/forge-card-callback`, { forgery }, timeoutMs);
  }

  /** eCom Express checkout: the customer withdraws consent; the sandbox calls the merchant's consentRemovalPrefix. */
  removeEcomConsent(msn: string, orderId: string): Promise<{ exchangeId?: string; status?: number; error?: string }> {
    return this.call('POST', `/ecom/payments/${encodeURIComponent(msn)}/${encodeURIComponent(orderId)}/remove-consent`, {});
  }

  deliverWebhook(body: Record<string, unknown>): Promise<any> {
    return this.call('POST', '/webhooks/deliver', body);
  }

  addMerchant(merchant: Record<string, unknown>): Promise<any> {
    return this.call('POST', '/merchants', merchant);
  }
  merchants(): Promise<{ merchants: { msn: string }[] }> {
    return this.call('GET', '/merchants');
  }
}

const paymentPath = (msn: string, reference: string) => `/payments/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}`;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
