/**
 * The PSP's card-data key: an RSA-2048 key pair generated in memory at start-up (never written
 * anywhere), its public half served as SPKI PEM for Vipps to encrypt v2 `cardData` with, and the
 * decryption of `cardData`: base64 → RSA-OAEP (SHA-1 / MGF1-SHA-1 by default) → the documented
 * plaintext `{CardNumber},{ExpiryDate},{SessionId}` (16–19 digits, 4 digits, 1–32 characters).
 */
import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';

export interface CardDataKey {
  publicKeyPem: string;
  privateKey: KeyObject;
}

export function newCardDataKey(): CardDataKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

export interface DecryptedCard {
  cardNumber: string;
  expiryDate: string;
  sessionId: string;
}

const PLAINTEXT = /^(\d{12,19}),(\d{4}),([^,]{1,32})$/;

/** The card in `cardData`, or undefined when it cannot be decrypted or is not the documented plaintext. */
export function decryptCardData(cardData: unknown, key: KeyObject, oaepHash: 'sha1' | 'sha256'): DecryptedCard | undefined {
  if (typeof cardData !== 'string' || !cardData) return undefined;
  let text: string;
  try {
    text = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, Buffer.from(cardData, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
  const m = PLAINTEXT.exec(text);
  return m ? { cardNumber: m[1], expiryDate: m[2], sessionId: m[3] } : undefined;
}

/** A card type word from the first digit (v2 carries no type): VISA or MASTERCARD. */
export function cardTypeOf(number: string): string {
  if (number.startsWith('4')) return 'VISA';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'MASTERCARD';
  return 'UNKNOWN';
}
