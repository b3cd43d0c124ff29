import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { CARD_CALLBACK_OP } from '../../src/contract/card-passthrough.ts';
import { DEFAULT_TEST_PSP } from '../../src/sandbox/psps.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { call } from './sandbox.ts';

/**
 * Test helpers for ePayment card passthrough: headers for the default test PSP, a create body,
 * a tiny fake PSP (the card callback receiver, on 127.0.0.1) and a narrow schema of the card
 * callback body.
 */

/** ePayment headers for a PSP acting for `msn` (default: the default test PSP and its first sales unit). */
export async function pspHeaders(base: string, options: { psp?: typeof DEFAULT_TEST_PSP; msn?: string } = {}): Promise<Record<string, string>> {
  const psp = options.psp ?? DEFAULT_TEST_PSP;
  const res = await call(base, 'POST', '/accesstoken/get', {
    headers: { client_id: psp.clientId, client_secret: psp.clientSecret, 'Ocp-Apim-Subscription-Key': psp.subscriptionKeys[0] },
  });
  if (res.status !== 200) throw new Error(`PSP token request failed: ${res.status} ${res.text}`);
  return {
    Authorization: `Bearer ${res.body.access_token}`,
    'Ocp-Apim-Subscription-Key': psp.subscriptionKeys[0],
    'Merchant-Serial-Number': options.msn ?? psp.merchants[0],
    'Psp-Id': psp.pspId,
    'Vipps-System-Name': 'golive-tests',
    'Vipps-System-Version': '1.0.0',
    'Vipps-System-Plugin-Name': 'golive-tests',
    'Vipps-System-Plugin-Version': '1.0.0',
  };
}

let seq = 0;
export const newReference = (prefix = 'psp') => `${prefix}-${Date.now().toString(36)}-${++seq}`;

/** A CARD_PASSTHROUGH create request (seed 000's example) for a callback URL. */
export function cardCreateBody(cardCallbackUrl: string, cardPassthrough: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: 'NOK', value: 6000 },
    customer: { phoneNumber: '4712345678' },
    paymentMethod: { type: 'CARD_PASSTHROUGH' },
    cardPassthrough: { pspReference: `pspref-${randomUUID()}`, cardCallbackUrl, cardCallbackAuthHeader: 'Bearer psp-callback-secret-1', ...cardPassthrough },
    reference: newReference(),
    userFlow: 'WEB_REDIRECT',
    returnUrl: 'https://psp.example/result?order=1',
    paymentDescription: 'Purchase of socks',
    ...overrides,
  };
}

export interface ReceivedCardCallback {
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body text (for HMAC verification). */
  raw: string;
  body: any;
}

export type FakeAnswer = { status?: number; json?: unknown; text?: string; delayMs?: number };

/** The PSP's card callback endpoint: records every callback, answers what `respond` says (default RESERVE). */
export class FakePsp {
  readonly received: ReceivedCardCallback[] = [];
  respond: (cb: ReceivedCardCallback) => FakeAnswer = () => ({ json: { status: 'RESERVE', networkTransactionReference: '123456789' } });
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          /* keep text */
        }
        const cb = { path: req.url ?? '', headers: req.headers, raw, body };
        this.received.push(cb);
        const { status = 200, json, text, delayMs = 0 } = this.respond(cb);
        const answer = () => {
          if (res.destroyed) return;
          if (json !== undefined) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
          else res.writeHead(status, { 'content-type': 'text/plain' }).end(text ?? '');
        };
        const timer = setTimeout(answer, delayMs);
        res.on('close', () => clearTimeout(timer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/psp/card-callback`;
    return this;
  }

  /** Answer the next callbacks in turn (then the default again). */
  answers(...list: FakeAnswer[]): void {
    const queue = [...list];
    const fallback = this.respond;
    this.respond = (cb) => queue.shift() ?? fallback(cb);
  }

  forPspReference(pspReference: string): ReceivedCardCallback[] {
    return this.received.filter((c) => c.body?.pspReference === pspReference);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * `CardCallbackRequest`, current revision (vipps-facts §4.2), narrowly. SPEC GAP: the ePayment
 * spec in shared/reference (v1.4.1) has no card passthrough at all, so there is no official
 * schema to validate against; this one is written from the card-callback guide's example and
 * field list, and only for the body the sandbox sends (not the PSP's answer).
 */
const NETWORK_TOKEN = {
  type: 'object',
  required: ['number', 'cryptogram', 'expiryMonth', 'expiryYear', 'tokenType', 'eci', 'paymentAccountReference'],
  additionalProperties: false,
  properties: {
    number: { type: 'string', pattern: '^[0-9]{12,19}$' },
    cryptogram: { type: 'string', minLength: 1 },
    expiryMonth: { type: 'string', pattern: '^(0[1-9]|1[0-2])$' },
    expiryYear: { type: 'string', pattern: '^[0-9]{4}$' },
    tokenType: { enum: ['VISA', 'MASTERCARD'] },
    eci: { type: 'string', minLength: 1 },
    paymentAccountReference: { type: 'string', minLength: 1, maxLength: 29 },
  },
};
export const CARD_CALLBACK_REQUEST_SCHEMA = {
  type: 'object',
  required: ['pspReference', 'authorizationAttemptId', 'merchantSerialNumber', 'amount', 'softDeclineCompletedRedirectUrl', 'cardInfo'],
  additionalProperties: false,
  properties: {
    pspReference: { type: 'string', minLength: 1 },
    authorizationAttemptId: { type: 'string', minLength: 1 },
    merchantSerialNumber: { type: 'string', pattern: '^[0-9]{4,6}$' },
    amount: {
      type: 'object',
      required: ['currency', 'value'],
      additionalProperties: false,
      properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' }, value: { type: 'integer', minimum: 0 } },
    },
    softDeclineCompletedRedirectUrl: { type: 'string', pattern: '^https?://' },
    cardInfo: {
      type: 'object',
      required: ['maskedCardNumber', 'cardType', 'cardIssuedInCountryCode', 'cardDataType'],
      additionalProperties: false,
      properties: {
        maskedCardNumber: { type: 'string', pattern: '^[0-9]{6,8}X+[0-9]{4}$' },
        cardType: { enum: ['VISA-DEBIT', 'VISA-CREDIT', 'VISA-DANKORT', 'DANKORT', 'MC-CREDIT', 'MC-DEBIT'] },
        cardIssuedInCountryCode: { type: 'string', pattern: '^[A-Z]{2}$' },
        cardDataType: { enum: ['TOKEN', 'PAN'] },
        networkToken: NETWORK_TOKEN,
        encryptedPan: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$' },
      },
      oneOf: [
        { properties: { cardDataType: { const: 'TOKEN' } }, required: ['networkToken'], not: { required: ['encryptedPan'] } },
        { properties: { cardDataType: { const: 'PAN' } }, required: ['encryptedPan'], not: { required: ['networkToken'] } },
      ],
    },
  },
} as const;

const ajv = new Ajv({ strict: false, allErrors: true });
const validateBody = ajv.compile(CARD_CALLBACK_REQUEST_SCHEMA);

export function cardCallbackBodyErrors(body: unknown): string | undefined {
  return validateBody(body) ? undefined : ajv.errorsText(validateBody.errors);
}

/** Validate every recorded card callback body (current revision) against the schema above. */
export function validateCardCallbacks(exchanges: Exchange[]): { validated: number; failures: string[] } {
  let validated = 0;
  const failures: string[] = [];
  for (const e of exchanges) {
    if (e.kind !== 'callback' || e.operation !== CARD_CALLBACK_OP) continue;
    const errors = cardCallbackBodyErrors(e.request.body);
    if (errors) failures.push(`${e.request.url}: ${errors}`);
    else validated++;
  }
  return { validated, failures };
}

export async function waitFor<T>(get: () => T | undefined, ms = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
