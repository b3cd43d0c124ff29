/**
 * ePayment beyond the web redirect (seed 003; vipps-facts §2.6, §2.13, §7.7): the push message to a
 * known phone number with profile sharing, the one-time payment QR, and the merchant-redirect QR.
 * Derived from the API guides, not rows of the ePayment checklist, so recommended like the other
 * §8.3 pitfalls (breaches are WARNINGs).
 */
import type { ChecklistItem } from './types.ts';
import { D, KB, PITFALLS } from './docs.ts';

const EP = ['epayment-v1'] as const;

export const EPAYMENT_IN_PERSON_ITEMS = [
  {
    id: 'EP-PROFILE-SHARING',
    title: 'Profile sharing: ask for what you use, read Userinfo with the payment\'s sub, keep nothing without consent',
    area: PITFALLS,
    section: '8.3',
    apis: EP,
    severity: 'recommended',
    rule: 'Ask only for the profile.scope the shop uses; after AUTHORIZED read the data from Userinfo with the payment\'s profile.sub; never keep or use customer data the customer did not consent to share (after a declined consent, no later payment is pushed to that phone unless the customer gives the number again).',
    docs: `${D}/APIs/epayment-api/api-guide/features/profile-sharing/`,
  },
  {
    id: 'EP-PUSH-OUTCOME',
    title: 'Push and QR payments: learn the outcome by polling or webhooks',
    area: PITFALLS,
    section: '8.3',
    apis: EP,
    severity: 'recommended',
    rule: 'With userFlow PUSH_MESSAGE or QR no redirect ever reaches the shop: it must learn the outcome by polling GET payment or from webhooks, and update the order.',
    docs: `${KB}/polling-guidelines/`,
  },
  {
    id: 'EP-QR-REDIRECT',
    title: 'Merchant-redirect QR: created with the QR API, a session-free target, changed with PUT',
    area: PITFALLS,
    section: '8.3',
    apis: EP,
    severity: 'recommended',
    rule: 'A printed merchant-redirect QR is made with the QR API; its redirectUrl carries no browser session and opens in any browser; changing where it leads uses PUT on the same id, not a delete and a new code.',
    docs: `${D}/APIs/qr-api/`,
  },
] as const satisfies readonly ChecklistItem[];
