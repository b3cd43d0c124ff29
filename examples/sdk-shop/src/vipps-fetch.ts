import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A fetch wrapper the SDK's requests pass through. The SDK has no option for an
 * Idempotency-Key of our own (it sets a fresh UUID on every call, over any header we give)
 * and hides the HTTP status of 4xx answers, so each API call runs in a context that may carry
 * the key to send and receives the status and Retry-After of the last answer.
 */
export interface CallContext {
  idempotencyKey?: string;
  lastStatus?: number;
  retryAfterSeconds?: number;
}

const calls = new AsyncLocalStorage<CallContext>();
/** The SDK has no timeout; a hung connection must not hang an order for ever. */
const REQUEST_TIMEOUT_MS = 10_000;
let installed = false;

export function runInCallContext<T>(context: CallContext, fn: () => Promise<T>): Promise<T> {
  return calls.run(context, fn);
}

export function installVippsFetch(): void {
  if (installed) return;
  installed = true;
  const inner = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const context = calls.getStore();
    if (!context || !(input instanceof Request)) return inner(input, init);
    // The SDK retries a 5xx by fetching the same Request again: read a clone, never the original.
    const body = input.body ? await input.clone().arrayBuffer() : undefined;
    const headers = new Headers(input.headers);
    if (context.idempotencyKey) headers.set('Idempotency-Key', context.idempotencyKey);
    const response = await inner(input.url, {
      method: input.method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    context.lastStatus = response.status;
    const retryAfter = Number(response.headers.get('retry-after'));
    context.retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
    return response;
  };
}
