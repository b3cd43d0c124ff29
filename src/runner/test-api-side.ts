import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRecordingProxy, TokenBucket, type RecordingProxy } from '../proxy/index.ts';
import { startDeliveryRelay, type DeliveryRelay } from '../proxy/relay.ts';
import { FlowTags } from '../sandbox/flow-tags.ts';
import { TrafficLog } from '../traffic/log.ts';
import type { Redactor } from '../traffic/redact.ts';
import type { ApiName, ExchangeKind, TrafficQuery } from '../traffic/types.ts';

/**
 * The Vipps side of a `--target test-api` run: the recording proxy the integration uses as its
 * Vipps base URL, and a small run-control server on 127.0.0.1 that answers the few control calls
 * the flows (in Playwright workers) make — clock, traffic, flow tags — with the same paths and
 * shapes as the sandbox control API, so the runner reads proxied traffic exactly as sandbox traffic.
 * Everything the sandbox alone can do (faults, customer, clock moves) is absent: such flows are
 * NOT APPLICABLE in this mode (src/suite/applicability.ts) and never reach here.
 */
export interface TestApiSide {
  /** What the integration gets as its Vipps base URL (`{{sandbox.url}}` in the profile). */
  proxyUrl: string;
  /** The run-control server the workers read traffic from (RUNTIME_ENV.controlUrl). */
  controlUrl: string;
  /**
   * golive's own lane to the upstream (RUNTIME_ENV.testApiLane): its reads and force approves go
   * here, under the same rate limit as the integration's calls, and are not recorded as the integration's.
   */
  laneUrl: string;
  upstream: string;
  /** The delivery relay's public URL (`{{relay.url}}`): webhooks and callbacks sent there are recorded and forwarded to the integration. */
  relayUrl: string;
  log: TrafficLog;
  close(): Promise<void>;
}

const PREFIX = '/_sandbox/v1';

export interface TestApiSideOptions {
  upstream: string;
  redactor: Redactor;
  timeoutMs: number;
  requestsPerSecond: number;
  /** The delivery relay: where it forwards (the integration's baseUrl), and the tunnel in front of it if any. */
  relay: { forwardTo: string; publicUrl?: string; port?: number };
}

/** How long the integration may take to answer a relayed delivery: past Vipps's own limits (10 s webhooks, 3 s callbacks), so the check, not the relay, judges slowness. */
const RELAY_TIMEOUT_MS = 30_000;

export async function startTestApiSide(o: TestApiSideOptions): Promise<TestApiSide> {
  const flows = new FlowTags();
  // Proxied exchanges are tagged with their flow at record time, as the sandbox tags its own.
  const log = new TrafficLog({ annotate: (e) => flows.tag(e) });
  // One limit for everything golive sends the shared test API: the integration's calls and golive's own.
  const bucket = new TokenBucket({ requestsPerSecond: o.requestsPerSecond });
  const proxy: RecordingProxy = await startRecordingProxy({ upstream: o.upstream, log, redactor: o.redactor, timeoutMs: o.timeoutMs, bucket });
  let relay: DeliveryRelay;
  let lane: RecordingProxy | undefined;
  try {
    lane = await startRecordingProxy({ upstream: o.upstream, log, redactor: o.redactor, timeoutMs: o.timeoutMs, bucket, connections: 4, recorder: () => undefined });
    relay = await startDeliveryRelay({ ...o.relay, log, redactor: o.redactor, timeoutMs: RELAY_TIMEOUT_MS });
  } catch (err) {
    bucket.close();
    await Promise.allSettled([proxy.close(), lane?.close()]);
    throw err;
  }
  const server = createServer((req, res) => {
    void answer(req, res, { log, flows, redactor: o.redactor }).catch((err) => send(res, 500, { error: (err as Error).message }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    bucket.close();
    await Promise.allSettled([proxy.close(), lane.close(), relay.close()]);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    proxyUrl: proxy.url,
    controlUrl: `http://127.0.0.1:${port}`,
    laneUrl: lane.url,
    upstream: o.upstream,
    relayUrl: relay.publicUrl,
    log,
    close: () =>
      (closed ??= (async () => {
        server.closeAllConnections();
        bucket.close();
        await Promise.allSettled([new Promise<void>((r) => server.close(() => r())), proxy.close(), lane.close(), relay.close()]);
      })()),
  };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

const list = (v: string | null) => (v ? v.split(',') : undefined);

async function answer(req: IncomingMessage, res: ServerResponse, s: { log: TrafficLog; flows: FlowTags; redactor: Redactor }): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : undefined;
  const q = url.searchParams;
  if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok', target: 'test-api' });
  // The real clock: the test API's cannot be moved.
  if (req.method === 'GET' && path === '/clock') return send(res, 200, { now: Date.now(), iso: new Date().toISOString(), offsetMs: 0, frozen: false });
  if (req.method === 'GET' && path === '/traffic') {
    const query: TrafficQuery = {
      kind: list(q.get('kind')) as ExchangeKind[] | undefined,
      api: list(q.get('api')) as ApiName[] | undefined,
      operation: list(q.get('operation')),
      msn: q.get('msn') ?? undefined,
      reference: q.get('reference') ?? undefined,
      flowId: q.get('flowId') ?? undefined,
      afterSeq: q.get('afterSeq') ? Number(q.get('afterSeq')) : undefined,
      since: q.get('since') ? Number(q.get('since')) : undefined,
      limit: q.get('limit') ? Math.min(Number(q.get('limit')), 10_000) : 1000,
    };
    const exchanges = s.log.query(query).map((e) => s.redactor.exchange(e));
    return send(res, 200, { exchanges, lastSeq: s.log.lastSeq, dropped: s.log.dropped, capacity: s.log.capacity });
  }
  if (req.method === 'POST' && path === '/flows') {
    const b = await readJson(req);
    if (!b || typeof b.label !== 'string' || typeof b.flowId !== 'string' || typeof b.msn !== 'string' || !Number.isInteger(b.amount)) return send(res, 400, { error: 'expected {label, flowId, msn, amount}' });
    s.flows.start({ label: b.label, flowId: b.flowId, msn: b.msn, amount: b.amount });
    return send(res, 201, b);
  }
  if (req.method === 'DELETE' && path === '/flows') return q.get('label') && s.flows.end(q.get('label')!) ? send(res, 204) : send(res, 404, { error: 'no such running flow' });
  // Flows that inject faults are NOT APPLICABLE here: the end of every other flow removes none.
  if (req.method === 'DELETE' && path === '/faults') return send(res, 200, { removed: 0 });
  // Anything else the sandbox control API offers does not exist against the real test API.
  return send(res, 404, { error: `${req.method} ${url.pathname}: not available with --target test-api (the real test API has no sandbox control)` });
}
