import type { Amount } from '../shared/amount.ts';
import type { CustomerState } from '../shared/directory.ts';

/** Group thousands: spaces in Norway and Finland (1 234 567), dots in Denmark (1.234.567). */
function group(n: number, separator: string): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/**
 * An amount in minor units as the customer reads it in the app: `1 499,00 kr` (NOK),
 * `1.499,00 kr.` (DKK), `1 499,00 €` (EUR); other currencies (PSP cross-border) `1 499,00 SEK`.
 */
export function formatAmount(amount: Amount | undefined): string {
  if (!amount || typeof amount.value !== 'number' || !Number.isFinite(amount.value)) return '–';
  const negative = amount.value < 0;
  const abs = Math.abs(Math.trunc(amount.value));
  const currency = String(amount.currency).toUpperCase();
  const text = `${negative ? '−' : ''}${group(Math.floor(abs / 100), currency === 'DKK' ? '.' : ' ')},${String(abs % 100).padStart(2, '0')}`;
  switch (currency) {
    case 'NOK':
      return `${text} kr`;
    case 'DKK':
      return `${text} kr.`;
    case 'EUR':
      return `${text} €`;
    default:
      return `${text} ${currency}`.trim();
  }
}

export { escapeHtml } from '../../shared/escape.ts';

/** What the customer reads for each state. */
export const STATE_TEXT: Record<CustomerState, { title: string; text: string; tone: 'neutral' | 'ok' | 'bad' }> = {
  'awaiting-customer': { title: 'Waiting for you', text: 'Approve or reject the payment below.', tone: 'neutral' },
  approved: { title: 'Payment approved', text: 'The amount is reserved on your card. The shop charges it when your order is on its way.', tone: 'ok' },
  rejected: { title: 'Payment rejected', text: 'You rejected this payment. Nothing has been charged.', tone: 'bad' },
  expired: { title: 'Payment expired', text: 'The time to approve this payment ran out. Nothing has been charged.', tone: 'bad' },
  cancelled: { title: 'Payment cancelled by the shop', text: 'The shop cancelled this payment before it was approved. Nothing has been charged.', tone: 'bad' },
};

/** Profile-sharing scopes as the consent card lists them. */
const SCOPE_TEXT: Record<string, string> = {
  name: 'Name',
  address: 'Address',
  email: 'Email address',
  phoneNumber: 'Phone number',
  birthDate: 'Date of birth',
  nin: 'National identity number',
};

export function scopeLabels(scope: string | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter(Boolean))].map((s) => SCOPE_TEXT[s] ?? s);
}

/**
 * A declined card attempt in words the customer understands. `reason` is whatever the
 * ePayment state machine recorded (a code such as `INSUFFICIENT_FUNDS`, a magic amount
 * such as `151`, or a sentence); known ones get a friendly text.
 */
export function declineMessage(reason: string | undefined): string {
  const r = (reason ?? '').toLowerCase();
  const known: [RegExp, string][] = [
    [/insufficient|\b151\b/, 'Your card was declined because there is not enough money on the account.'],
    [/refused|issuer|\b182\b/, 'Your card was declined by the bank that issued it.'],
    [/fraud|\b183\b/, 'Your card was declined: the bank suspects fraud.'],
    [/withdrawal|limit|\b184\b/, 'Your card was declined: the withdrawal limit is exceeded.'],
    [/expired.?card|card.?expired|\b186\b/, 'Your card has expired.'],
    [/invalid.?card|\b187\b/, 'Your card is not valid for this payment.'],
    [/3-?d|three.?d|3ds|secure|\b197\b/, 'The card verification (3-D Secure) was not completed.'],
    [/unknown|timeout|pending|\b201\b/, 'We could not get an answer from your bank. Nothing has been charged yet.'],
    [/sca|strong.?customer|\b202\b/, 'Your bank requires extra verification (SCA) that was not completed.'],
  ];
  const hit = known.find(([re]) => re.test(r));
  const base = hit ? hit[1] : 'Your card was declined.';
  return `${base} Try again with another card, or reject the payment.`;
}

/** Normalise what a customer types as a phone number: drop spaces, dashes and a leading + or 00. */
export function normalisePhone(input: string | undefined): string {
  return (input ?? '').replace(/[\s\-().]/g, '').replace(/^\+/, '').replace(/^00/, '');
}

