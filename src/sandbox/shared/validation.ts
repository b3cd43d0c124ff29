import type { ExtraDetail } from '../problem.ts';

/**
 * Validation helpers every simulated API needs. The messages are the ones the real APIs send
 * (vipps-facts §2.14); each API wraps the details in its own error shape.
 */

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const present = (v: unknown): boolean => v !== undefined && v !== null;

/** A mobile number with country code, digits only (MSISDN), as every API and the landing page take it. */
export const MSISDN = /^\d{10,15}$/;
/** The specs' RFC 3339 date-time pattern. */
export const RFC3339 = /^((?:(\d{4}-\d{2}-\d{2})(T|t)(\d{2}:\d{2}:\d{2}(?:\.\d+)?))(Z|z|([+-](?:2[0-3]|[01][0-9]):[0-5][0-9])))$/;

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
const FORBIDDEN_SCHEMES = new Set(['http:', 'javascript:', 'data:', 'file:', 'vbscript:', 'about:', 'blob:']);

/**
 * `returnUrl`, `receiptUrl`, `cardCallbackUrl`, callback prefixes: `https://` or a custom scheme
 * (`myapp://…`), per the specs. Deviation on purpose: `http://` is accepted for loopback hosts
 * (127.0.0.0/8, localhost, [::1]) because the integrations golive tests run on loopback.
 */
export function isAcceptableUrl(value: string, options: { customScheme?: boolean } = {}): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return url.hostname.length > 0;
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname);
  if (options.customScheme === false || FORBIDDEN_SCHEMES.has(url.protocol)) return false;
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol);
}

/**
 * A request key header (`Idempotency-Key` for ePayment, `X-Request-Id` for eCom): what is wrong
 * with it, or undefined when it is fine. `required: false` for APIs where the key is optional.
 */
export function requestKeyProblem(header: string, value: string | undefined, { max, required = true }: { max: number; required?: boolean }): ExtraDetail | undefined {
  if (value === undefined || value.length === 0) return required ? { name: header, reason: `The ${header} header is required.` } : undefined;
  if (value.length > max) return { name: header, reason: `The ${header} header must be at most ${max} characters.` };
  return undefined;
}

/**
 * Canonical text of a request body for idempotency comparisons: object keys sorted, so two
 * clients serialising the same body with different key order count as identical; no body,
 * `null` and `{}` are the same (a cancel without options).
 */
export function fingerprint(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (isObject(body) && Object.keys(body).length === 0) return ''; // `{}` = no body (cancel)
  return canonical(body);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      if (v[keys[i]] === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(keys[i])}:${canonical(v[keys[i]])}`;
    }
    return out + '}';
  }
  return JSON.stringify(v) ?? 'null';
}
