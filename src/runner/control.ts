import { ControlClient, ControlError } from '../sandbox/client.ts';
import type { Fault, FaultSpecInput } from '../contract/faults.ts';
import type { AggregateKey } from '../contract/epayment.ts';
import type { Exchange, TrafficQuery } from '../traffic/types.ts';
import { EnvironmentProblem } from '../shared/errors.ts';
import type { CardCallbackForgery, CustomerCardChoice } from '../contract/card-passthrough.ts';
import type { PhoneInbox, QrScan } from '../contract/in-person.ts';

/** A QR scan: what the code leads to, or why the printed code no longer works (404 `unknown-qr` | `expired-qr` | `deleted-qr`). */
export type QrScanAnswer = { ok: true; scan: QrScan } | { ok: false; status: number; code?: string; error: string };

/** A payment as the control API shows it (the sandbox's internal view, redacted, plus landingUrl). */
export interface ControlPayment {
  reference: string;
  state: string;
  amount?: { value: number; currency: string };
  aggregate?: Partial<Record<AggregateKey, { value: number; currency: string }>>;
  redirectUrl?: string;
  landingUrl?: string;
  returnUrl?: string;
}

/** One forged delivery's outcome (`POST /webhooks/deliver`). */
export interface ForgedDelivery {
  status?: number;
  error?: string;
}

/**
 * The runner's typed view of the sandbox control API. golive owns the sandbox, so whatever goes
 * wrong talking to it is an environment problem — never the integration's — except a 404 on a
 * payment lookup, which `findPayment*` answer as "no such payment".
 */
export class SandboxControl {
  constructor(readonly client: ControlClient) {}

  private async call<T>(run: (c: ControlClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.client);
    } catch (err) {
      throw new EnvironmentProblem(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  private async find<T>(run: (c: ControlClient) => Promise<T>): Promise<T | undefined> {
    try {
      return await run(this.client);
    } catch (err) {
      if (err instanceof ControlError && err.status === 404) return undefined;
      throw new EnvironmentProblem(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  clock = () => this.call((c) => c.clock());
  advanceClock = (ms: number) => this.call((c) => c.advanceClock(ms));
  addFault = (spec: FaultSpecInput): Promise<Fault> => this.call((c) => c.addFault(spec));
  clearFaults = (label: string) => this.call((c) => c.clearFaults(label));
  /**
   * Tags are evidence only: a sandbox that predates them answers 404 and the flow's traffic is
   * inferred (src/traffic/flow-scope.ts), so that is no environment problem.
   */
  startFlowTags = (spec: { label: string; flowId: string; msn: string; amount: number }) => this.find((c) => c.startFlowTags(spec));
  endFlowTags = (label: string) => this.find((c) => c.endFlowTags(label));
  /** A fault with its fired count (`hits`), or undefined once it was removed. */
  fault = (id: string): Promise<Fault | undefined> => this.find((c) => c.fault(id));
  traffic = (query: TrafficQuery & { limit?: number }): Promise<{ exchanges: Exchange[]; lastSeq: number }> => this.call((c) => c.traffic(query));

  payment = (msn: string, reference: string): Promise<ControlPayment> => this.call((c) => c.payment(msn, reference));
  findPayment = (msn: string, reference: string): Promise<ControlPayment | undefined> => this.find((c) => c.payment(msn, reference));
  findPaymentByToken = (token: string): Promise<ControlPayment | undefined> => this.find((c) => c.paymentByToken(token));
  customer = (action: 'approve' | 'reject' | 'expire', msn: string, reference: string, body: Record<string, unknown> = {}): Promise<ControlPayment> =>
    this.call((c) => c.customer(action, msn, reference, body));

  /** Card passthrough: the customer pays with a card; 200 reserved, 202 soft decline, 402 declined or unknown (answers, not errors). */
  payWithCard = (msn: string, reference: string, card: CustomerCardChoice) => this.call((c) => c.approveWithCard(msn, reference, { card }));
  forgeCardCallback = (msn: string, reference: string, forgery: CardCallbackForgery) => this.call((c) => c.forgeCardCallback(msn, reference, forgery));

  /**
   * The in-person routes (src/contract/in-person.ts), called directly until ControlClient has
   * them: the push messages a phone received, and what scanning a QR shows.
   */
  phoneRequests = (phoneNumber: string): Promise<PhoneInbox> =>
    this.call(async () => {
      const answer = await this.raw('GET', `/phones/${encodeURIComponent(phoneNumber)}/requests`);
      if (answer.status >= 400) throw new ControlError(answer.status, `sandbox control GET /phones/${phoneNumber}/requests → ${answer.status}: ${errorOf(answer.body)}`);
      return answer.body as PhoneInbox;
    });
  scanQr = (what: { url: string } | { msn: string; id: string }): Promise<QrScanAnswer> =>
    this.call(async () => {
      const answer = await this.raw('POST', '/qr/scan', what);
      if (answer.status < 300) return { ok: true, scan: answer.body as QrScan };
      const body = answer.body as { error?: string; code?: string } | undefined;
      // A code the sandbox does not know (any more) is the integration's evidence, not a broken environment.
      if (answer.status === 404 && body?.code) return { ok: false, status: 404, code: body.code, error: errorOf(body) };
      throw new ControlError(answer.status, `sandbox control POST /qr/scan → ${answer.status}: ${errorOf(body)}`);
    });

  private async raw(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.client.baseUrl}/_sandbox/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message
    }
    return { status: res.status, body: parsed };
  }

  /**
   * Forge a webhook delivery; the sandbox answers one delivery, or `deliveries` when it sent
   * several; undefined when no webhook is registered for it (404: the integration's to explain).
   */
  async deliverWebhook(body: Record<string, unknown>): Promise<ForgedDelivery | undefined> {
    const result = (await this.find((c) => c.deliverWebhook(body))) as (ForgedDelivery & { deliveries?: ForgedDelivery[] }) | undefined;
    return result?.deliveries?.[0] ?? result;
  }
}

const errorOf = (body: unknown): string => {
  const b = body as { error?: unknown } | undefined;
  return typeof b?.error === 'string' ? b.error : typeof body === 'string' ? body : JSON.stringify(body);
};
