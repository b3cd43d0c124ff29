import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { TrafficLog } from '../../src/traffic/log.ts';
import { startRecordingProxy, type RecordingProxy, type RecordingProxyOptions } from '../../src/proxy/index.ts';

/** A purpose-built upstream on 127.0.0.1: each test says how it answers; counts the connections it got. */
export interface TestUpstream {
  url: string;
  connections: number;
  /** Requests as the upstream received them (raw headers, body bytes). */
  received: { method: string; url: string; rawHeaders: string[]; body: Buffer }[];
  close(): Promise<void>;
}

export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<TestUpstream> {
  const received: TestUpstream['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
      handler(req, res, body);
    });
  });
  const up: TestUpstream = {
    url: '',
    connections: 0,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('connection', () => up.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return up;
}

/** A proxy in front of `upstream` with a fresh log; `options` override the defaults. */
export async function startProxy(upstream: string, options: Partial<RecordingProxyOptions> = {}): Promise<RecordingProxy & { log: TrafficLog }> {
  const log = options.log ?? new TrafficLog();
  const proxy = await startRecordingProxy({ upstream, log, timeoutMs: 2_000, ...options });
  return Object.assign(proxy, { log });
}

/** A free port nobody listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * One raw HTTP/1.1 exchange over a fresh socket: what the integration would see on the wire,
 * with no client library smoothing it over. Resolves with the bytes received and whether the
 * connection ended cleanly or was broken off.
 */
export function rawRequest(url: string, request: string): Promise<{ raw: Buffer; broken: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let broken = false;
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => (broken = true));
    socket.on('close', () => resolve({ raw: Buffer.concat(chunks), broken }));
    socket.write(request);
  });
}

/** Wait until `predicate` holds (the log is written when the answer is over, just after the client saw it). */
export async function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
