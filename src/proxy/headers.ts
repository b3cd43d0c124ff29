import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message: each side of
 * the proxy has its own connection, so they are not passed on. Neither are the headers a
 * `Connection` header names. `Host` is the upstream's (undici sets it from the origin);
 * `Expect: 100-continue` was answered by Node's server already (undici refuses to send it).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'expect']);

function namedByConnection(value: string | string[] | undefined): Set<string> {
  const named = new Set<string>();
  for (const v of [value ?? []].flat()) for (const token of v.split(',')) if (token.trim()) named.add(token.trim().toLowerCase());
  return named;
}

/**
 * The integration's request headers for the upstream, as a flat name/value list: repeated headers
 * stay repeated, names keep their case. `keepHost`: pass `Host` on (the delivery relay: a webhook's
 * signature covers the host Vipps sent it to, which the receiver checks).
 */
export function forwardRequestHeaders(rawHeaders: string[], connection: string | string[] | undefined, keepHost = false): string[] {
  const named = namedByConnection(connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if ((NOT_FORWARDED.has(name) && !(keepHost && name === 'host')) || named.has(name)) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/** The upstream's response headers for the integration, as a flat list for `writeHead` (each repeated value its own line). */
export function forwardResponseHeaders(headers: IncomingHttpHeaders): string[] {
  const named = namedByConnection(headers.connection);
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    for (const v of [value].flat()) out.push(name, v);
  }
  return out;
}

/** The response headers as the log keeps them (lower-case names; repeated ones as arrays), hop-by-hop ones left out as they were not passed on. */
export function recordedResponseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0, list = forwardResponseHeaders(headers); i < list.length; i += 2) {
    const [name, value] = [list[i], list[i + 1]];
    const had = out[name];
    out[name] = had === undefined ? value : [had, value].flat();
  }
  return out;
}
