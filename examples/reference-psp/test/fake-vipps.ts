/**
 * A small fake of the Vipps side for the PSP's tests (node:http on 127.0.0.1): access token,
 * ePayment create/get/events/capture/refund/cancel, Webhooks register/delete, every request
 * recorded with its headers. It also plays Vipps calling the PSP: card callbacks (with the
 * payment's auth header, HMAC, or forged) and signed webhooks. Card numbers are generated here
 * at test time (Luhn-valid, with the last four digits a test needs), never committed.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { loadConfig, type FaultName } from '../src/config.ts';
import { signRequest } from '../src/hmac.ts';
import { startPsp, type RunningPsp } from '../src/app.ts';

export const CLIENT_SECRET = 'psp-client-secret-for-tests';
export const PSP_ID = 'C948DFD1546347568874C4DDC93A2E3C';
export const MSN = '223344';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

interface FakePayment {
  reference: string;
  body: any;
  state: string;
  captured: number;
  refunded: number;
  cancelled: number;
}

export class FakeVipps {
  readonly requests: Recorded[] = [];
  readonly payments = new Map<string, FakePayment>();
  readonly webhooks = new Map<string, { url: string; secret: string }>();
  /** Status codes to answer the next matching calls with (e.g. a 500 on capture). */
  readonly failNext: { path: RegExp; status: number }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const rec: Recorded = { method: req.method ?? 'GET', path, headers: req.headers, body: text ? JSON.parse(text) : undefined };
        this.requests.push(rec);
        const [status, body] = this.answer(rec);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private answer(rec: Recorded): [number, unknown] {
    const i = this.failNext.findIndex((f) => f.path.test(rec.path));
    if (i >= 0) return [this.failNext.splice(i, 1)[0].status, { title: 'injected' }];
    if (rec.path === '/accesstoken/get') return [200, { token_type: 'Bearer', expires_in: '3600', access_token: `token-${randomUUID()}` }];
    if (rec.method === 'POST' && rec.path === '/webhooks/v1/webhooks') {
      const id = randomUUID();
      this.webhooks.set(id, { url: rec.body.url, secret: `secret-${randomUUID()}` });
      return [201, { id, secret: this.webhooks.get(id)!.secret }];
    }
    if (rec.method === 'DELETE' && rec.path.startsWith('/webhooks/v1/webhooks/')) return [204, undefined];
    if (rec.method === 'POST' && rec.path === '/epayment/v1/payments') {
      const reference = rec.body.reference;
      this.payments.set(reference, { reference, body: rec.body, state: 'CREATED', captured: 0, refunded: 0, cancelled: 0 });
      return [201, { reference, redirectUrl: `${this.url}/landing?ref=${reference}` }];
    }
    const m = /^\/epayment\/v1\/payments\/([^/]+)(?:\/(events|capture|refund|cancel))?$/.exec(rec.path);
    const p = m ? this.payments.get(decodeURIComponent(m[1])) : undefined;
    if (!m || !p) return [404, { title: 'Not Found' }];
    const value = rec.body?.modificationAmount?.value ?? 0;
    if (m[2] === 'capture') p.captured += value;
    if (m[2] === 'refund') p.refunded += value;
    if (m[2] === 'cancel') {
      if (p.state === 'CREATED') p.state = 'TERMINATED';
      else p.cancelled = p.body.amount.value - p.captured;
    }
    if (m[2] === 'events') return [200, [{ name: 'CREATED', reference: p.reference, amount: p.body.amount, timestamp: new Date().toISOString(), success: true }]];
    return [200, this.view(p)];
  }

  view(p: FakePayment) {
    const money = (value: number) => ({ currency: 'NOK', value });
    return {
      reference: p.reference,
      state: p.state,
      amount: p.body.amount,
      pspReference: p.body.cardPassthrough.pspReference,
      aggregate: { authorizedAmount: money(p.state === 'AUTHORIZED' ? p.body.amount.value : 0), capturedAmount: money(p.captured), refundedAmount: money(p.refunded), cancelledAmount: money(p.cancelled) },
    };
  }

  calls(method: string, pathPart: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart));
  }
}

export interface CallbackOptions {
  /** Card (network token) number; default a generated approved card. */
  number?: string;
  cardType?: string;
  attemptId?: string;
  /** `header` (default): the payment's cardCallbackAuthHeader; `hmac`: signed with the secret; a string: that Authorization value; null: none. */
  auth?: 'header' | 'hmac' | string | null;
  hmacSecret?: string;
  pspReference?: string;
  signal?: AbortSignal;
  /** Vipps drops the answer (as after its own timeout): the payment stays CREATED even on RESERVE. */
  dropAnswer?: boolean;
}

export interface CallbackResult {
  status: number;
  body: any;
  ms: number;
  attemptId: string;
}

/** Vipps' card callback for one payment created at the fake. */
export async function sendCardCallback(vipps: FakeVipps, reference: string, options: CallbackOptions = {}): Promise<CallbackResult> {
  const p = vipps.payments.get(reference)!;
  const cp = p.body.cardPassthrough;
  const number = options.number ?? testCardNumber('1234');
  const attemptId = options.attemptId ?? randomUUID();
  const body = JSON.stringify({
    pspReference: options.pspReference ?? cp.pspReference,
    authorizationAttemptId: attemptId,
    merchantSerialNumber: MSN,
    amount: p.body.amount,
    softDeclineCompletedRedirectUrl: `${vipps.url}/mobileintercept?transactionId=${attemptId}&responsecode=OK`,
    cardInfo: {
      maskedCardNumber: `${number.slice(0, 8)}XXXX${number.slice(-4)}`,
      cardType: options.cardType ?? 'VISA-DEBIT',
      cardIssuedInCountryCode: 'NO',
      cardDataType: 'TOKEN',
      networkToken: { number, cryptogram: 'aFgdgjdkfgjdFDF=', expiryMonth: '03', expiryYear: '2030', tokenType: 'VISA', eci: '7', paymentAccountReference: '5001BO8B9NXVVIXCT0HAJU98I512Z' },
    },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = options.auth === undefined ? 'header' : options.auth;
  if (auth === 'header') headers.authorization = cp.cardCallbackAuthHeader;
  else if (auth === 'hmac') Object.assign(headers, signRequest(options.hmacSecret ?? CLIENT_SECRET, cp.cardCallbackUrl, body));
  else if (auth !== null) headers.authorization = auth;
  const started = Date.now();
  const res = await request(cp.cardCallbackUrl, { method: 'POST', headers, body, signal: options.signal });
  const text = await res.body.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!options.dropAnswer && res.statusCode === 200 && parsed?.status === 'RESERVE') p.state = 'AUTHORIZED';
  return { status: res.statusCode, body: parsed, ms: Date.now() - started, attemptId };
}

/** A webhook delivery signed with the registered secret. */
export async function sendWebhook(vipps: FakeVipps, event: Record<string, unknown>, secret?: string): Promise<number> {
  const [hook] = [...vipps.webhooks.values()];
  const body = JSON.stringify(event);
  const res = await request(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(secret ?? hook.secret, hook.url, body) }, body });
  await res.body.text();
  return res.statusCode;
}

/** A Luhn-valid 16-digit test number ending in `last4` (generated now, never stored). */
export function testCardNumber(last4: string, prefix = '4'): string {
  const digits = (prefix + Array.from({ length: 16 - prefix.length - 4 }, () => randomInt(10)).join('') + last4).split('').map(Number);
  const adjust = digits.length - 5;
  for (let d = 0; d < 10; d++) {
    digits[adjust] = d;
    if (luhnValid(digits.join(''))) return digits.join('');
  }
  throw new Error('unreachable');
}

export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The PSP in-process against `vipps`, quick polling, no log noise. */
export async function startTestPsp(vipps: FakeVipps, faults: FaultName[] = [], env: Record<string, string> = {}): Promise<RunningPsp & { logs: string[] }> {
  const config = loadConfig({
    PORT: '0',
    VIPPS_BASE_URL: vipps.url,
    VIPPS_CLIENT_ID: 'psp-client-id',
    VIPPS_CLIENT_SECRET: CLIENT_SECRET,
    VIPPS_SUBSCRIPTION_KEY: 'psp-subscription-key',
    VIPPS_PSP_ID: PSP_ID,
    VIPPS_MSN: MSN,
    REFERENCE_PSP_FAULTS: faults.join(','),
    REFERENCE_PSP_FIRST_POLL_MS: '60000',
    REFERENCE_PSP_RETRY_BACKOFF_MS: '20',
    ...env,
  });
  const logs: string[] = [];
  const running = await startPsp(config, (l) => logs.push(l));
  return Object.assign(running, { logs });
}

export async function api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }> {
  const res = await request(url, { method: method as 'GET', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* html */
  }
  return { status: res.statusCode, body: parsed, text, headers: res.headers };
}
