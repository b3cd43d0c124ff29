/** Helpers the HTTP benches share: a server child process that prints its URL, and a sandbox access token. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';

export const root = resolve(import.meta.dirname, '../..');

/**
 * Start `command args…` in the repository root; resolves once it prints an http://127.0.0.1:port URL.
 * Its output is drained from then on: a child blocked on a full stdout pipe (Prism logs every
 * request; pipes are synchronous on Linux) would measure the pipe, not the server.
 */
export function startServer(command: string, commandArgs: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolvePromise, reject) => {
    let found = false;
    lines.on('line', (line) => {
      const m = found ? null : /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!m) return;
      found = true;
      resolvePromise({ url: m[1], child });
    });
    child.once('exit', () => found || reject(new Error(`${command} exited before printing its URL`)));
  });
}

export interface Credentials {
  msn: string;
  clientId: string;
  clientSecret: string;
  subscriptionKeys: string[];
}

export async function token(base: string, m: Credentials): Promise<string> {
  const res = await request(`${base}/accesstoken/get`, {
    method: 'POST',
    headers: { client_id: m.clientId, client_secret: m.clientSecret, 'ocp-apim-subscription-key': m.subscriptionKeys[0], 'merchant-serial-number': m.msn },
  });
  if (res.statusCode !== 200) throw new Error(`token for ${m.msn}: ${res.statusCode} ${await res.body.text()}`);
  return ((await res.body.json()) as { access_token: string }).access_token;
}

/** The headers an integration sends on every ePayment call. */
export async function apiHeaders(base: string, m: Credentials): Promise<Record<string, string>> {
  return {
    authorization: `Bearer ${await token(base, m)}`,
    'ocp-apim-subscription-key': m.subscriptionKeys[0],
    'merchant-serial-number': m.msn,
    'content-type': 'application/json',
    'vipps-system-name': 'bench',
  };
}

/** Ask a bench/servers/sandbox-server.ts child for its memory (after a full GC when it runs with --expose-gc). */
export interface MemoryProbe {
  rss: number;
  heapUsed: number;
  /** V8's committed heap (used + free pages it keeps). */
  heapTotal?: number;
  /** /proc/self/status: anonymous memory vs mapped files (node's own code) within rss. */
  rssAnon?: number;
  rssFile?: number;
  /** V8 space → [committed, used] MiB. */
  spaces?: Record<string, [number, number]>;
  traffic: number;
  dropped: number;
  payments?: number;
}

export function memoryOf(child: ChildProcess, options: { gc?: boolean } = {}): Promise<MemoryProbe> {
  return new Promise((resolvePromise) => {
    child.once('message', (m) => resolvePromise(m as never));
    child.send(options.gc === false ? 'memory-as-is' : 'memory');
  });
}

/**
 * Memory once the process has settled after a load: a forced full GC frees objects but V8 keeps
 * the pages it freed committed; its memory reducer releases them only after the allocation rate
 * has stayed low for a while (~10–30 s). Polls every 2 s (no forced GC) until the committed heap
 * has shrunk below `afterGc`'s and held for two readings, or `maxMs` passed.
 */
export async function settledMemoryOf(child: ChildProcess, afterGc: MemoryProbe, maxMs = 60_000): Promise<MemoryProbe & { settledAfterMs: number; released: boolean }> {
  const t0 = Date.now();
  let last = await memoryOf(child, { gc: false });
  let steady = 0;
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await memoryOf(child, { gc: false });
    const released = (now.heapTotal ?? now.rss) < 0.95 * (afterGc.heapTotal ?? afterGc.rss);
    steady = released && Math.abs(now.rss - last.rss) < 2 ** 20 ? steady + 1 : 0;
    last = now;
    if (steady >= 2) return { ...now, settledAfterMs: Date.now() - t0, released: true };
  }
  return { ...last, settledAfterMs: Date.now() - t0, released: false };
}

export const MiB = (bytes: number) => Math.round(bytes / 2 ** 20);
