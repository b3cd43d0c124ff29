/**
 * HTTP plumbing both PSP modes share (node:http): bounded body reading, JSON parsing, JSON and
 * HTML answers, and the error type whose status the servers answer with.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024;

/** An error the PSP answers with its own HTTP status and `{error: message}`. */
export class PspError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequest extends PspError {
  constructor(message: string) {
    super(400, message);
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJson(raw: Buffer): any {
  const text = raw.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('expected a JSON body');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** A positive integer amount in øre, or the fallback when none was given. */
export function amountOf(raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new PspError(400, 'amount must be a positive integer (øre)');
  return n;
}

/** The synchronous answer to a call from Vipps (card callback, makePayment), as both modes build it. */
export interface SyncAnswer {
  httpStatus: number;
  body: unknown;
  /** Answer this much later (fault switches that answer too late). */
  delayMs: number;
  /** Told once whether the answer reached Vipps (false: the connection closed first) and how long it took. */
  settle?(delivered: boolean, ms: number): void;
}

/**
 * Write the answer (after its delay), and tell the handler once whether it was delivered: a
 * connection Vipps closed before the answer was written means Vipps does not know the outcome.
 */
export function answerVipps(req: IncomingMessage, res: ServerResponse, answer: SyncAnswer, started: number): void {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    answer.settle?.(res.writableFinished, Date.now() - started);
  };
  res.on('close', settle);
  const write = () => {
    if (res.destroyed || req.socket.destroyed) return settle();
    sendJson(res, answer.httpStatus, answer.body);
  };
  if (answer.delayMs > 0) timer = setTimeout(write, answer.delayMs);
  else write();
}
