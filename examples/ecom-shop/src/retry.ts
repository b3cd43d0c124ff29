/**
 * Retrying a call whose answer was lost (network error, timeout) or that failed on the
 * server (5xx). Safe only for calls Vipps makes idempotent: capture and refund with an
 * unchanged X-Request-Id and body. Errors Vipps meant (4xx) are never retried.
 */
export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubles each time. */
  backoffMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isRetryable(err: unknown): boolean {
  return (err as { retryable?: boolean })?.retryable === true;
}

/** Runs `attempt(0)`, then `attempt(1)` … while it throws a retryable error and retries are left. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.retries || !isRetryable(err)) throw err;
      await sleep(policy.backoffMs * 2 ** n);
    }
  }
}
