import { PAYMENT_OPERATIONS, requestedAmountOf } from '../contract/operations.ts';
import type { ApiName, Exchange } from './types.ts';

/** What ties sandbox exchanges to one flow. */
export interface FlowTrafficScope {
  /** The payments the flow made. */
  references: readonly string[];
  /** The flow's time window on the sandbox clock; `endedAt` 0 while it runs. */
  startedAt: number;
  endedAt: number;
  msn: string;
  /** The flow's own payment amount (minor units): a create the API refused has no payment, only this. */
  amount: number;
  /**
   * When the flow's traffic was read: its payments' later exchanges were not there yet (a recorded
   * run replays with it; a running flow reads the log as it is).
   */
  readAt?: number;
  /** The flow's id as exchanges carry it in `flowId` (tagged by the sandbox or the runner at record time). */
  flowId?: string;
  /** Merchant-redirect QR ids the flow made or scanned: QR API calls name no payment, only these. */
  qrIds?: readonly string[];
}

/**
 * Calls no payment names: attributed to the flows running when they happened (partner-wide
 * tokens and webhooks, QR API codes, Userinfo reads the sandbox could not tie to a payment).
 */
export const UNATTRIBUTED_APIS: ReadonlySet<ApiName> = new Set<ApiName>(['access-token', 'webhooks', 'userinfo']);
/** APIs whose calls may belong to a flow without naming its payments (what the runner collects). */
export const NON_PAYMENT_APIS: readonly ApiName[] = [...UNATTRIBUTED_APIS, 'qr'];

const QR_ID_PATH = /\/qr\/v1\/merchant-redirect\/([^/?#]+)/i;
/** The merchant-redirect QR id a QR API exchange names (its path, or the create body's `id`). */
export function qrIdOf(e: Exchange): string | undefined {
  const m = QR_ID_PATH.exec(e.request.path ?? e.request.url);
  if (m) return decodeURIComponent(m[1]);
  const body = e.request.body as { id?: unknown } | undefined;
  return typeof body === 'object' && body !== null && typeof body.id === 'string' ? body.id : undefined;
}

/**
 * Whether a sandbox exchange belongs to the flow — the one rule for per-step attachments,
 * end-of-flow judging, the checks and the recorded fixtures. An exchange tagged at record time
 * (`flowId`) belongs to the flow it names. Otherwise it is inferred: its payments' exchanges (any
 * time), creates of its amount for its MSN since it started (refused ones have no payment), QR
 * API calls for its QR ids, and token, Webhooks and unattributed Userinfo calls during it. `now` closes the window of a flow still running.
 */
export function belongsToFlow(e: Exchange, flow: FlowTrafficScope, now = Number.POSITIVE_INFINITY): boolean {
  if (e.flowId !== undefined && flow.flowId !== undefined) return e.flowId === flow.flowId && (flow.readAt === undefined || e.startedAt <= flow.readAt);
  if (e.reference !== undefined && flow.references.includes(e.reference)) return flow.readAt === undefined || e.startedAt <= flow.readAt;
  if (e.startedAt < flow.startedAt) return false;
  if (isCreate(e.operation)) return e.msn === flow.msn && requestedAmountOf(e.request.body) === flow.amount;
  // Parallel flows overlap in time: a QR API call is the flow's whose QR id it names.
  if (e.kind === 'api' && e.api === 'qr') {
    const id = qrIdOf(e);
    return id !== undefined && (flow.qrIds ?? []).includes(id) && e.startedAt <= (flow.endedAt || now);
  }
  return e.kind === 'api' && UNATTRIBUTED_APIS.has(e.api) && e.startedAt <= (flow.endedAt || now);
}

/** The flow's exchanges among `traffic` (deduplicated by seq), with its own merchant-side ones, in time order. */
export function exchangesOfFlow(traffic: Iterable<Exchange>, flow: FlowTrafficScope, own: readonly Exchange[] = [], now?: number): Exchange[] {
  const bySeq = new Map<number, Exchange>();
  for (const e of traffic) if (belongsToFlow(e, flow, now)) bySeq.set(e.seq, e);
  return [...bySeq.values(), ...own].sort(byTime);
}

const byTime = (a: Exchange, b: Exchange) => a.startedAt - b.startedAt || a.seq - b.seq;

const CREATES: readonly string[] = PAYMENT_OPERATIONS.create;
const isCreate = (operation: string | undefined): boolean => operation !== undefined && CREATES.includes(operation);
