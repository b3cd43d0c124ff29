import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import type { TrafficLog } from '../traffic/log.ts';
import { Redactor } from '../traffic/redact.ts';
import { BodyCopy, tapInto } from './capture.ts';
import { failureBody, PROXY_ERROR_HEADER, upstreamFailure, type UpstreamFailure } from './failures.ts';
import { forwardRequestHeaders, forwardResponseHeaders } from './headers.ts';
import { TokenBucket, type RateLimit } from './rate-limit.ts';
import { recordExchange, type ProxiedExchange, type RecordContext } from './record.ts';

export { classifyRequest, type Classification } from './classify.ts';
export { PROXY_ERROR_HEADER, type UpstreamCause } from './failures.ts';
export { TokenBucket, type RateLimit } from './rate-limit.ts';
export type { ProxiedExchange, RecordContext } from './record.ts';

export const DEFAULT_UPSTREAM = 'https://apitest.vipps.no';
export const DEFAULT_RECORD_LIMIT = 1024 * 1024;

const timeoutError = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * The abort signal undici also accepts (an EventEmitter with `aborted`/`reason`): an
 * AbortController per request costs a DOMException and a NodeError on every finish.
 */
class Abort extends EventEmitter {
  aborted = false;
  reason: unknown;
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

export interface RecordingProxyOptions {
  /** Base URL of the real API (default the Vipps MobilePay test environment); a path in it prefixes every forwarded path. */
  upstream?: string;
  /** The traffic log the checks read; every exchange lands here, redacted. */
  log: TrafficLog;
  /** The run's redactor (default: the proxy's own); learns the secrets the proxy sees. */
  redactor?: Redactor;
  /**
   * Longest wait from sending the request to the upstream's headers (504 beyond), and between
   * two chunks of its body (aborted answer beyond).
   */
  timeoutMs: number;
  /** Requests per second sent upstream at most; above, requests queue (none are refused). */
  rateLimit?: RateLimit;
  /** A rate limit shared with other proxies to the same upstream (instead of `rateLimit`); its owner closes it. */
  bucket?: TokenBucket;
  host?: string;
  port?: number;
  /** Bytes of each body kept in the log (default 1 MiB); the forwarded body is never cut. */
  recordLimitBytes?: number;
  /** Clock for `startedAt` (default wall clock). */
  now?: () => number;
  /** Upstream connections kept (default 32). */
  connections?: number;
  /** Pass the caller's `Host` on instead of the upstream's (the delivery relay). */
  keepHost?: boolean;
  /** How an exchange is recorded (default: as an API call of the integration's, classified by route). */
  recorder?: (ctx: RecordContext, x: ProxiedExchange) => void;
}

export interface RecordingProxy {
  /** What the integration uses as its Vipps base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A recording reverse proxy for `golive run --target test-api`: the integration talks to it as
 * to the Vipps API; it forwards every request to the upstream over a keep-alive pool, streams
 * both bodies through (the answer byte for byte, content-encoding untouched), and records each
 * exchange in the traffic log classified into the same API and operation names the sandbox
 * records. Upstream failures are answered 502/504 by the proxy and recorded as environment
 * problems; a failure mid-body aborts the integration's connection instead of ending the answer.
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const upstreamUrl = new URL(options.upstream ?? DEFAULT_UPSTREAM);
  const prefix = upstreamUrl.pathname.replace(/\/+$/, '');
  const { timeoutMs } = options;
  const limit = options.recordLimitBytes ?? DEFAULT_RECORD_LIMIT;
  const now = options.now ?? Date.now;
  const pool = new Pool(upstreamUrl.origin, {
    connections: options.connections ?? 32,
    keepAliveTimeout: 30_000,
    connect: { timeout: timeoutMs },
    // Backstops only; the proxy's own timers (in handle) decide.
    headersTimeout: timeoutMs + 1_000,
    bodyTimeout: timeoutMs + 1_000,
  });
  const ownBucket = !options.bucket && options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  const bucket = options.bucket ?? ownBucket;
  const ctx: RecordContext = { log: options.log, redactor: options.redactor ?? new Redactor(), upstream: upstreamUrl.origin + prefix, recordLimit: limit };
  let closing = false;

  const recorder = options.recorder ?? recordExchange;
  const record = (x: ProxiedExchange) => {
    try {
      recorder(ctx, x);
    } catch (err) {
      // Recording must never break forwarding; a lost record is reported, not thrown at the integration.
      process.emitWarning(`golive proxy: could not record ${x.method} ${x.url}: ${(err as Error).message}`);
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = now();
    const t0 = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    let clientAborted = false;
    const abort = new Abort();
    res.once('close', () => {
      if (res.writableFinished) return;
      clientAborted = true;
      abort.abort();
    });
    const x: ProxiedExchange = { method, url, requestHeaders: req.headers, startedAt, durationMs: 0, queuedMs: 0 };
    let recorded = false;
    // Once per exchange, whichever end comes first (answer finished, upstream failed, client gone).
    const done = (extra: Partial<ProxiedExchange>) => {
      if (recorded) return;
      recorded = true;
      record(Object.assign(x, extra, { durationMs: performance.now() - t0, clientAborted: clientAborted || undefined }));
    };

    if (bucket) {
      try {
        await bucket.take();
      } catch {
        req.socket.destroy();
        return done({});
      }
      x.queuedMs = performance.now() - t0;
      if (clientAborted) return done({});
    }

    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    const requestCopy = hasBody ? new BodyCopy(limit) : undefined;
    const requestStream = requestCopy && tapInto(requestCopy);
    if (requestStream) {
      // pipe, not pipeline: when the upstream fails before reading the body, the request must
      // stay open for the proxy's own 502 while the rest of the body is drained.
      req.pipe(requestStream);
      req.once('error', (err) => requestStream.destroy(err));
      x.requestBody = requestCopy;
    }

    // Our own timers, not undici's: its headers and body timeouts tick in ~1 s steps.
    const headersTimer = setTimeout(() => abort.abort(timeoutError('UND_ERR_HEADERS_TIMEOUT', `no response headers within ${timeoutMs} ms`)), timeoutMs);
    let upstream: Awaited<ReturnType<Pool['request']>>;
    try {
      upstream = await pool.request({
        path: prefix + url,
        method: method as never,
        headers: forwardRequestHeaders(req.rawHeaders, req.headers.connection, options.keepHost),
        body: requestStream,
        signal: abort,
      });
    } catch (err) {
      if (clientAborted || req.socket.destroyed) return done({});
      const failure = upstreamFailure(abort.reason ?? err, ctx.upstream);
      if (!requestStream || req.complete) return answerFailure(res, failure, done);
      // The upstream never read the body: drain it into the copy (the record gets it whole), then answer.
      req.unpipe(requestStream);
      if (!requestStream.destroyed) requestStream.resume(); // what it holds unread still passes the copy
      req.on('data', (chunk: Buffer) => requestCopy!.keep(chunk)).resume();
      let answered = false;
      const answer = () => answered || ((answered = true), answerFailure(res, failure, done));
      req.once('end', answer).once('close', answer);
      return;
    } finally {
      clearTimeout(headersTimer);
    }

    const body = upstream.body;
    const responseCopy = new BodyCopy(limit);
    x.response = { status: upstream.statusCode, headers: upstream.headers, body: responseCopy };
    try {
      res.writeHead(upstream.statusCode, upstream.statusText || undefined, forwardResponseHeaders(upstream.headers));
    } catch (err) {
      // A header Node will not write (invalid characters): no answer the integration could trust.
      body.destroy();
      return answerFailure(res, { status: 502, cause: 'upstream-error', detail: `${ctx.upstream}: unforwardable response headers: ${(err as Error).message}` }, done);
    }
    // Piped by hand (stream.pipeline costs an AbortController and errors on every finish): the copy
    // and the idle timer ride on the same 'data' events, back-pressure pauses the upstream body.
    let paused = false;
    const bodyTimer = setTimeout(function idle() {
      if (paused) bodyTimer.refresh(); // a client reading slowly is not the upstream's fault
      else body.destroy(timeoutError('UND_ERR_BODY_TIMEOUT', `no response body data for ${timeoutMs} ms`));
    }, timeoutMs);
    body.on('data', (chunk: Buffer) => {
      bodyTimer.refresh();
      responseCopy.keep(chunk);
      if (!res.write(chunk)) {
        paused = true;
        body.pause();
      }
    });
    res.on('drain', () => {
      paused = false;
      body.resume();
    });
    body.once('end', () => {
      clearTimeout(bodyTimer);
      res.end(() => done({}));
    });
    body.once('error', (err) => {
      clearTimeout(bodyTimer);
      if (clientAborted) return done({});
      // Headers are out: the only honest signal left is a broken connection, never a short success.
      req.socket.destroy();
      done({ failure: { ...upstreamFailure(err, ctx.upstream), midBody: true } });
    });
    res.once('close', () => {
      if (res.writableFinished) return;
      clearTimeout(bodyTimer);
      body.destroy();
      done({});
    });
  }

  function answerFailure(res: ServerResponse, f: UpstreamFailure, done: (extra: Partial<ProxiedExchange>) => void): void {
    const body = failureBody(f);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), [PROXY_ERROR_HEADER]: f.cause };
    if (!res.headersSent && !res.destroyed) res.writeHead(f.status, headers).end(body);
    done({ response: { status: f.status, headers, body }, failure: { ...f, midBody: false } });
  }

  const server = createServer((req, res) => {
    if (closing) {
      res.writeHead(503, { 'content-type': 'application/json', [PROXY_ERROR_HEADER]: 'proxy-closing', connection: 'close' }).end(JSON.stringify({ error: 'golive proxy: closing' }));
      return;
    }
    handle(req, res).catch((err) => {
      process.emitWarning(`golive proxy: ${(err as Error).message}`);
      res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close() {
      if (closing) return;
      closing = true;
      ownBucket?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, pool.destroy()]);
    },
  };
}
