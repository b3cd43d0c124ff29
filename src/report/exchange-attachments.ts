import type { Exchange } from '../traffic/types.ts';
import { exchangeNumber, isGoliveSeq } from '../traffic/exchange-number.ts';
import { curlScript, type CurlOptions } from './curl.ts';

/**
 * How one recorded HTTP exchange is shown in the report: who talked to whom, a one-line label,
 * the exchange as pretty JSON (already redacted), a webhook's signature verdict, and a curl
 * command that reproduces it. `attachStepExchanges` hangs them under the flow step that caused
 * them, one sub-step per exchange (repeated polls folded into one).
 */

export type Lane = 'customer' | 'golive' | 'merchant' | 'vipps';

export const LANE_TITLES: Record<Lane, string> = { customer: 'Customer', golive: 'golive', merchant: 'Merchant', vipps: 'Vipps' };

/** Who called whom: the integration calls Vipps, Vipps delivers webhooks, golive drives the merchant, the browser opens the landing page. */
export function lanesOf(e: Exchange): { from: Lane; to: Lane } {
  switch (e.kind) {
    case 'api':
      return { from: 'merchant', to: 'vipps' };
    case 'webhook':
    case 'callback':
      return { from: 'vipps', to: 'merchant' };
    case 'merchant':
      return { from: 'golive', to: 'merchant' };
    case 'control':
      return { from: e.api === 'landing' ? 'customer' : 'golive', to: 'vipps' };
    default:
      return { from: 'golive', to: 'vipps' };
  }
}

/**
 * `POST /epayment/v1/payments → 201`; webhooks name their event (`webhook
 * epayments.payment.created.v1 → 200`, with the receiver's path unless `path: false`). The
 * arrow and status are joined by a no-break space so a wrapped label keeps them together.
 */
export function exchangeLabel(e: Exchange, options: { path?: boolean } = {}): string {
  const outcome = e.response ? `→\u00a0${e.response.status}` : `→\u00a0no\u00a0response${e.error ? ` (${e.error})` : ''}`;
  if (e.kind === 'webhook') {
    const body = e.request.body as { name?: string } | undefined;
    const event = (e.notes?.eventType as string | undefined) ?? body?.name ?? 'event';
    return `webhook ${event}${options.path === true ? ` POST ${e.request.path}` : ''} ${outcome}`;
  }
  return `${e.request.method.toUpperCase()} ${e.request.path} ${outcome}`;
}

export interface SignatureVerdict {
  /** `valid`: signed by the sandbox with the registered secret; else how it was forged. */
  signature: 'valid' | 'forged' | 'unknown';
  tamper?: string;
  /** What the receiver did with it, judged from its HTTP answer. */
  receiver: 'accepted' | 'rejected' | 'no answer';
  /** True when the receiver did what the checklist asks (accept genuine, reject forged). */
  correct: boolean;
  text: string;
  short: string;
}

/**
 * A webhook delivery's signature verdict. Genuine deliveries carry a correct HMAC-SHA256 over
 * date, host and body hash; forged ones (tamper: signature, body, date, stale-date,
 * missing-signature) must be refused with a 4xx by the receiver.
 */
export function signatureVerdict(e: Exchange): SignatureVerdict {
  const tamper = typeof e.notes?.tamper === 'string' ? (e.notes.tamper as string) : e.fault?.startsWith('webhook-tamper-') ? e.fault.slice('webhook-tamper-'.length) : undefined;
  const forged = tamper !== undefined && tamper !== 'none';
  const status = e.response?.status;
  const receiver: SignatureVerdict['receiver'] = status === undefined ? 'no answer' : status < 300 ? 'accepted' : 'rejected';
  const signature: SignatureVerdict['signature'] = forged ? 'forged' : e.kind === 'webhook' ? 'valid' : 'unknown';
  const correct = forged ? receiver === 'rejected' : receiver === 'accepted';
  const what = forged ? `forged signature (${tamper})` : signature === 'valid' ? 'valid HMAC-SHA256 signature' : 'signature not checked by golive';
  const verdict = forged ? (correct ? 'rejected ✓' : receiver === 'accepted' ? 'ACCEPTED ✗' : 'no answer') : receiver === 'accepted' ? 'accepted ✓' : receiver === 'rejected' ? `rejected ${status} ✗` : 'no answer ✗';
  return {
    signature,
    tamper,
    receiver,
    correct,
    text: `${what}; the receiver answered ${status ?? 'nothing'}: ${verdict}`,
    short: `signature ${forged ? `forged (${tamper})` : signature}: ${verdict}`,
  };
}

const MAX_BODY_CHARS = 20_000;

/**
 * What golive knows about an exchange beyond HTTP: sender and receiver, timing, fault, signature
 * verdict, notes. Headers and bodies are not repeated here: the HTTP view attached beside it and
 * traffic.json hold them (one copy each keeps a run folder within its size budget).
 */
export function exchangeDocument(e: Exchange, flowStartedAt?: number): Record<string, unknown> {
  const { from, to } = lanesOf(e);
  const doc: Record<string, unknown> = {
    exchange: `${exchangeNumber(e)} ${LANE_TITLES[from]} → ${LANE_TITLES[to]}: ${plain(exchangeLabel(e, { path: true }))}`,
    kind: e.kind,
    api: e.api,
    ...(e.operation ? { operation: e.operation } : {}),
    ...(e.reference ? { reference: e.reference } : {}),
    startedAt: new Date(e.startedAt).toISOString(),
    ...(flowStartedAt !== undefined ? { sinceFlowStart: `+${((e.startedAt - flowStartedAt) / 1000).toFixed(3)} s` } : {}),
    durationMs: Math.round((e.durationMs ?? 0) * 10) / 10,
  };
  if (e.kind === 'webhook' || e.kind === 'callback') doc.signature = signatureVerdict(e).text;
  if (e.fault) doc.fault = e.fault;
  if (e.error) doc.error = e.error;
  doc.request = `${e.request.method.toUpperCase()} ${e.request.url}`;
  doc.response = e.response ? e.response.status : null;
  doc.headersAndBodies = `${exchangeNumber(e)} HTTP (Allure's HTTP view of this step) and ${isGoliveSeq(e.seq) ? `the flow's merchantTraffic in flows/ (seq ${e.seq})` : `traffic.json (seq ${e.seq})`}`;
  if (e.notes && Object.keys(e.notes).length) doc.notes = e.notes;
  return doc;
}

const plain = (s: string) => s.replace(/\u00a0/g, ' ');

/** Allure 2's HTTP exchange view (request and response tables, bodies as code). */
export const ALLURE_HTTP_CONTENT_TYPE = 'application/vnd.allure.http+json';

/**
 * The exchange in the shape of Allure's HTTP view: headers as name/value rows, bodies as pretty
 * JSON text. Values stay as redacted as the exchange is.
 */
export function allureHttpExchange(e: Exchange): Record<string, unknown> {
  const rows = (headers: Exchange['request']['headers'] | undefined) =>
    Object.entries(headers ?? {}).flatMap(([name, value]) => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: String(v) }))));
  const body = (value: unknown, headers: Exchange['request']['headers'] | undefined) => {
    if (value === undefined || value === null || value === '') return undefined;
    const declared = rows(headers).find((h) => h.name.toLowerCase() === 'content-type')?.value;
    const text = typeof value === 'string' ? (bounded(value) as string) : JSON.stringify(value, null, 2);
    return { contentType: typeof value === 'string' ? (declared ?? 'text/plain') : 'application/json', value: text, size: Buffer.byteLength(text) };
  };
  const url = /^[a-z]+:\/\//i.test(e.request.url) ? e.request.url : `${headerOf(e.request.headers, 'host') ? `http://${headerOf(e.request.headers, 'host')}` : ''}${e.request.url || e.request.path}`;
  return {
    request: { method: e.request.method, url, headers: rows(e.request.headers), body: body(e.request.body, e.request.headers) },
    response: e.response ? { status: e.response.status, headers: rows(e.response.headers), body: body(e.response.body, e.response.headers) } : undefined,
    error: e.error ? { name: e.fault ?? 'no response', message: e.error } : undefined,
    start: e.startedAt,
    stop: e.startedAt + Math.round(e.durationMs ?? 0),
  };
}

function headerOf(headers: Exchange['request']['headers'] | undefined, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function bounded(body: unknown): unknown {
  if (typeof body === 'string' && body.length > MAX_BODY_CHARS) return `${body.slice(0, MAX_BODY_CHARS)}… [${body.length - MAX_BODY_CHARS} more characters not shown]`;
  return body;
}

export interface ExchangeGroup {
  exchanges: Exchange[];
  title: string;
}

/**
 * Consecutive exchanges that look the same (same sender, method, path and status — a poll)
 * fold into one group: `golive → Merchant: GET /api/orders/x → 200 ×12`.
 */
export function groupExchanges(exchanges: readonly Exchange[]): ExchangeGroup[] {
  const groups: Exchange[][] = [];
  const key = (e: Exchange) => [e.kind, e.request.method, e.request.path, e.response?.status ?? e.error ?? '', e.fault ?? ''].join(' ');
  for (const e of exchanges) {
    const last = groups[groups.length - 1];
    if (last && e.kind !== 'webhook' && key(last[0]) === key(e)) last.push(e);
    else groups.push([e]);
  }
  return groups.map((g) => {
    const { from, to } = lanesOf(g[0]);
    const verdict = g[0].kind === 'webhook' ? ` — ${signatureVerdict(g[0]).short}` : '';
    return { exchanges: g, title: `${LANE_TITLES[from]} → ${LANE_TITLES[to]}: ${plain(exchangeLabel(g[0]))}${g.length > 1 ? ` ×${g.length}` : ''}${verdict}${g[0].fault ? ` ⚡ ${g[0].fault}` : ''}` };
  });
}

export interface AttachTarget {
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  attach(name: string, body: string | Buffer, contentType: string): Promise<void>;
}

export interface AttachExchangesOptions {
  flowStartedAt?: number;
  curl?: CurlOptions;
  /** At most this many groups get their own sub-step; the rest are listed in one attachment. */
  maxGroups?: number;
}

/**
 * Attach a step's exchanges: per group one sub-step holding the exchange in Allure's HTTP view,
 * golive's JSON about it (timing, webhook signature verdict, fault and notes) and as a curl script
 * (for a folded poll: its first and last exchange). Bounded by `maxGroups`.
 */
export async function attachStepExchanges(target: AttachTarget, exchanges: readonly Exchange[], options: AttachExchangesOptions = {}): Promise<void> {
  const groups = groupExchanges(exchanges);
  const max = options.maxGroups ?? 40;
  for (const group of groups.slice(0, max)) {
    const shown = group.exchanges.length > 1 ? [group.exchanges[0], group.exchanges[group.exchanges.length - 1]] : group.exchanges;
    await target.step(group.title, async () => {
      for (const [i, e] of shown.entries()) {
        const which = shown.length > 1 ? (i === 0 ? ' (first)' : ' (last)') : '';
        const n = exchangeNumber(e);
        await target.attach(`${n} HTTP ${e.request.method.toUpperCase()} ${e.request.path}${which}`, JSON.stringify(allureHttpExchange(e)), ALLURE_HTTP_CONTENT_TYPE);
        await target.attach(`${n} exchange${which}.json`, JSON.stringify(exchangeDocument(e, options.flowStartedAt), null, 2), 'application/json');
        await target.attach(`${n} curl${which}.sh`, curlScript(e, options.curl), 'text/plain');
      }
    });
  }
  if (groups.length > max) {
    const rest = groups.slice(max).map((g) => ({ title: g.title, seq: g.exchanges.map((e) => e.seq) }));
    await target.attach(`${rest.length} more exchange groups.json`, JSON.stringify(rest, null, 2), 'application/json');
  }
}
