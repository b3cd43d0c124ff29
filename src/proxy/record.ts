import type { IncomingHttpHeaders } from 'node:http';
import { environmentNote } from '../traffic/environment.ts';
import type { TrafficLog } from '../traffic/log.ts';
import type { Redactor } from '../traffic/redact.ts';
import type { ExchangeResponse, Headers } from '../traffic/types.ts';
import { BodyCopy, discoverHeaderSecrets, recordedBody } from './capture.ts';
import { classifyRequest } from './classify.ts';
import type { UpstreamFailure } from './failures.ts';
import { recordedResponseHeaders } from './headers.ts';

/** Everything the proxy saw of one exchange, handed over once it is over (answered, failed or aborted). */
export interface ProxiedExchange {
  method: string;
  /** The integration's request target (path and query), as the sandbox records it. */
  url: string;
  requestHeaders: Headers;
  requestBody?: BodyCopy;
  /** What the integration got: the upstream's answer, or the proxy's own 502/504 (`body` then its JSON text). */
  response?: { status: number; headers: IncomingHttpHeaders; body?: BodyCopy | string };
  /** Set when the upstream failed: before its status line (the proxy answered) or mid-body (the answer was aborted). */
  failure?: UpstreamFailure & { midBody: boolean };
  /** The integration went away before the exchange was over. */
  clientAborted?: boolean;
  startedAt: number;
  durationMs: number;
  /** Time the request waited for the rate limit before it went upstream. */
  queuedMs: number;
}

export interface RecordContext {
  log: TrafficLog;
  redactor: Redactor;
  upstream: string;
  recordLimit: number;
}

/**
 * Append a proxied exchange to the traffic log, redacted before it is stored: the log of a real
 * test environment holds real credentials otherwise (secret headers, tokens in bodies). Secrets
 * are registered with the redactor first, so their fingerprints match across exchanges and a
 * token turning up in a later URL or body is scrubbed there too.
 */
export function recordExchange(ctx: RecordContext, x: ProxiedExchange): void {
  const { redactor } = ctx;
  discoverHeaderSecrets(x.requestHeaders, redactor);
  const requestBody = recordedBody(x.requestBody, x.requestHeaders, redactor, ctx.recordLimit);
  const path = x.url.split('?')[0];
  const c = classifyRequest(x.method, path, x.requestHeaders, requestBody.parsed);
  let response: ExchangeResponse | undefined;
  if (x.response) {
    const headers = recordedResponseHeaders(x.response.headers);
    const body = x.response.body;
    const recorded = typeof body === 'string' ? (JSON.parse(body) as unknown) : recordedBody(body, headers, redactor, ctx.recordLimit).recorded;
    response = { status: x.response.status, headers: redactor.headers(headers), body: recorded };
  }

  const notes: Record<string, unknown> = { upstream: ctx.upstream };
  const truncated: Record<string, number> = {};
  if (x.requestBody?.truncated) truncated.request = x.requestBody.total;
  if (x.response?.body instanceof BodyCopy && x.response.body.truncated) truncated.response = x.response.body.total;
  if (Object.keys(truncated).length > 0) notes.bodyTruncated = { ...truncated, keptBytes: ctx.recordLimit };
  if (x.queuedMs >= 1) notes.rateLimitQueuedMs = Math.round(x.queuedMs);
  if (x.failure) Object.assign(notes, environmentNote(x.failure.cause, redactor.text(x.failure.detail)));
  if (x.clientAborted) notes.clientAborted = true;

  ctx.log.append({
    kind: 'api',
    api: c.api,
    operation: c.operation,
    msn: c.msn,
    reference: c.reference,
    idempotencyKey: c.idempotencyKey,
    request: { method: x.method, url: redactor.text(x.url), path: redactor.text(path), headers: redactor.headers(x.requestHeaders), body: requestBody.recorded },
    response,
    error: errorOf(x),
    startedAt: x.startedAt,
    durationMs: x.durationMs,
    notes,
  });
}

function errorOf(x: ProxiedExchange): string | undefined {
  if (x.failure?.midBody) return `upstream failed mid-body, the answer was aborted (${x.failure.cause})`;
  if (x.failure) return `no answer from upstream (${x.failure.cause}); golive proxy answered ${x.failure.status}`;
  if (x.clientAborted) return 'the integration closed the connection before the exchange was over';
  return undefined;
}
