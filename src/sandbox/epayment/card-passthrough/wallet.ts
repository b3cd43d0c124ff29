import { createCipheriv, createHash, randomBytes, randomInt } from 'node:crypto';
import { CARD_TYPES, callbackCardType, type CardType, type CustomerCardChoice } from '../../../contract/card-passthrough.ts';
import { ApiError } from '../../problem.ts';
import { cryptogram, digits, luhnValid, maskCardNumber, numberWith } from '../../shared/card-numbers.ts';

export { cryptogram, luhnValid, maskCardNumber, numberWith };

/**
 * The simulated customer's card wallet (vipps-facts §4.2): one card per card type, numbers
 * generated at run time (Luhn-valid, never committed), plus what a card becomes in a callback
 * (type word, TOKEN or PAN). Pure: no HTTP, no sandbox state beyond the cards themselves.
 */

export const CARD_TYPE_NAMES: Record<CardType, string> = {
  VISA_DEBIT: 'Visa Debit',
  VISA_CREDIT: 'Visa Credit',
  VISA_DANKORT: 'Visa/Dankort',
  DANKORT: 'Dankort',
  MC_CREDIT: 'Mastercard Credit',
  MC_DEBIT: 'Mastercard Debit',
};

export interface WalletCard {
  type: CardType;
  /** The card number (PAN), digits only. */
  number: string;
  /** The card's network token (EMVCo), Luhn-valid, same network as the card. */
  tokenNumber: string;
  expiryMonth: string;
  expiryYear: string;
  paymentAccountReference: string;
}

/** The first digits of a card of this type: Visa 4, Mastercard 51–55, Dankort 5019, Visa/Dankort 4571. */
function prefix(type: CardType): string {
  switch (type) {
    case 'VISA_DANKORT':
      return '4571';
    case 'DANKORT':
      return '5019';
    case 'MC_CREDIT':
    case 'MC_DEBIT':
      return `5${1 + randomInt(5)}`;
    default:
      for (;;) {
        const p = `4${digits(3)}`;
        if (p !== '4571') return p;
      }
  }
}

export function generateCardNumber(type: CardType, last4?: string): string {
  return numberWith(prefix(type), last4);
}

/** The card type a number looks like (for a CustomerCardChoice with `number` and no `type`). */
export function inferCardType(number: string): CardType {
  if (number.startsWith('4571')) return 'VISA_DANKORT';
  if (number.startsWith('5019')) return 'DANKORT';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'MC_CREDIT';
  return 'VISA_DEBIT';
}

function makeCard(type: CardType, number: string, now: number): WalletCard {
  const network = type.startsWith('MC') ? '5' : type === 'DANKORT' ? '5019' : '4';
  return {
    type,
    number,
    // The network token ends in the card's last four digits, so an acquirer test environment that
    // decides by them (a profile's `cardPassthrough.cards[].last4`) sees them on the token too.
    tokenNumber: numberWith(network === '5' ? '53' : network === '4' ? '48' : network, number.slice(-4)),
    expiryMonth: String(1 + randomInt(12)).padStart(2, '0'),
    expiryYear: String(new Date(now).getUTCFullYear() + 3),
    paymentAccountReference: `5001${randomBytes(20).toString('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().padEnd(25, '0').slice(0, 25)}`,
  };
}

/** One card per type, generated once per sandbox (the test customer's cards). */
export class Wallet {
  readonly cards: readonly WalletCard[];

  constructor(now: number) {
    this.cards = CARD_TYPES.map((type) => makeCard(type, generateCardNumber(type), now));
  }

  card(type: CardType): WalletCard {
    return this.cards.find((c) => c.type === type)!;
  }
}

/** The `cardPassthrough` fields that decide which cards the customer sees and how they are sent. */
export interface CardRules {
  allowedCardTypes?: string[];
  preferVisaPartOfVisaDankort?: boolean;
  publicEncryptionKeyId?: string;
}

/**
 * The wallet's cards the customer may pick: those of `allowedCardTypes` (all when absent), in
 * CARD_TYPES order. A standalone Dankort card is sent as an encrypted PAN, so it is offered only
 * when the payment gave a `publicEncryptionKeyId`.
 */
export function offeredCards(wallet: Wallet, rules: CardRules): WalletCard[] {
  const allowed = rules.allowedCardTypes ?? CARD_TYPES;
  return wallet.cards.filter((c) => allowed.includes(c.type) && (c.type !== 'DANKORT' || rules.publicEncryptionKeyId !== undefined));
}

const bad = (detail: string) => new ApiError({ status: 400, title: 'Bad Request', detail });

/**
 * The card for an attempt: the wallet's card of `choice.type` (default: the first offered);
 * with `last4` a fresh number of that type ending in those digits; with `number` that number
 * as given (type from `choice.type`, else from its digits). Throws 400 for a type not offered.
 */
export function chooseCard(wallet: Wallet, rules: CardRules, choice: CustomerCardChoice = {}, now = Date.now()): WalletCard {
  const offered = offeredCards(wallet, rules);
  if (choice.number !== undefined && !/^\d{12,19}$/.test(choice.number)) throw bad('card.number must be 12–19 digits.');
  if (choice.last4 !== undefined && !/^\d{4}$/.test(choice.last4)) throw bad('card.last4 must be 4 digits.');
  const type = choice.type ?? (choice.number !== undefined ? inferCardType(choice.number) : offered[0]?.type);
  if (type === undefined) throw new ApiError({ status: 409, title: 'No card', detail: 'No card in the wallet can pay this payment (allowedCardTypes).', code: 'no-allowed-card' });
  const base = offered.find((c) => c.type === type);
  if (!base) throw bad(`The card type ${type} is not allowed for this payment (allowed: ${offered.map((c) => c.type).join(', ') || 'none'}).`);
  if (choice.number !== undefined) return { ...makeCard(type, choice.number, now), expiryMonth: base.expiryMonth, expiryYear: base.expiryYear };
  if (choice.last4 !== undefined) return { ...makeCard(type, generateCardNumber(type, choice.last4), now) };
  return base;
}

/** How a card goes into the callback: the type word, and the card data (TOKEN or encrypted PAN). */
export interface CardProcessing {
  /** `cardInfo.cardType`, e.g. `VISA-DEBIT`; for Visa/Dankort the part used (`VISA-DANKORT` or `DANKORT`). */
  callbackCardType: string;
  dataType: 'TOKEN' | 'PAN';
  tokenType?: 'VISA' | 'MASTERCARD';
}

/**
 * Dankort (standalone, or the Dankort part of a Visa/Dankort card) has no network token: it is
 * sent as an encrypted PAN, which needs `publicEncryptionKeyId`. A Visa/Dankort card is processed
 * as Dankort unless `preferVisaPartOfVisaDankort` (or no key to encrypt the PAN with).
 */
export function processingOf(card: WalletCard, rules: CardRules): CardProcessing {
  const canPan = rules.publicEncryptionKeyId !== undefined;
  if (card.type === 'DANKORT') return { callbackCardType: callbackCardType('DANKORT'), dataType: 'PAN' };
  if (card.type === 'VISA_DANKORT' && !rules.preferVisaPartOfVisaDankort && canPan) return { callbackCardType: callbackCardType('DANKORT'), dataType: 'PAN' };
  return { callbackCardType: callbackCardType(card.type), dataType: 'TOKEN', tokenType: card.type.startsWith('MC') ? 'MASTERCARD' : 'VISA' };
}

/**
 * `encryptedPan`: an opaque base64 string. Not the real scheme (the PSP's registered public key
 * is unknown to the sandbox): AES-256-GCM with key SHA-256("golive-sandbox:" + publicEncryptionKeyId),
 * base64(iv ‖ ciphertext ‖ tag), so a test PSP can still recover the PAN if it wants to.
 */
export function encryptPan(pan: string, publicEncryptionKeyId: string): string {
  const key = createHash('sha256').update(`golive-sandbox:${publicEncryptionKeyId}`).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(pan, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, data, cipher.getAuthTag()]).toString('base64');
}

