// A stand-in for the QR API's merchant-redirect endpoints (qr-v1.yaml) in front of the sandbox:
// /qr/v1/merchant-redirect* is answered here, everything else is passed through to the sandbox.
// So these tests do not depend on the sandbox's own QR API (built elsewhere, in parallel).
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface QrCall {
  method: string;
  path: string;
  accept: string | undefined;
  auth: boolean;
  body: any;
  status: number;
}

export interface FakeQr {
  url: string;
  calls: QrCall[];
  codes: Map<string, string>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeQr(sandboxUrl: string): Promise<FakeQr> {
  const calls: QrCall[] = [];
  const codes = new Map<string, string>();
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = req.url ?? '/';
    const m = /^\/qr\/v1\/merchant-redirect(?:\/([^/?]+))?(?:\?.*)?$/.exec(path);
    if (m) {
      let body: any;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = raw.toString('utf8');
      }
      const answer = (status: number, json: unknown) => {
        calls.push({ method: req.method!, path, accept: req.headers.accept, auth: /^Bearer /.test(String(req.headers.authorization)), body, status });
        res.writeHead(status, { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' }).end(JSON.stringify(json));
      };
      const problem = (status: number, title: string) => ({ type: 'about:blank', title, detail: title, instance: path, status });
      const id = m[1] ? decodeURIComponent(m[1]) : body?.id;
      const view = (qrId: string) => ({ id: qrId, url: `https://qr.test/merchant-redirect/${encodeURIComponent(qrId)}.svg`, redirectUrl: codes.get(qrId), expiresIn: -1 });
      if (req.headers.accept !== 'image/svg+xml' && req.headers.accept !== 'image/png') return answer(415, problem(415, 'Unsupported Media Type'));
      if (req.method === 'POST' && !m[1]) {
        if (!id || !body?.redirectUrl) return answer(400, problem(400, 'id and redirectUrl are required'));
        if (codes.has(id)) return answer(409, problem(409, 'A QR with this id already exists'));
        codes.set(id, body.redirectUrl);
        return answer(200, view(id));
      }
      if (req.method === 'PUT' && m[1]) {
        if (!codes.has(id)) return answer(404, problem(404, 'Not Found'));
        codes.set(id, body?.redirectUrl);
        return answer(200, view(id));
      }
      return answer(405, problem(405, 'Method Not Allowed'));
    }
    // Everything else: the sandbox.
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    try {
      const upstream = await fetch(sandboxUrl + path, { method: req.method, headers, body: raw.length ? new Uint8Array(raw) : undefined, redirect: 'manual' });
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!HOP_BY_HOP.has(k) && k !== 'content-encoding') out[k] = v;
      });
      res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    codes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
