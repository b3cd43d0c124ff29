import { createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CARD_TYPES } from '../../src/contract/card-passthrough.ts';
import { applyAnswer, assertCanAttempt, beginAttempt, beginCompletion, holdsExpiry, newCardState } from '../../src/sandbox/epayment/card-passthrough/attempts.ts';
import { readAnswer } from '../../src/sandbox/epayment/card-passthrough/callback.ts';
import { chooseCard, encryptPan, generateCardNumber, luhnValid, maskCardNumber, offeredCards, processingOf, Wallet } from '../../src/sandbox/epayment/card-passthrough/wallet.ts';
import type { AttemptResult } from '../../src/sandbox/shared/outbound.ts';
import type { ApiError } from '../../src/sandbox/problem.ts';

/** The refusal an action throws: `<code> <detail>` of its ApiError. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const p = (err as ApiError).problem;
    return `${p.code ?? ''} ${p.detail ?? ''}`;
  }
  return 'no refusal';
}

/** The customer's wallet, the answer reader and the attempt states, without HTTP. */

const PREFIX: Record<string, RegExp> = {
  VISA_DEBIT: /^4(?!571)/,
  VISA_CREDIT: /^4(?!571)/,
  VISA_DANKORT: /^4571/,
  DANKORT: /^5019/,
  MC_CREDIT: /^5[1-5]/,
  MC_DEBIT: /^5[1-5]/,
};

describe('wallet', () => {
  it('generates Luhn-valid 16-digit numbers per card type, also with a given last4', () => {
    for (const type of CARD_TYPES) {
      for (let i = 0; i < 200; i++) {
        const n = generateCardNumber(type);
        expect(n).toMatch(/^\d{16}$/);
        expect(luhnValid(n), n).toBe(true);
        expect(n).toMatch(PREFIX[type]);
        const withLast4 = generateCardNumber(type, String(i).padStart(4, '0'));
        expect(luhnValid(withLast4), withLast4).toBe(true);
        expect(withLast4.endsWith(String(i).padStart(4, '0'))).toBe(true);
        expect(withLast4).toMatch(PREFIX[type]);
      }
    }
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('masks as the callback example: first 8, X, last 4', () => {
    expect(maskCardNumber('4796948512341234')).toBe('47969485XXXX1234');
    expect(maskCardNumber('4796948512341234567')).toBe('47969485XXXXXXX4567');
  });

  it('offers the allowed cards; a standalone Dankort only with publicEncryptionKeyId', () => {
    const wallet = new Wallet(Date.now());
    expect(wallet.cards.map((c) => c.type)).toEqual([...CARD_TYPES]);
    expect(offeredCards(wallet, {}).map((c) => c.type)).toEqual(CARD_TYPES.filter((t) => t !== 'DANKORT'));
    expect(offeredCards(wallet, { publicEncryptionKeyId: 'k' }).map((c) => c.type)).toEqual([...CARD_TYPES]);
    expect(offeredCards(wallet, { allowedCardTypes: ['MC_DEBIT', 'VISA_CREDIT'] }).map((c) => c.type)).toEqual(['VISA_CREDIT', 'MC_DEBIT']);
    expect(refusal(() => chooseCard(wallet, { allowedCardTypes: ['MC_DEBIT'] }, { type: 'VISA_DEBIT' }))).toMatch(/not allowed/);
    expect(chooseCard(wallet, { allowedCardTypes: ['MC_DEBIT'] }).type).toBe('MC_DEBIT');
    expect(chooseCard(wallet, { publicEncryptionKeyId: 'k' }, { number: '5019123412341234' })).toMatchObject({ type: 'DANKORT', number: '5019123412341234' });
    expect(refusal(() => chooseCard(wallet, {}, { number: '5019123412341234' }))).toMatch(/DANKORT is not allowed/);
    expect(refusal(() => chooseCard(wallet, {}, { last4: '12' }))).toMatch(/4 digits/);
  });

  it('Visa/Dankort: the Visa part when preferred (or no key for a PAN), else the Dankort part as an encrypted PAN', () => {
    const card = new Wallet(Date.now()).card('VISA_DANKORT');
    expect(processingOf(card, { preferVisaPartOfVisaDankort: true, publicEncryptionKeyId: 'k' })).toEqual({ callbackCardType: 'VISA-DANKORT', dataType: 'TOKEN', tokenType: 'VISA' });
    expect(processingOf(card, { publicEncryptionKeyId: 'k' })).toEqual({ callbackCardType: 'DANKORT', dataType: 'PAN' });
    expect(processingOf(card, {})).toMatchObject({ callbackCardType: 'VISA-DANKORT', dataType: 'TOKEN' });
  });

  it('encryptedPan is opaque base64 a test PSP can still open', () => {
    const blob = Buffer.from(encryptPan('4571000011112222', 'key-1'), 'base64');
    const key = createHash('sha256').update('golive-sandbox:key-1').digest();
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    expect(Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]).toString()).toBe('4571000011112222');
  });
});

const answered = (status: number | undefined, body?: unknown, error?: string): AttemptResult => ({
  url: 'http://127.0.0.1/cb',
  requestHeaders: {},
  sentBody: '{}',
  status,
  responseBody: body,
  error,
  durationMs: 5,
  startedAt: 0,
});

describe('reading the PSP answer', () => {
  const first = { revision: 'current' as const, round: 'first' as const };
  it.each([
    [answered(200, { status: 'RESERVE', networkTransactionReference: '1' }), 'reserved'],
    [answered(200, { status: 'RESERVE' }), 'invalid'],
    [answered(200, { status: 'FAIL', errorCode: 300, errorMessage: 'Refused' }), 'declined'],
    [answered(200, { status: 'FAIL', errorCode: '300', errorMessage: 'Refused' }), 'invalid'],
    [answered(200, { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds' }), 'soft-decline'],
    [answered(200, { status: 'SOFT_DECLINE', softDeclineUrl: 'http://psp.example/3ds' }), 'invalid'],
    [answered(200, { status: 'CAPTURE', networkTransactionReference: '1' }), 'invalid'],
    [answered(200, 'RESERVE'), 'invalid'],
    [answered(401, { error: 'x' }), 'invalid'],
    [answered(500, 'boom'), 'server-error'],
    [answered(undefined, undefined, 'timeout (no complete response within 20000 ms)'), 'timeout'],
    [answered(undefined, undefined, 'ECONNREFUSED (connection refused)'), 'timeout'],
  ])('%# → %s', (result, outcome) => {
    expect(readAnswer(result, first).outcome).toBe(outcome);
  });

  it('the second soft-decline round may not soft-decline again; the early revision has CAPTURE and softDeclineRedirectUrl', () => {
    expect(readAnswer(answered(200, { status: 'SOFT_DECLINE', softDeclineUrl: 'https://x.example' }), { revision: 'current', round: 'soft-decline-completion' }).outcome).toBe('invalid');
    expect(readAnswer(answered(200, { status: 'CAPTURE', networkTransactionReference: '1' }), { revision: 'early', round: 'first' })).toMatchObject({ outcome: 'reserved', capture: true });
    expect(readAnswer(answered(200, { status: 'SOFT_DECLINE', softDeclineRedirectUrl: 'https://x.example' }), { revision: 'early', round: 'first' }).outcome).toBe('soft-decline');
  });
});

describe('attempt states', () => {
  const meta = { at: '2026-01-01T00:00:00Z', nonRetryableErrorCodes: [301] };
  const start = (s = newCardState(), id = `a-${Math.random()}`) =>
    beginAttempt(s, { authorizationAttemptId: id, cardType: 'VISA_DEBIT', callbackCardType: 'VISA-DEBIT', maskedCardNumber: 'x', startedAt: meta.at }, { approvedBy: 'control' });

  it('one attempt at a time; a retryable FAIL allows the next, an unknown outcome none', () => {
    const s = newCardState();
    const a = start(s);
    expect(refusal(() => assertCanAttempt(s))).toMatch(/in progress/);
    expect(holdsExpiry(s)).toBe(true);
    applyAnswer(s, a, 'first', { outcome: 'declined', errorCode: 300, errorMessage: 'no' }, meta);
    expect(holdsExpiry(s)).toBe(false);
    const b = start(s);
    applyAnswer(s, b, 'first', { outcome: 'server-error', problem: 'HTTP 500' }, meta);
    expect(s.outcomeUnknown).toBe(true);
    expect(holdsExpiry(s)).toBe(true);
    expect(refusal(() => assertCanAttempt(s))).toMatch(/unknown/);
  });

  it('a non-retryable FAIL ends the attempts; a soft decline waits for its completion', () => {
    const s = newCardState();
    applyAnswer(s, start(s), 'first', { outcome: 'declined', errorCode: 301, errorMessage: 'no' }, meta);
    expect(refusal(() => assertCanAttempt(s))).toMatch(/does not allow/);
    const t = newCardState();
    const a = start(t, 'soft-1');
    applyAnswer(t, a, 'first', { outcome: 'soft-decline', softDeclineUrl: 'https://x' }, meta);
    expect(refusal(() => assertCanAttempt(t))).toMatch(/3-D Secure/);
    expect(refusal(() => beginCompletion(t, 'other'))).toMatch(/not the one/);
    expect(beginCompletion(t).authorizationAttemptId).toBe('soft-1');
    expect(refusal(() => beginCompletion(t))).toMatch(/in progress/);
  });
});
