import type { Exchange } from '../traffic/types.ts';

/**
 * A copy-paste curl command that reproduces one recorded HTTP exchange. Exchanges reach the
 * report redacted (src/traffic/redact.ts); every secret golive removed becomes a shell variable
 * the reader sets first (`$VIPPS_ACCESS_TOKEN`, `$VIPPS_SUBSCRIPTION_KEY`, …), so the command
 * never carries a secret and still runs once the variables are exported.
 */

export interface CurlOptions {
  /**
   * Variable names for redacted values, by header name (lower case), JSON key (lower case) or an
   * exact redaction marker (`[REDACTED:1a2b3c4d]`). Merged over {@link DEFAULT_SECRET_VARS}.
   */
  secretVars?: Record<string, string>;
  /** Base URL for exchanges recorded with a path only; otherwise the Host header is used. */
  baseUrl?: string;
}

export interface CurlCommand {
  command: string;
  /** The shell variables the command expects, in order of first use. */
  variables: string[];
}

/** Header names and JSON keys whose redacted value gets a well-known variable name. */
export const DEFAULT_SECRET_VARS: Readonly<Record<string, string>> = {
  authorization: 'VIPPS_ACCESS_TOKEN',
  'ocp-apim-subscription-key': 'VIPPS_SUBSCRIPTION_KEY',
  client_id: 'VIPPS_CLIENT_ID',
  'client-id': 'VIPPS_CLIENT_ID',
  client_secret: 'VIPPS_CLIENT_SECRET',
  'client-secret': 'VIPPS_CLIENT_SECRET',
  clientsecret: 'VIPPS_CLIENT_SECRET',
  access_token: 'VIPPS_ACCESS_TOKEN',
  accesstoken: 'VIPPS_ACCESS_TOKEN',
  subscriptionkey: 'VIPPS_SUBSCRIPTION_KEY',
  secret: 'VIPPS_WEBHOOK_SECRET',
  webhooksecret: 'VIPPS_WEBHOOK_SECRET',
  cookie: 'COOKIE',
  'x-api-key': 'API_KEY',
  'proxy-authorization': 'PROXY_AUTHORIZATION',
};

/** Authorization schemes other than Bearer name their own variable. */
const AUTH_SCHEME_VARS: Record<string, string> = {
  bearer: 'VIPPS_ACCESS_TOKEN',
  'hmac-sha256': 'VIPPS_WEBHOOK_SIGNATURE',
  basic: 'BASIC_CREDENTIALS',
};

/** Headers curl sets itself (or that would break a replay). */
const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'expect', 'upgrade']);

const MARKER = /\[REDACTED(?::([0-9a-f]{8}))?\]/g;

type Segment = { lit: string } | { var: string };

/** The curl command alone. */
export function toCurl(exchange: Exchange, options: CurlOptions = {}): string {
  return curlCommand(exchange, options).command;
}

export function curlCommand(exchange: Exchange, options: CurlOptions = {}): CurlCommand {
  const vars: Record<string, string> = { ...DEFAULT_SECRET_VARS };
  const explicit = new Set<string>();
  for (const [k, v] of Object.entries(options.secretVars ?? {})) {
    const key = k.startsWith('[REDACTED') ? k : k.toLowerCase();
    vars[key] = v;
    explicit.add(key);
  }
  /** Marker → variable, so one secret keeps one name across headers, URL and body. */
  const byMarker = new Map<string, string>();
  for (const [k, v] of Object.entries(vars)) if (k.startsWith('[REDACTED')) byMarker.set(k, v);
  const used: string[] = [];
  const nameFor = (marker: string, fingerprint: string | undefined, preferred?: string): string => {
    let name = byMarker.get(marker) ?? preferred ?? (fingerprint ? `REDACTED_${fingerprint}` : 'REDACTED');
    name = name.replace(/^\$/, '').replace(/[^A-Za-z0-9_]/g, '_');
    byMarker.set(marker, name);
    if (!used.includes(name)) used.push(name);
    return name;
  };
  const segments = (text: string, preferred?: string): Segment[] => {
    const out: Segment[] = [];
    let last = 0;
    for (const m of text.matchAll(MARKER)) {
      if (m.index! > last) out.push({ lit: text.slice(last, m.index) });
      out.push({ var: nameFor(m[0], m[1], preferred) });
      last = m.index! + m[0].length;
    }
    if (last < text.length) out.push({ lit: text.slice(last) });
    return out;
  };

  const req = exchange.request;
  const headers = Object.entries(req.headers ?? {}).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => [name, String(v)] as const),
  );
  const headerWords: string[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (SKIP_HEADERS.has(lower) || lower.startsWith(':')) continue;
    let preferred = vars[lower];
    if (lower === 'authorization' && !explicit.has(lower)) {
      const scheme = /^(\S+)\s+\[REDACTED/.exec(value)?.[1]?.toLowerCase();
      preferred = (scheme && AUTH_SCHEME_VARS[scheme]) || preferred;
    }
    headerWords.push(`-H ${shellWord(segments(`${name}: ${value}`, preferred))}`);
  }

  const url = absoluteUrl(exchange, options.baseUrl);
  const body = req.body;
  let bodyWord: string | undefined;
  if (body !== undefined && body !== null && body !== '') {
    if (typeof body === 'string') bodyWord = shellWord(segments(body));
    else {
      // Name markers by the JSON key they sit under before flattening the body to text.
      collectKeyMarkers(body, (marker, fingerprint, key) => {
        if (!byMarker.has(marker) && vars[key.toLowerCase()]) nameFor(marker, fingerprint, vars[key.toLowerCase()]);
      });
      bodyWord = shellWord(segments(JSON.stringify(body)));
    }
  }
  const method = req.method.toUpperCase();
  const lines = [`curl -i${method === 'GET' && bodyWord === undefined ? '' : ` -X ${method}`} ${shellWord(segments(url))}`, ...headerWords];
  if (bodyWord !== undefined) lines.push(`--data-raw ${bodyWord}`);
  return { command: lines.join(' \\\n  '), variables: used };
}

/**
 * A commented script: what the exchange was, which variables to export, then the command.
 * Webhook deliveries note that the signature covers the date and must be recomputed.
 */
export function curlScript(exchange: Exchange, options: CurlOptions = {}): string {
  const { command, variables } = curlCommand(exchange, options);
  const lines = [`# ${exchange.request.method.toUpperCase()} ${exchange.request.path}${exchange.response ? ` → ${exchange.response.status}` : exchange.error ? ` → no response (${exchange.error})` : ''}${exchange.operation ? `  [${exchange.operation}]` : ''}`];
  if (variables.length) lines.push(`# golive redacted secrets here; export them first: ${variables.map((v) => `${v}=…`).join(' ')}`);
  if (exchange.kind === 'webhook' || exchange.kind === 'callback') lines.push('# the signature covers x-ms-date, host and the body hash: re-sign before replaying (an old signature is rightly rejected)');
  lines.push(command, '');
  return lines.join('\n');
}

function absoluteUrl(exchange: Exchange, baseUrl?: string): string {
  const url = exchange.request.url || exchange.request.path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  if (baseUrl) return new URL(url, baseUrl).toString();
  const host = headerValue(exchange.request.headers, 'host');
  return host ? `http://${host}${url.startsWith('/') ? '' : '/'}${url}` : url;
}

function headerValue(headers: Exchange['request']['headers'] | undefined, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function collectKeyMarkers(value: unknown, found: (marker: string, fingerprint: string | undefined, key: string) => void, key = '', depth = 0): void {
  if (depth > 50) return;
  if (typeof value === 'string') {
    for (const m of value.matchAll(MARKER)) if (key) found(m[0], m[1], key);
  } else if (Array.isArray(value)) value.forEach((v) => collectKeyMarkers(v, found, key, depth + 1));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collectKeyMarkers(v, found, k, depth + 1);
}

/** Characters safe inside double quotes in any POSIX shell (no $, `, \, ", ! history expansion). */
const DQ_SAFE = /^[A-Za-z0-9 _:;,./=+@%^~#*()[\]{}<>?|&-]*$/;

/**
 * One shell word from literal text and variables. Literals go in single quotes (a quote inside
 * becomes '\''), variables in double quotes; a word whose literals are all harmless is written
 * in one pair of double quotes, which reads better: -H "Authorization: Bearer ${VIPPS_ACCESS_TOKEN}".
 */
export function shellWord(parts: Segment[]): string {
  const merged: Segment[] = [];
  for (const p of parts) {
    const prev = merged[merged.length - 1];
    if ('lit' in p && prev && 'lit' in prev) prev.lit += p.lit;
    else merged.push({ ...p });
  }
  if (merged.length === 0) return "''";
  const hasVar = merged.some((p) => 'var' in p);
  if (hasVar && merged.every((p) => 'var' in p || DQ_SAFE.test(p.lit))) {
    return `"${merged.map((p) => ('var' in p ? `\${${p.var}}` : p.lit)).join('')}"`;
  }
  return merged.map((p) => ('var' in p ? `"\${${p.var}}"` : singleQuote(p.lit))).join('');
}

export function singleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
