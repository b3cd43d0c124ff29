import { ControlClient, ControlError } from '../sandbox/client.ts';
import type { Fault, FaultSpecInput } from '../contract/faults.ts';
import type { AggregateKey } from '../contract/epayment.ts';
import type { Exchange, TrafficQuery } from '../traffic/types.ts';
import { EnvironmentProblem } from '../shared/errors.ts';
import type { CardCallbackForgery, CustomerCardChoice } from '../contract/card-passthrough.ts';

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
   * Forge a webhook delivery; the sandbox answers one delivery, or `deliveries` when it sent
   * several; undefined when no webhook is registered for it (404: the integration's to explain).
   */
  async deliverWebhook(body: Record<string, unknown>): Promise<ForgedDelivery | undefined> {
    const result = (await this.find((c) => c.deliverWebhook(body))) as (ForgedDelivery & { deliveries?: ForgedDelivery[] }) | undefined;
    return result?.deliveries?.[0] ?? result;
  }
}
