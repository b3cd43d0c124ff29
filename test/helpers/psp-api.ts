import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { DEFAULT_TEST_PSP } from '../../src/sandbox/index.ts';
import type { PspInput } from '../../src/sandbox/psps.ts';
import type { Exchange } from '../../src/traffic/types.ts';
import { pspHeaders } from './card-passthrough.ts';
import { loadSpec, type SpecName } from './openapi.ts';

/**
 * PSP API v2/v3 test helpers: the PSP's RSA-2048 key pair (generated per run, never committed),
 * the default test PSP with its public key, initiate bodies, PSP API headers per version, and an
 * independent decryption of v2 `cardData` (Node's privateDecrypt with OAEP, as a PSP would).
 */

export function pspKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export const pspWithKey = (publicKey: string): PspInput => ({
  ...DEFAULT_TEST_PSP,
  subscriptionKeys: [...DEFAULT_TEST_PSP.subscriptionKeys],
  merchants: [...DEFAULT_TEST_PSP.merchants],
  publicKey,
});

/** The documented plaintext `{CardNumber:16-19},{ExpiryDate:4},{SessionId:1-32}`. */
export const CARD_PLAINTEXT = /^(\d{16,19}),(\d{4}),([^,]{1,32})$/;

export function decryptCardData(cardData: string, privateKey: string, oaepHash: 'sha1' | 'sha256' = 'sha1'): string {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Buffer.from(cardData, 'base64')).toString('utf8');
}

let seq = 0;
/** A fresh pspTransactionId (lowercase letters and digits) per call. */
export const newPspTransactionId = () => `t${Date.now().toString(36)}${(++seq).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export function initBody(makePaymentUrl: string, overrides: Record<string, unknown> = {}) {
  const id = newPspTransactionId();
  return {
    pspTransactionId: id,
    merchantOrderId: `order-${id}`.slice(0, 30),
    amount: 49900,
    currency: 'NOK',
    pspRedirectUrl: 'https://psp.example/redirect?order=1',
    makePaymentUrl,
    makePaymentToken: `mpt-${id}`,
    paymentText: 'One pair of golive socks',
    ...overrides,
  } as Record<string, any> & { pspTransactionId: string; merchantOrderId: string; makePaymentToken: string; amount: number };
}

/** PSP API headers: v2 spells them `psp-id`, `merchant-serial-number`; v3 `Psp-Id`, `Merchant-Serial-Number`. */
export async function pspApiHeaders(base: string, version: 'v2' | 'v3', msn?: string): Promise<Record<string, string>> {
  const h = await pspHeaders(base, { msn });
  if (version === 'v3') return h;
  const { 'Psp-Id': pspId, 'Merchant-Serial-Number': m, ...rest } = h;
  return { ...rest, 'psp-id': pspId, 'merchant-serial-number': m };
}

/**
 * Every recorded PSP API response (kind `api`) against its spec, and every makePayment body the
 * sandbox sent with card data (YES / ACCEPTED) against MakePaymentRequest. Gateway 401s are
 * Azure's and left out: the specs document 401 without a body.
 */
export async function validatePspTraffic(exchanges: Exchange[]): Promise<{ validated: number; failures: string[] }> {
  const failures: string[] = [];
  let validated = 0;
  for (const e of exchanges) {
    if (e.api !== 'psp-v2' && e.api !== 'psp-v3') continue;
    const spec = await loadSpec(e.api as SpecName);
    if (e.kind === 'api' && e.response && e.response.status !== 401) {
      const result = spec.validateExchange(e);
      if (result.outcome === 'valid') validated++;
      else if (result.outcome !== 'undocumented') failures.push(`${e.request.method} ${e.request.path} → ${e.response.status}: ${result.errors ?? result.outcome}`);
    }
    const body = e.request.body as Record<string, unknown> | undefined;
    if (e.kind === 'callback' && (body?.confirmed === 'YES' || body?.paymentState === 'ACCEPTED')) {
      const path = e.api === 'psp-v2' ? '[makePaymentUrl]' : '[ makePaymentUrl ]'; // the specs' pseudo-paths
      const result = spec.validateRequest('POST', path, body);
      if (result.outcome === 'valid') validated++;
      else failures.push(`makePayment ${e.api}: ${result.errors ?? result.outcome}`);
    }
  }
  return { validated, failures };
}
