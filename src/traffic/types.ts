/**
 * The traffic log is the spine of golive: actors and the sandbox record exchanges,
 * checks read them, the report shows them. Records hold raw values (secrets included);
 * redaction happens at the edge of every output (see src/traffic/redact.ts).
 */

/** Who sent the request, seen from golive. */
export type ExchangeKind =
  /** The integration under test called the (sandbox or proxied) Vipps API. */
  | 'api'
  /** The sandbox delivered a webhook to a registered URL. */
  | 'webhook'
  /** The sandbox called back a merchant/PSP endpoint (card callback, eCom callback, makePayment). */
  | 'callback'
  /** A golive actor drove the integration (checkout, capture, order status…). */
  | 'merchant'
  /** Sandbox control API or landing page traffic (customer actions, faults, clock). */
  | 'control';

export type ApiName =
  | 'access-token'
  | 'epayment'
  | 'webhooks'
  | 'order-management'
  | 'userinfo'
  | 'qr'
  | 'ecom-v2'
  | 'psp-v2'
  | 'psp-v3'
  | 'landing'
  | 'sandbox-control'
  | 'merchant'
  | 'unknown';

export type Headers = Record<string, string | string[] | undefined>;

export interface ExchangeRequest {
  method: string;
  /** Absolute URL when known, otherwise the path with query. */
  url: string;
  path: string;
  headers: Headers;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body?: unknown;
}

export interface ExchangeResponse {
  status: number;
  headers: Headers;
  body?: unknown;
}

export interface Exchange {
  /** Monotonic sequence number within one log; stable ordering for checks. */
  seq: number;
  id: string;
  kind: ExchangeKind;
  api: ApiName;
  /** Spec operation name where known, e.g. `createPayment`, `capturePayment`, `fetchToken`. */
  operation?: string;
  /** Suite flow this exchange belongs to, when the runner could attribute it. */
  flowId?: string;
  msn?: string;
  reference?: string;
  idempotencyKey?: string;
  request: ExchangeRequest;
  /** Absent when no response was received (network error, timeout, dropped by a fault). */
  response?: ExchangeResponse;
  /** Why there is no (normal) response: `timeout`, `connection refused`, `dropped by fault` … */
  error?: string;
  /** The sandbox fault that shaped this exchange, if any (e.g. `http-500`, `drop-response`). */
  fault?: string;
  /** Start time on the sandbox clock (epoch ms; virtual time when the clock was moved). */
  startedAt: number;
  /** Wall-clock duration in ms. */
  durationMs: number;
  /** Free-form annotations, e.g. a webhook's signature verdict or delivery attempt number. */
  notes?: Record<string, unknown>;
}

/** What a producer hands to the log; the log assigns seq and id. */
export type ExchangeInput = Omit<Exchange, 'seq' | 'id'> & { id?: string };

export interface TrafficQuery {
  kind?: ExchangeKind | ExchangeKind[];
  api?: ApiName | ApiName[];
  operation?: string | string[];
  msn?: string;
  reference?: string;
  flowId?: string;
  /** Only exchanges with seq greater than this. */
  afterSeq?: number;
  /** Only exchanges that started at or after this time (sandbox clock ms). */
  since?: number;
  limit?: number;
}
