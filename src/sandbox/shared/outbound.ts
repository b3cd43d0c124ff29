import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { Clock } from '../clock.ts';
import type { TrafficLog } from '../../traffic/log.ts';
import type { ApiName, Exchange, ExchangeKind, Headers } from '../../traffic/types.ts';

/**
 * Calls the sandbox makes to the integration: webhooks now, eCom callbacks and PSP card
 * callbacks next. One POST with a real-time deadline, headers built per attempt at the sandbox
 * clock's time (a signer), an optional tamper hook (forgeries that prove a receiver checks
 * authenticity), and the exchange recorded with the caller's kind, API and operation.
 */

/** Response bodies larger than this are cut in the traffic log. */
const MAX_RESPONSE_BODY = 64 * 1024;

export interface AttemptResult {
  url: string;
  requestHeaders: Record<string, string>;
  sentBody: string;
  status?: number;
  responseHeaders?: Headers;
  /** Parsed JSON when the receiver said JSON, else the text. */
  responseBody?: unknown;
  error?: string;
  durationMs: number;
  startedAt: number;
}

export interface OutboundRequest {
  url: string;
  /** POST unless said (eCom's consent removal is a DELETE without a body). */
  method?: 'POST' | 'DELETE';
  body: string;
  /** Headers for this attempt at sandbox time `now` (e.g. HMAC signing, an auth token); may throw for a bad URL. */
  signer?: (url: string, body: string, now: number) => Record<string, string>;
  /** This request's deadline (ms) instead of the Outbound's (e.g. a card-callback-timeout fault). */
  timeoutMs?: number;
  /** Forge the request after signing: what is sent instead. */
  tamper?: (built: { url: string; body: string; headers: Record<string, string>; now: number }) => { headers: Record<string, string>; body: string };
}

/** Who the recorded exchange is: traffic-log kind, API and operation, plus its payment. */
export interface OutboundRecord {
  kind: ExchangeKind;
  api: ApiName;
  operation: string;
  msn?: string;
  reference?: string;
  fault?: string;
  notes: Record<string, unknown>;
}

export class Outbound {
  private readonly agent: Agent;

  constructor(
    private readonly deps: { clock: Clock; traffic: TrafficLog },
    /** Read per request, so a changed setting takes effect at once. */
    private readonly timeoutMs: () => number,
  ) {
    const timeout = timeoutMs();
    this.agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 1000 });
  }

  /** The request as it would be sent now (signed, possibly forged), without sending it. */
  build(req: OutboundRequest): { headers: Record<string, string>; sentBody: string } {
    const now = this.deps.clock.now();
    const headers = { ...(req.signer?.(req.url, req.body, now) ?? {}) };
    if (!req.tamper) return { headers, sentBody: req.body };
    const forged = req.tamper({ url: req.url, body: req.body, headers, now });
    return { headers: { ...forged.headers }, sentBody: forged.body };
  }

  /** One request (POST unless `req.method` says otherwise); never throws. */
  async post(req: OutboundRequest): Promise<AttemptResult> {
    const { url } = req;
    const startedAt = this.deps.clock.now();
    const t0 = performance.now();
    let built: { headers: Record<string, string>; sentBody: string };
    try {
      built = this.build(req);
    } catch (err) {
      return { url, requestHeaders: {}, sentBody: req.body, error: `invalid URL (${(err as Error).message})`, durationMs: 0, startedAt };
    }
    const timeout = req.timeoutMs ?? this.timeoutMs();
    const base = { url, requestHeaders: built.headers, sentBody: built.sentBody, startedAt };
    // undici's own timeouts tick at ~1 s resolution and restart per body chunk; this real-time
    // deadline bounds the whole exchange precisely (a receiver must answer within the timeout).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineError()), timeout);
    timer.unref();
    try {
      const res = await request(url, {
        method: req.method ?? 'POST',
        headers: built.headers,
        body: req.method === 'DELETE' && built.sentBody === '' ? undefined : built.sentBody,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: deadline.signal,
      });
      const text = await readLimited(res.body);
      const ct = res.headers['content-type'];
      const contentType = Array.isArray(ct) ? ct[0] : ct;
      return {
        ...base,
        status: res.statusCode,
        responseHeaders: res.headers as Headers,
        responseBody: parseMaybeJson(text, contentType),
        durationMs: performance.now() - t0,
      };
    } catch (err) {
      return { ...base, error: describeError(deadline.signal.aborted ? deadline.signal.reason : err, timeout), durationMs: performance.now() - t0 };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Record an outbound exchange (sent, failed, or never sent because of a fault). */
  record(
    input: { url: string; headers: Record<string, string>; sentBody: string; method?: string },
    meta: OutboundRecord,
    outcome: { status?: number; responseHeaders?: Headers; responseBody?: unknown; error?: string; durationMs: number; startedAt: number },
  ): Exchange {
    let path = input.url;
    try {
      path = new URL(input.url).pathname;
    } catch {
      /* keep the raw text */
    }
    return this.deps.traffic.append({
      kind: meta.kind,
      api: meta.api,
      operation: meta.operation,
      msn: meta.msn,
      reference: meta.reference,
      request: { method: input.method ?? 'POST', url: input.url, path, headers: input.headers, body: parseMaybeJson(input.sentBody, 'application/json') },
      response:
        outcome.status === undefined
          ? undefined
          : { status: outcome.status, headers: outcome.responseHeaders ?? {}, body: outcome.responseBody },
      error: outcome.error,
      fault: meta.fault,
      startedAt: outcome.startedAt,
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      notes: meta.notes,
    });
  }

  /**
   * Record a call a fault kept from being sent (webhook-drop, callback-drop): the request as it
   * would have gone out (headers built now; none for an unusable URL), no response, `error` why.
   */
  recordNotSent(req: OutboundRequest, meta: OutboundRecord, error: string): Exchange {
    let headers: Record<string, string> = {};
    let sentBody = req.body;
    try {
      ({ headers, sentBody } = this.build(req));
    } catch {
      /* unusable URL: record without headers */
    }
    return this.record({ url: req.url, headers, sentBody, method: req.method }, meta, { error, durationMs: 0, startedAt: this.deps.clock.now() });
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = MAX_RESPONSE_BODY - size;
    if (room > 0) chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += chunk.length;
    if (size > MAX_RESPONSE_BODY) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return size > MAX_RESPONSE_BODY ? `${text}… [truncated, ${size}+ bytes]` : text;
}

function parseMaybeJson(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      /* keep the raw text */
    }
  }
  return text;
}

class DeadlineError extends Error {
  readonly code = 'GOLIVE_DEADLINE';
  constructor() {
    super('no complete response in time');
  }
}

/** Short, stable error text: starts with `timeout` or the error code (ECONNREFUSED…). */
export function describeError(err: unknown, timeoutMs: number): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[]; cause?: { code?: string } };
  const code = e?.code ?? e?.errors?.find((x) => x?.code)?.code ?? e?.cause?.code;
  switch (code) {
    case 'GOLIVE_DEADLINE':
      return `timeout (no complete response within ${timeoutMs} ms)`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `timeout (no response within ${timeoutMs} ms)`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `timeout (response body stalled for ${timeoutMs} ms)`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `timeout (could not connect within ${timeoutMs} ms)`;
    case 'ECONNREFUSED':
      return 'ECONNREFUSED (connection refused)';
    case 'ECONNRESET':
      return 'ECONNRESET (connection reset by the receiver)';
    case 'UND_ERR_SOCKET':
      return 'UND_ERR_SOCKET (the receiver closed the connection without an answer)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${code} (host not found)`;
    default:
      return code ? `${code} (${e?.message ?? 'request failed'})` : (e?.message ?? String(err));
  }
}
