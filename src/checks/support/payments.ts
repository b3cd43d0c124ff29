import type { Exchange } from '../../traffic/types.ts';
import type { CheckInput, FlowRecord, Observation } from '../types.ts';
import { aggregateOf, apiOps, byTime, endOf, isOk, modificationAmountOf, OP, operationOf, referenceOf, responseBodyOf, bodyOf, paymentStateOf, type Agg } from './traffic.ts';
import { deliveries, eventNameOf, isForged, isInjected } from './notifications.ts';
import { requestedAmountOf } from '../../contract/operations.ts';
import { belongsToFlow, type FlowTrafficScope } from '../../traffic/flow-scope.ts';
import { ecomNeutralState, isEcomCallback } from './ecom-traffic.ts';
import { FINAL_PAYMENT_STATES, PAYMENT_STATES, type PaymentState } from '../../contract/epayment.ts';

/**
 * A per-payment picture assembled from everything a check can see: the integration's API
 * calls, the sandbox's webhook deliveries and what the flow's steps observed. Sandbox state is
 * known only through evidence (responses, deliveries, customer actions), each with a time on
 * the sandbox clock; exchange `startedAt` and observation `at` share that clock.
 */

export type { PaymentState } from '../../contract/epayment.ts';
export const FINAL_STATES: readonly PaymentState[] = FINAL_PAYMENT_STATES;
const STATES = new Set<string>(PAYMENT_STATES);

/** Merchant order statuses the runner maps the merchant's own words to (defined with the suite language). */
import type { CanonicalStatus } from '../../suite/steps.ts';
export { CANONICAL_STATUSES, type CanonicalStatus } from '../../suite/steps.ts';

export interface StateEvidence {
  state: PaymentState;
  at: number;
  source: string;
  seq?: number;
}

export type OrderObservation = Extract<Observation, { type: 'merchant-order' }> & { flowId: string };
export type PageObservation = Extract<Observation, { type: 'page' }> & { flowId: string };
export type CustomerObservation = Extract<Observation, { type: 'customer' }> & { flowId: string };
export type PaymentObservation = Extract<Observation, { type: 'payment' }> & { flowId: string };

export interface PaymentPicture {
  reference: string;
  flowId?: string;
  creates: Exchange[];
  /** First create the API accepted. */
  created?: Exchange;
  amount?: { value: number; currency?: string };
  gets: Exchange[];
  eventLogs: Exchange[];
  captures: Exchange[];
  refunds: Exchange[];
  cancels: Exchange[];
  /** Sandbox deliveries for this payment (genuine and dropped; forged/injected ones excluded). */
  webhooks: Exchange[];
  evidence: StateEvidence[];
  orders: OrderObservation[];
  pages: PageObservation[];
  customer: CustomerObservation[];
}

/** Every observation of the input with its flow id, in time order. */
export function observations(input: CheckInput): (Observation & { flowId: string })[] {
  const out: (Observation & { flowId: string })[] = [];
  for (const f of input.flows) for (const o of f.observations ?? []) out.push({ ...o, flowId: f.id });
  return out.sort((a, b) => a.at - b.at);
}

export const observationsOf = <T extends Observation['type']>(input: CheckInput, type: T) =>
  observations(input).filter((o) => o.type === type) as (Extract<Observation, { type: T }> & { flowId: string })[];

function eventTimestamp(ts: unknown): number | undefined {
  if (typeof ts !== 'string') return undefined;
  const t = Date.parse(ts);
  return Number.isFinite(t) ? t : undefined;
}

const stateOfEvent = (name: string | undefined): PaymentState | undefined => {
  switch (name) {
    case 'CREATED':
    case 'AUTHORIZED':
    case 'ABORTED':
    case 'EXPIRED':
    case 'TERMINATED':
      return name;
    case 'CAPTURED':
    case 'REFUNDED':
    case 'CANCELLED':
      return 'AUTHORIZED';
    default:
      return undefined;
  }
};

/** Build the picture of every payment the input mentions, keyed by reference. */
export function payments(input: CheckInput): Map<string, PaymentPicture> {
  const map = new Map<string, PaymentPicture>();
  const get = (reference: string): PaymentPicture => {
    let p = map.get(reference);
    if (!p) {
      p = { reference, creates: [], gets: [], eventLogs: [], captures: [], refunds: [], cancels: [], webhooks: [], evidence: [], orders: [], pages: [], customer: [] };
      map.set(reference, p);
    }
    return p;
  };
  const flowOfRef = new Map<string, string>();
  for (const f of input.flows) for (const r of f.references ?? []) flowOfRef.set(r, f.id);

  const traffic = [...input.traffic].sort(byTime);
  for (const e of apiOps(traffic, OP.create, OP.get, OP.events, OP.capture, OP.refund, OP.cancel)) {
    const ref = referenceOf(e);
    if (!ref) continue;
    const p = get(ref);
    const op = operationOf(e);
    if (op === OP.create) {
      p.creates.push(e);
      if (isOk(e)) {
        if (!p.created) {
          p.created = e;
          const body = bodyOf(e);
          const value = requestedAmountOf(body);
          // eCom amounts are øre: its initiate names no currency.
          if (value !== undefined) p.amount = { value, currency: body?.amount?.currency ?? (body?.transaction ? 'NOK' : undefined) };
          p.evidence.push({ state: 'CREATED', at: e.startedAt, source: 'create', seq: e.seq });
        }
      }
    } else if (op === OP.get) {
      p.gets.push(e);
      const s = paymentStateOf(responseBodyOf(e));
      if (isOk(e) && s) p.evidence.push({ state: s, at: endOf(e), source: 'GET payment', seq: e.seq });
    } else if (op === OP.events) {
      p.eventLogs.push(e);
      const events = responseBodyOf(e);
      if (isOk(e) && Array.isArray(events)) {
        for (const ev of events) {
          const st = stateOfEvent(typeof ev?.name === 'string' ? ev.name : undefined);
          const at = eventTimestamp(ev?.timestamp) ?? endOf(e);
          if (st && ev?.success !== false) p.evidence.push({ state: st, at: Math.min(at, endOf(e)), source: 'event log', seq: e.seq });
        }
      }
    } else {
      (op === OP.capture ? p.captures : op === OP.refund ? p.refunds : p.cancels).push(e);
      const s = paymentStateOf(responseBodyOf(e));
      if (isOk(e) && s) p.evidence.push({ state: s, at: endOf(e), source: `${op} response`, seq: e.seq });
    }
  }
  for (const e of deliveries(traffic)) {
    if (isForged(e) || isInjected(e)) continue;
    const ref = referenceOf(e);
    if (!ref) continue;
    const p = get(ref);
    p.webhooks.push(e);
    const st = stateOfEvent(eventNameOf(e));
    if (st && st !== 'CREATED') p.evidence.push({ state: st, at: e.startedAt, source: `${isEcomCallback(e) ? 'callback' : 'webhook'} ${eventNameOf(e)}`, seq: e.seq });
  }
  for (const o of observations(input)) {
    if (o.type === 'merchant-order') get(o.reference).orders.push(o);
    else if (o.type === 'page' && o.reference) get(o.reference).pages.push(o);
    else if (o.type === 'customer') {
      const p = get(o.reference);
      p.customer.push(o);
      if (o.action === 'approve') p.evidence.push({ state: 'AUTHORIZED', at: o.at, source: 'customer approved' });
      if (o.action === 'reject') p.evidence.push({ state: 'ABORTED', at: o.at, source: 'customer rejected' });
    } else if (o.type === 'payment') {
      const state = STATES.has(o.state) ? (o.state as PaymentState) : ecomNeutralState(o.state);
      if (state) get(o.reference).evidence.push({ state, at: o.at, source: 'payment observed' });
    }
  }
  // Pages without a reference: attribute by URL.
  for (const o of observationsOf(input, 'page')) {
    if (o.reference) continue;
    for (const p of map.values()) if (o.url.includes(p.reference)) p.pages.push(o);
  }
  for (const p of map.values()) {
    p.evidence.sort((a, b) => a.at - b.at);
    p.flowId = flowOfRef.get(p.reference) ?? p.creates[0]?.flowId ?? p.orders[0]?.flowId;
  }
  return map;
}

/** The final state the payment reached (final states never change back; stale reads are ignored). */
export function finalStateOf(p: PaymentPicture): StateEvidence | undefined {
  return p.evidence.find((e) => e.state !== 'CREATED');
}

/** State at time t: the final state once evidence for it exists, else CREATED once created. */
export function stateAt(p: PaymentPicture, t: number): PaymentState | undefined {
  const fin = finalStateOf(p);
  if (fin && fin.at <= t) return fin.state;
  const created = p.evidence.find((e) => e.state === 'CREATED');
  if (created && created.at <= t) return 'CREATED';
  return fin || created ? 'CREATED' : undefined;
}

/** Latest aggregate the traffic showed (modification or GET responses), at or before t when given. */
export function aggregateAt(p: PaymentPicture, t = Number.POSITIVE_INFINITY): (Agg & { seq: number; at: number }) | undefined {
  let best: (Agg & { seq: number; at: number }) | undefined;
  for (const e of [...p.captures, ...p.refunds, ...p.cancels, ...p.gets]) {
    if (!isOk(e) || endOf(e) > t) continue;
    const a = aggregateOf(responseBodyOf(e));
    if (!a) continue;
    // Aggregates only grow: keep the most advanced one (a stale read cannot win).
    const size = a.authorized + a.captured + a.refunded + a.cancelled;
    const bestSize = best ? best.authorized + best.captured + best.refunded + best.cancelled : -1;
    if (size > bestSize || (size === bestSize && best && endOf(e) > best.at)) best = { ...a, seq: e.seq, at: endOf(e) };
  }
  return best;
}

/** Merchant order statuses that are a sensible reading of the sandbox's state and aggregate. */
export function expectedStatuses(state: PaymentState | undefined, agg?: Agg): CanonicalStatus[] {
  switch (state) {
    case 'CREATED':
      return ['pending'];
    case 'ABORTED':
      return ['cancelled', 'failed'];
    case 'EXPIRED':
      return ['expired', 'failed', 'cancelled'];
    case 'TERMINATED':
      return ['terminated', 'cancelled'];
    case 'AUTHORIZED': {
      if (!agg) return ['paid'];
      if (agg.refunded > 0) return agg.refunded >= agg.captured ? ['refunded'] : ['partially-refunded'];
      if (agg.captured > 0) {
        if (agg.captured >= agg.authorized) return ['captured'];
        return agg.cancelled > 0 ? ['captured', 'partially-captured'] : ['partially-captured'];
      }
      if (agg.cancelled > 0) return ['cancelled'];
      return ['paid'];
    }
    default:
      return [];
  }
}

export const normStatus = (s: string): string => s.trim().toLowerCase().replace(/[\s_]+/g, '-');

/** Merchant order observations for a payment at or after t (time order). */
export const ordersAfter = (p: PaymentPicture, t: number): OrderObservation[] => p.orders.filter((o) => o.at >= t);

/** Modification exchanges of a payment that the API accepted, in time order. */
export const acceptedModifications = (p: PaymentPicture): Exchange[] => [...p.captures, ...p.refunds, ...p.cancels].filter(isOk).sort(byTime);

export const flowsListing = (input: CheckInput, itemId: string): FlowRecord[] => input.flows.filter((f) => (f.checklist ?? []).includes(itemId));

/**
 * The exchanges of one flow, by the runner's rule (`belongsToFlow`, src/traffic/flow-scope.ts).
 * golive's own merchant-side exchanges are the flow's when tagged with its id; untagged ones, and
 * every exchange of a recording whose flow records carry no `msn`/`amount` (made before they were
 * written), fall back to the older rule: its references, else its time window.
 */
export function trafficOfFlow(input: CheckInput, flow: FlowRecord): Exchange[] {
  if (input.flows.length === 1) return input.traffic;
  if (flow.msn === undefined || flow.amount === undefined) return input.traffic.filter((e) => inWindowOrReferences(e, flow));
  const scope: FlowTrafficScope = { references: flow.references, startedAt: flow.startedAt, endedAt: flow.endedAt, msn: flow.msn, amount: flow.amount, flowId: flow.id, qrIds: qrIdsOf(flow) };
  return input.traffic.filter((e) => (e.kind === 'merchant' && e.flowId === undefined ? inWindowOrReferences(e, flow) : belongsToFlow(e, scope)));
}

/** The merchant-redirect QR ids a flow made (role actions) or scanned. */
export function qrIdsOf(flow: Pick<FlowRecord, 'observations'>): string[] {
  const ids = flow.observations.flatMap((o) => ((o.type === 'role-action' || o.type === 'qr-scan') && o.qrId ? [o.qrId] : []));
  return [...new Set(ids)];
}

/** The rule before flow records carried their MSN and amount: tagged id, references, else time window. */
function inWindowOrReferences(e: Exchange, flow: FlowRecord): boolean {
  if (e.flowId !== undefined) return e.flowId === flow.id;
  const ref = referenceOf(e);
  if (ref !== undefined) return (flow.references ?? []).includes(ref);
  return e.startedAt >= flow.startedAt && e.startedAt <= flow.endedAt;
}

/** A one-flow CheckInput for each flow of the input (flow-scoped checks iterate these). */
export function perFlow(input: CheckInput): CheckInput[] {
  if (input.flows.length <= 1) return [input];
  return input.flows.map((f) => ({ traffic: trafficOfFlow(input, f), flows: [f], profile: input.profile }));
}

export const amountOf = (e: Exchange): number | undefined => modificationAmountOf(e)?.value;
