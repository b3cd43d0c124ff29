import { request } from 'undici';
import { createSandbox, DEFAULT_TEST_MERCHANT, DEFAULT_TEST_PARTNER, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';

export const TEST_MERCHANT = DEFAULT_TEST_MERCHANT as Required<Pick<typeof DEFAULT_TEST_MERCHANT, 'msn' | 'clientId' | 'clientSecret' | 'subscriptionKeys'>>;

/** Start a sandbox on 127.0.0.1 with a free port. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await createSandbox(options);
  await sandbox.listen({ port: 0, host: '127.0.0.1' });
  return sandbox;
}

export interface CallResult<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

/** One HTTP call with undici; parses JSON bodies. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<CallResult<T>> {
  const hasBody = options.body !== undefined;
  const res = await request(base + path, {
    method: method as any,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: hasBody ? (typeof options.body === 'string' ? options.body : JSON.stringify(options.body)) : undefined,
  });
  const text = await res.body.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, headers: res.headers, body, text };
}

/** Fetch an access token for the default test merchant and return ready-made API headers. */
export async function merchantHeaders(base: string, merchant = TEST_MERCHANT): Promise<Record<string, string>> {
  const res = await call(base, 'POST', '/accesstoken/get', {
    headers: {
      client_id: merchant.clientId,
      client_secret: merchant.clientSecret,
      'Ocp-Apim-Subscription-Key': merchant.subscriptionKeys[0],
      'Merchant-Serial-Number': merchant.msn,
    },
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return {
    Authorization: `Bearer ${res.body.access_token}`,
    'Ocp-Apim-Subscription-Key': merchant.subscriptionKeys[0],
    'Merchant-Serial-Number': merchant.msn,
    'Vipps-System-Name': 'golive-tests',
    'Vipps-System-Version': '1.0.0',
    'Vipps-System-Plugin-Name': 'golive-tests',
    'Vipps-System-Plugin-Version': '1.0.0',
  };
}

export const TEST_PARTNER = DEFAULT_TEST_PARTNER as { id: string; clientId: string; clientSecret: string; subscriptionKeys: readonly string[]; salesUnits: readonly string[] };

/**
 * A token from partner keys (no MSN on the token call unless `tokenMsn`) and API headers for
 * one sales unit; `msn: null` leaves Merchant-Serial-Number out (partner-wide webhooks).
 */
export async function partnerHeaders(base: string, options: { partner?: typeof TEST_PARTNER; msn?: string | null; tokenMsn?: string } = {}): Promise<Record<string, string>> {
  const partner = options.partner ?? TEST_PARTNER;
  const res = await call(base, 'POST', '/accesstoken/get', {
    headers: {
      client_id: partner.clientId,
      client_secret: partner.clientSecret,
      'Ocp-Apim-Subscription-Key': partner.subscriptionKeys[0],
      ...(options.tokenMsn ? { 'Merchant-Serial-Number': options.tokenMsn } : {}),
    },
  });
  if (res.status !== 200) throw new Error(`partner token request failed: ${res.status} ${res.text}`);
  const msn = options.msn === undefined ? partner.salesUnits[0] : options.msn;
  return {
    Authorization: `Bearer ${res.body.access_token}`,
    'Ocp-Apim-Subscription-Key': partner.subscriptionKeys[0],
    ...(msn === null ? {} : { 'Merchant-Serial-Number': msn }),
    'Vipps-System-Name': 'golive-tests',
    'Vipps-System-Version': '1.0.0',
    'Vipps-System-Plugin-Name': 'golive-tests',
    'Vipps-System-Plugin-Version': '1.0.0',
  };
}
