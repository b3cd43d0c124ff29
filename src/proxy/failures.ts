/**
 * An upstream failure in the proxy's terms. Every one of them is an environment problem (the
 * test API or the network got in the way), never the integration's defect: the proxy answers
 * 502 (could not get an answer) or 504 (no answer in time) in its own JSON shape, with
 * `x-golive-proxy-error` naming the cause, so nobody mistakes it for a Vipps answer.
 */
export type UpstreamCause = 'upstream-unreachable' | 'upstream-dns' | 'upstream-tls' | 'upstream-timeout' | 'upstream-reset' | 'upstream-error';

export interface UpstreamFailure {
  status: 502 | 504;
  cause: UpstreamCause;
  detail: string;
}

export const PROXY_ERROR_HEADER = 'x-golive-proxy-error';

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH)/;

/** undici wraps socket errors; the code that says what happened may sit on the cause. */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

export function upstreamFailure(err: unknown, upstream: string): UpstreamFailure {
  const codes = codesOf(err);
  const message = (err as Error)?.message ?? String(err);
  const detail = `${upstream}: ${codes[0] ? `${codes.join(' / ')}: ` : ''}${message}`;
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  if (has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT')) return { status: 504, cause: 'upstream-timeout', detail };
  if (has('ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL')) return { status: 502, cause: 'upstream-unreachable', detail };
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA')) return { status: 502, cause: 'upstream-dns', detail };
  if (codes.some((c) => TLS_CODES.test(c))) return { status: 502, cause: 'upstream-tls', detail };
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) return { status: 502, cause: 'upstream-reset', detail };
  return { status: 502, cause: 'upstream-error', detail };
}

/** The proxy's own answer for a failure before the upstream's status line arrived. */
export function failureBody(f: UpstreamFailure): string {
  const what: Record<UpstreamCause, string> = {
    'upstream-unreachable': 'unreachable',
    'upstream-dns': 'host name could not be resolved',
    'upstream-tls': 'TLS handshake failed',
    'upstream-timeout': 'did not answer in time',
    'upstream-reset': 'closed the connection',
    'upstream-error': 'request failed',
  };
  return JSON.stringify({ error: `golive proxy: upstream ${what[f.cause]} (${f.detail})` });
}
