/**
 * A small fake of Vipps' PSP API for the PSP API mode's tests (node:http on 127.0.0.1): access
 * token, init, updatestatus (applied at once, like golive's sandbox), details, every request
 * recorded with its headers. It also plays Vipps calling makePayment: v2 encrypts
 * `{CardNumber},{ExpiryDate},{SessionId}` with the public key the PSP serves (RSA-OAEP SHA-1),
 * v3 sends a network token. Card numbers are generated at test time, never committed.
 */
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startPspApi, type RunningPspApi } from '../src/psp-api/app.ts';
import { loadPspApiConfig, type FaultName, type PspApiVersion } from '../src/psp-api/config.ts';
import { MSN, PSP_ID, type Recorded } from './fake-vipps.ts';

export interface FakePspPayment {
  body: any;
  version: PspApiVersion;
  captured: number;
  refunded: number;
  cancelled: number;
  log: { operation: string; amount: number }[];
}

export type PspRecorded = Recorded & { headerNames: string[] };

export class FakePspVipps {
  readonly requests: PspRecorded[] = [];
  readonly payments = new Map<string, FakePspPayment>();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headerNames = req.rawHeaders.filter((_, i) => i % 2 === 0);
        const rec: PspRecorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, headerNames, body: text ? JSON.parse(text) : undefined };
        this.requests.push(rec);
        const [status, body] = this.answer(rec);
        res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  calls(op: 'init' | 'updatestatus' | 'details'): PspRecorded[] {
    return this.requests.filter((r) => r.path.startsWith('/psp/') && r.path.endsWith(op === 'details' ? '/details' : `/${op}`));
  }

  private answer(r: Recorded): [number, unknown] {
    if (r.path === '/accesstoken/get') return [200, { token_type: 'Bearer', expires_in: '3600', access_token: 'psp-token' }];
    const m = /^\/psp\/(v2|v3)\/psppayments\/(?:(init|updatestatus)|([a-z0-9-]+)\/details)$/.exec(r.path);
    if (!m) return [404, [{ errorCode: '51', errorMessage: `no route ${r.path}` }]];
    const [, version, op, detailsId] = m as unknown as [string, PspApiVersion, string | undefined, string | undefined];
    if (op === 'init') {
      if (this.payments.has(r.body.pspTransactionId)) return [400, [{ errorCode: version === 'v2' ? '99' : '44', errorMessage: 'PSP Transaction ID already exists' }]];
      this.payments.set(r.body.pspTransactionId, { body: r.body, version, captured: 0, refunded: 0, cancelled: 0, log: [] });
      return [200, { pspTransactionId: r.body.pspTransactionId, merchantOrderId: r.body.merchantOrderId, vippsRedirectUrl: `${this.url}/landing?token=${r.body.pspTransactionId}` }];
    }
    if (op === 'updatestatus') {
      for (const t of r.body.transactions) {
        const p = this.payments.get(t.pspTransactionId);
        if (!p) return [404, [{ errorCode: '51', errorMessage: 'unknown' }]];
        if (t.status === 'CAPTURED') p.captured += t.amount;
        if (t.status === 'REFUNDED') p.refunded += t.amount;
        if (t.status === 'CANCELLED') p.cancelled += t.amount;
        p.log.push({ operation: t.status, amount: t.amount });
      }
      return [200, { responseInfo: { responseCode: '9000', responseMessage: 'SUCCESS' } }];
    }
    const p = this.payments.get(detailsId!);
    if (!p) return [404, [{ errorCode: '51', errorMessage: 'unknown' }]];
    const reserved = p.body.amount;
    return [
      200,
      {
        pspTransactionId: detailsId,
        merchantOrderId: p.body.merchantOrderId,
        transactionSummary: { capturedAmount: p.captured, remainingAmountToCapture: reserved - p.captured - p.cancelled, refundedAmount: p.refunded, remainingAmountToRefund: p.captured - p.refunded },
        transactionLogHistory: p.log.map((l) => ({ ...l, operationSuccess: true, timeStamp: new Date().toISOString() })),
      },
    ];
  }
}

export interface MakePaymentOptions {
  /** The card the customer picked (v2: encrypted into cardData; v3: the network token number). */
  card?: string;
  /** v2 confirmed (YES, TIMEOUT, CANCEL, NO); v3 sends the mapped paymentState. */
  confirmed?: 'YES' | 'TIMEOUT' | 'CANCEL' | 'NO';
  /** Authorization header (default: the payment's makePaymentToken; null: none). */
  authorization?: string | null;
  /** v2: cardData as sent (e.g. garbage). */
  cardData?: string;
  timeoutMs?: number;
}

export const V3_STATE = { YES: 'ACCEPTED', TIMEOUT: 'TIMEOUT', CANCEL: 'USER_CANCEL', NO: 'USER_CANCEL' } as const;

export const operationsFor = (vipps: FakePspVipps, ref: string) =>
  ['3dssuccess', '3dscancel', '3dsfailure'].map((operation) => ({ url: `${vipps.url}/landing/soft-decline-completed?ref=${ref}&operation=${operation}`, operation }));

/** Vipps ⇒ PSP makePayment, as the sandbox sends it. */
export async function makePayment(vipps: FakePspVipps, psp: RunningPspApi, ref: string, o: MakePaymentOptions = {}): Promise<{ status: number; body: any; ms: number }> {
  const p = vipps.payments.get(ref);
  if (!p) throw new Error(`no payment ${ref} at the fake`);
  const confirmed = o.confirmed ?? 'YES';
  const head = { pspTransactionId: ref, merchantSerialNumber: MSN };
  let body: Record<string, unknown>;
  if (p.version === 'v2') {
    let cardData = o.cardData;
    if (cardData === undefined && confirmed === 'YES') {
      const pem = await (await request(`${psp.url}/.well-known/vipps-card-data-key.pem`)).body.text();
      const plaintext = `${o.card},1229,${randomBytes(16).toString('hex')}`;
      cardData = publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext)).toString('base64');
    }
    body = { ...head, ...(cardData !== undefined ? { cardData } : {}), confirmed, operations: operationsFor(vipps, ref) };
  } else {
    const yes = confirmed === 'YES';
    body = {
      ...head,
      paymentState: V3_STATE[confirmed],
      ...(yes ? { binNumber: o.card!.slice(0, 6), paymentInstrument: 'TOKEN', networkToken: { number: o.card, cryptogram: randomBytes(20).toString('base64'), expiryMonth: '12', expiryYear: '2029', tokenType: o.card!.startsWith('5') ? 'MASTERCARD' : 'VISA', eci: '7' } } : {}),
      operations: operationsFor(vipps, ref),
    };
  }
  const token = o.authorization === undefined ? p.body.makePaymentToken : o.authorization;
  const started = Date.now();
  const res = await request(p.body.makePaymentUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=UTF-8', ...(token !== null ? { authorization: token } : {}) },
    body: JSON.stringify(body),
    // Vipps waits 15 s (an AbortSignal: undici's own timeouts are coarse).
    signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, ms: Date.now() - started };
}

export async function startTestPspApi(vipps: FakePspVipps, version: PspApiVersion, faults: FaultName[] = [], env: Record<string, string> = {}): Promise<RunningPspApi & { logs: string[] }> {
  const logs: string[] = [];
  const config = loadPspApiConfig({
    GOLIVE_INTEGRATION_PORT: '0',
    VIPPS_BASE_URL: vipps.url,
    VIPPS_CLIENT_ID: 'psp-client-id',
    VIPPS_CLIENT_SECRET: 'psp-client-secret',
    VIPPS_SUBSCRIPTION_KEY: 'psp-subscription-key',
    VIPPS_PSP_ID: PSP_ID,
    VIPPS_MSN: MSN,
    PSP_API_VERSION: version,
    REFERENCE_PSP_API_FAULTS: faults.join(','),
    ...env,
  });
  const running = await startPspApi(config, (l) => logs.push(l));
  return Object.assign(running, { logs });
}
