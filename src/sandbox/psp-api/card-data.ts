import { constants, createPublicKey, publicEncrypt, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { PSP_MAGIC_AMOUNTS, type PspApiVersion } from '../../contract/psp-api.ts';
import { cryptogram, maskCardNumber, numberWith } from '../shared/card-numbers.ts';
import type { PspCard } from './types.ts';

/**
 * The card data makePayment carries (vipps-facts §5.3). Test cards and tokens are generated at
 * run time (Luhn-valid, never committed).
 *
 * v2 `cardData`: the plaintext `{CardNumber},{ExpiryDate},{SessionId}` — card number 16–19
 * digits, expiry 4 digits (MMYY: the docs give only the length, UNCONFIRMED), session id 1–32
 * characters —, RSA-OAEP encrypted with the PSP's RSA-2048 public key (PKCS#8/SPKI PEM given at
 * onboarding, `psps[].publicKey`), base64: 256 bytes ⇒ 344 characters. The docs say "OAEP" and
 * nothing of the hash; Java's `RSA/ECB/OAEPPadding` default is SHA-1 with MGF1-SHA-1, so that is
 * the default (`settings.pspApi.oaepHash` switches to SHA-256).
 *
 * v3: a network token instead; magic amounts choose its type (2200 Mastercard, 3100 not eligible).
 */

export interface CardChoice {
  /** A whole test card number (12–19 digits) the customer "has", so the PSP's acquirer stub decides by it. */
  number?: string;
  /** Or only its last four digits (a profile's test card): the rest is generated. */
  last4?: string;
}

export function newCard(version: PspApiVersion, amount: number, now: number, choice: CardChoice = {}): PspCard {
  const mastercard = version === 'v3' ? amount === PSP_MAGIC_AMOUNTS.mastercardToken : choice.number?.startsWith('5') === true;
  const number = choice.number ?? numberWith(mastercard ? '52' : '49', choice.last4);
  const year = new Date(now).getUTCFullYear() + 3;
  const month = String(1 + randomInt(12)).padStart(2, '0');
  return {
    number,
    expiry: `${month}${String(year % 100).padStart(2, '0')}`,
    sessionId: randomBytes(16).toString('hex'),
    tokenType: mastercard ? 'MASTERCARD' : 'VISA',
    // Ends in the card's last four, so an acquirer test environment deciding by them sees them on
    // the v3 network token too (a profile's pspApi.cards[].last4).
    tokenNumber: numberWith(mastercard ? '53' : '489537', number.slice(-4)),
    tokenExpiryMonth: month,
    tokenExpiryYear: String(year),
  };
}

/** The card's masked number, as the landing page and the control record show it. */
export const maskedNumber = (card: PspCard) => maskCardNumber(card.number);

/** The plaintext v2 encrypts. */
export const cardPlaintext = (card: PspCard) => `${card.number},${card.expiry},${card.sessionId}`;

/** The PSP's public key, or why it cannot be used (not PEM, not RSA, not 2048 bits). */
export function readPublicKey(pem: string | undefined): KeyObject | string {
  if (pem === undefined) return 'the PSP has no RSA public key in the sandbox configuration (psps[].publicKey)';
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    return `the PSP's publicKey is not a PEM public key (${(err as Error).message})`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `the PSP's publicKey is ${key.asymmetricKeyType}, not RSA`;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== 2048) return `the PSP's publicKey has ${bits} bits, not 2048`;
  return key;
}

export function encryptCardData(card: PspCard, key: KeyObject, oaepHash: 'sha1' | 'sha256'): string {
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Buffer.from(cardPlaintext(card), 'utf8')).toString('base64');
}

/** v3 `networkToken` (NetworkToken schema), with a fresh cryptogram per call. */
export function networkToken(card: PspCard) {
  return {
    number: card.tokenNumber,
    cryptogram: cryptogram(),
    expiryMonth: card.tokenExpiryMonth,
    expiryYear: card.tokenExpiryYear,
    tokenType: card.tokenType,
    eci: '7',
  };
}

/** v3 `binNumber`: the card's first six digits. */
export const binNumber = (card: PspCard) => card.number.slice(0, 6);
