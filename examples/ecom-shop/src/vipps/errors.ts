/**
 * Vipps error answers, read as the eCom guide documents them: an array of
 * `{errorGroup, errorCode, errorMessage, contextId}`, or the API gateway's (Azure) shapes
 * `{responseInfo, result: {message}}` and `{statusCode, message}`.
 */
export interface EcomErrorItem {
  errorGroup?: string;
  errorCode?: string;
  errorMessage?: string;
  contextId?: string;
}

/** Vipps answered, with an error status. */
export class VippsApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly items: EcomErrorItem[],
    readonly retryAfterMs?: number,
  ) {
    super(describe(status, items));
    this.name = 'VippsApiError';
  }

  /** First error's code, e.g. "61" (capture exceeds reserved), "34" (duplicate orderId). */
  get code(): string | undefined {
    return this.items[0]?.errorCode;
  }

  /** The server side failed: the same request may succeed when sent again. */
  get retryable(): boolean {
    return this.status >= 500;
  }
}

/** No answer: connection refused or reset, or our timeout ended the call. */
export class VippsNetworkError extends Error {
  constructor(
    readonly operation: string,
    cause: Error,
  ) {
    super(`no answer from Vipps MobilePay (${cause.message})`);
    this.name = 'VippsNetworkError';
  }

  readonly retryable = true;
}

export function errorItems(body: unknown): EcomErrorItem[] {
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  if (Array.isArray(body)) {
    return body
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ errorGroup: text(e.errorGroup), errorCode: text(e.errorCode), errorMessage: text(e.errorMessage), contextId: text(e.contextId) }));
  }
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, any>;
    const message = b.result?.message ?? b.message ?? b.responseInfo?.responseMessage;
    if (message !== undefined) return [{ errorGroup: 'Gateway', errorMessage: String(message) }];
  }
  if (typeof body === 'string' && body.trim()) return [{ errorMessage: body.trim().slice(0, 200) }];
  return [];
}

/** A sentence a staff member or customer can read (no JSON). */
function describe(status: number, items: EcomErrorItem[]): string {
  if (items.length === 0) return `Vipps MobilePay answered HTTP ${status}`;
  const parts = items.map((e) => {
    const code = [e.errorGroup, e.errorCode].filter(Boolean).join(' ');
    return `${e.errorMessage ?? 'error'}${code ? ` (${code})` : ''}`;
  });
  return `Vipps MobilePay answered HTTP ${status}: ${parts.join('; ')}`;
}

/** One log line with everything support needs to look the error up (contextId). */
export function logLine(orderId: string, err: unknown): string {
  if (err instanceof VippsApiError) {
    const items = err.items.map((e) => `errorGroup=${e.errorGroup ?? '-'} errorCode=${e.errorCode ?? '-'} errorMessage=${JSON.stringify(e.errorMessage ?? '')} contextId=${e.contextId ?? '-'}`);
    return `ecom-shop: ${err.operation} ${orderId} failed: HTTP ${err.status} ${items.join(' | ') || '(no error body)'}`;
  }
  return `ecom-shop: ${(err as { operation?: string }).operation ?? 'call'} ${orderId} failed: ${(err as Error).message}`;
}
