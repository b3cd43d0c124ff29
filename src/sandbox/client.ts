import { request } from 'undici';
import type { Exchange, TrafficQuery } from '../traffic/types.ts';
import type { FaultSpecInput, Fault } from '../contract/faults.ts';
import type { ConsentChoice, PhoneInbox, QrScan } from '../contract/in-person.ts';
import { CARD_CALLBACK_TIMEOUT_MS, type CardCallbackForgery, type CardCallbackSummary, type CustomerCardChoice } from '../contract/card-passthrough.ts';

/**
 * A card-passthrough customer action's answer (see src/sandbox/README.md): 200 reserved
 * (`{...payment view, cardCallback}`), 202 soft decline (`{outcome, payment, cardCallback}`),
 * 402 declined or unknown (`{error, code, reason, outcome, retryable, payment, cardCallback}`).
 */
export interface CardActionAnswer {
  status: 200 | 202 | 402;
  body: { cardCallback: CardCallbackSummary; [key: string]: any };
}

/** A partner as the control API shows it (no secrets). */
export interface PartnerView {
  id: string;
  name: string;
  clientId: string;
  salesUnits: string[];
}

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

  private async call<T>(method: string, path: string, body?: unknown, options: { timeoutMs?: number; accept?: number[] } = {}): Promise<T> {
    return (await this.exchange<T>(method, path, body, options)).body;
  }

  private async exchange<T>(method: string, path: string, body?: unknown, options: { timeoutMs?: number; accept?: number[] } = {}): Promise<{ status: number; body: T }> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    const res = await request(`${this.baseUrl}/_sandbox/v1${path}`, {
      method: method as any,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await res.body.text();
    const parsed = text ? safeJson(text) : undefined;
    if (res.statusCode >= 400 && !options.accept?.includes(res.statusCode)) {
      const message = (parsed as any)?.error ?? (parsed as any)?.details ?? text;
      throw new ControlError(res.statusCode, `sandbox control ${method} ${path} → ${res.statusCode}: ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    }
    return { status: res.statusCode, body: parsed as T };
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
  /** The customer approves; `consent` answers the profile-sharing question (`decline` → ABORTED). */
  approve(msn: string, reference: string, body: { phoneNumber?: string; consent?: ConsentChoice } = {}): Promise<any> {
    return this.customer('approve', msn, reference, body);
  }

  /** The push messages a phone received (CREATED ones unless `all`), newest first. */
  phoneRequests(phoneNumber: string, options: { all?: boolean } = {}): Promise<PhoneInbox> {
    return this.call('GET', `/phones/${encodeURIComponent(phoneNumber)}/requests${options.all ? '?all=true' : ''}`);
  }
  /** What a phone camera reading a QR sees: `{url}` (its content or image URL) or `{msn, id}`. */
  scanQr(arg: { url: string } | { msn: string; id: string }): Promise<QrScan> {
    return this.call('POST', '/qr/scan', arg);
  }

  /**
   * Card passthrough: the customer approves with a card and the sandbox waits for the PSP's card
   * callback answer (up to 20 s, so this call waits longer than the others). 200/202/402 are
   * answers, not errors; other refusals throw ControlError.
   */
  approveWithCard(msn: string, reference: string, body: { phoneNumber?: string; card?: CustomerCardChoice } = {}): Promise<CardActionAnswer> {
    return this.cardAction(msn, reference, 'approve', body);
  }
  /** Card passthrough: the PSP sent the customer back after 3-D Secure (the second callback). */
  softDeclineCompleted(msn: string, reference: string, attempt?: string): Promise<CardActionAnswer> {
    return this.cardAction(msn, reference, 'soft-decline-completed', attempt ? { attempt } : {});
  }
  /** Card passthrough: a forged card callback for this payment; the PSP's answer (never acted on). */
  forgeCardCallback(msn: string, reference: string, forgery: CardCallbackForgery): Promise<{ authorizationAttemptId: string; forgery: CardCallbackForgery; status: number | null; body?: unknown; accepted: boolean; error?: string }> {
    return this.call('POST', `/payments/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}/forge-card-callback`, { forgery }, { timeoutMs: CARD_CALLBACK_TIMEOUT_MS + 10_000 });
  }
  private cardAction(msn: string, reference: string, action: string, body: Record<string, unknown>): Promise<CardActionAnswer> {
    return this.exchange('POST', `/payments/${encodeURIComponent(msn)}/${encodeURIComponent(reference)}/${action}`, body, { timeoutMs: CARD_CALLBACK_TIMEOUT_MS + 10_000, accept: [402] }) as Promise<CardActionAnswer>;
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
  /** The RSA public key (PEM) the PSP API v2 encrypts this PSP's cardData with. */
  setPspPublicKey(pspId: string, publicKey: string): Promise<{ pspId: string }> {
    return this.call('PUT', `/psps/${encodeURIComponent(pspId)}/public-key`, { publicKey });
  }
  merchants(): Promise<{ merchants: { msn: string }[] }> {
    return this.call('GET', '/merchants');
  }
  /** Partner keys acting for `salesUnits` (each a merchant the sandbox knows); 409 for a taken id or client_id. */
  addPartner(partner: { id: string; name?: string; clientId: string; clientSecret: string; subscriptionKeys: string[]; salesUnits: string[] }): Promise<PartnerView> {
    return this.call('POST', '/partners', partner);
  }
  partners(): Promise<{ partners: PartnerView[] }> {
    return this.call('GET', '/partners');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
