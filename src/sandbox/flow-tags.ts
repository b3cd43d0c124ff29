import { PAYMENT_OPERATIONS, requestedAmountOf } from '../contract/operations.ts';
import type { ExchangeInput } from '../traffic/types.ts';

/**
 * What a runner tells the sandbox about one of its flows: creates of `amount` for `msn` while
 * the flow runs are the flow's, and so is every later exchange of the payments they create.
 */
export interface FlowTagSpec {
  /** Unique per running flow (the runner's fault label): what ends the tagging. */
  label: string;
  /** What exchanges carry in `flowId` (the flow record's id). */
  flowId: string;
  msn: string;
  amount: number;
}

/** Payments remembered after their flow ended, so a long-lived sandbox stays bounded. */
const MAX_REFERENCES = 100_000;
const CREATES: readonly string[] = PAYMENT_OPERATIONS.create;

/**
 * Tags exchanges with their flow at record time (`Exchange.flowId`), by the same facts the
 * runner's after-the-fact rule reads (src/traffic/flow-scope.ts). Partner-wide calls (token,
 * Webhooks API) name no payment and stay untagged, as does a create two running flows could both
 * claim: the rule infers those.
 */
export class FlowTags {
  private readonly running = new Map<string, FlowTagSpec>();
  /** Payment reference → flow id, kept after the flow ended (its late polls and webhooks are still its). */
  private readonly byReference = new Map<string, string>();

  start(spec: FlowTagSpec): void {
    this.running.set(spec.label, spec);
  }

  /** Stop tagging creates for the flow; its payments stay tagged. */
  end(label: string): boolean {
    return this.running.delete(label);
  }

  tag(e: ExchangeInput): void {
    if (e.flowId !== undefined || (this.running.size === 0 && this.byReference.size === 0)) return;
    if (e.operation !== undefined && CREATES.includes(e.operation)) {
      const flowId = this.ownerOfCreate(e);
      if (flowId === undefined) return;
      e.flowId = flowId;
      // A refused create made no payment: its reference (e.g. a duplicate pspTransactionId) stays
      // with the flow whose create made that payment.
      const refused = e.response !== undefined && e.response.status >= 300;
      if (e.reference !== undefined && !(refused && this.byReference.has(e.reference))) this.remember(e.reference, flowId);
      return;
    }
    const flowId = e.reference === undefined ? undefined : this.byReference.get(e.reference);
    if (flowId !== undefined) e.flowId = flowId;
  }

  private ownerOfCreate(e: ExchangeInput): string | undefined {
    const amount = requestedAmountOf(e.request.body);
    const owners = [...this.running.values()].filter((f) => f.msn === e.msn && f.amount === amount);
    return owners.length === 1 ? owners[0].flowId : undefined;
  }

  private remember(reference: string, flowId: string): void {
    this.byReference.delete(reference);
    this.byReference.set(reference, flowId);
    if (this.byReference.size > MAX_REFERENCES) this.byReference.delete(this.byReference.keys().next().value!);
  }
}
