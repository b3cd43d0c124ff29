/**
 * ePayment beyond the web redirect, declared once (seed 003; vipps-facts §2.6, §2.13, §7.6, §7.7):
 * the push message to a known phone number, profile sharing with the customer's consent, the QR
 * API's merchant-redirect codes and the one-time payment QR. The sandbox speaks these words, the
 * reference merchant's in-person pages follow them, suites and checks read them.
 *
 * The simulated customer (sandbox control API, not part of Vipps' API; answers are JSON, errors
 * `{error, code?}` like the rest of `/_sandbox/v1`):
 *
 *   GET  /_sandbox/v1/phones/:phoneNumber/requests[?all=true]  → PhoneInbox
 *        The push messages the phone received: PUSH_MESSAGE payments created with this
 *        `customer.phoneNumber` (CREATED ones unless `all=true`), newest first. Read, not recorded.
 *   GET  /app?phone=<msisdn>                                    → HTML: the simulated app's inbox,
 *        one `[data-testid=push-request]` link per pending request (to its landing page in app
 *        mode: `&via=app`, where approving never redirects, as with a real push).
 *   POST /_sandbox/v1/payments/:msn/:reference/approve  {phoneNumber?, consent?}
 *        `consent` (CONSENT_CHOICES, default `share`) answers the profile-sharing question when
 *        the payment asked for `profile.scope`; `decline` fails the payment (→ ABORTED: the app
 *        cannot pay without the consent). A PUSH_MESSAGE payment is approved by the phone it was
 *        pushed to: another `phoneNumber` → 409 `{error, code: 'other-phone'}`.
 *   POST /_sandbox/v1/qr/scan  {url} | {msn, id}                → QrScan (recorded, kind control,
 *        operation `scanQr`): what a phone camera reading that QR sees. 404 `{error, code:
 *        'unknown-qr' | 'expired-qr' | 'deleted-qr'}`.
 *
 * The landing page, for a payment with `profile.scope`: the consent card
 * (`[data-testid=landing-consent]`) lists the scopes; `[data-testid=approve-button]` shares and
 * pays, `[data-testid=consent-decline]` declines (→ ABORTED).
 */
import type { UserFlow } from './epayment.ts';

/** `profile.scope` words (space separated in the request). */
export const PROFILE_SCOPES = ['name', 'address', 'email', 'phoneNumber', 'birthDate', 'nin'] as const;
export type ProfileScope = (typeof PROFILE_SCOPES)[number];

/** The Userinfo claims each scope releases (Userinfo API documentation; no OpenAPI file in the reference set). */
export const SCOPE_CLAIMS: Record<ProfileScope, readonly string[]> = {
  name: ['name', 'given_name', 'family_name'],
  address: ['address', 'other_addresses'],
  email: ['email', 'email_verified'],
  phoneNumber: ['phone_number', 'phone_number_verified'],
  birthDate: ['birthdate'],
  nin: ['nin'],
};
/** Claims Userinfo always answers with. */
export const ALWAYS_CLAIMS = ['sub'] as const;

/** The customer's answer to the profile-sharing question. */
export const CONSENT_CHOICES = ['share', 'decline'] as const;
export type ConsentChoice = (typeof CONSENT_CHOICES)[number];

/** User flows in which no redirect ever reaches the merchant: only polling or webhooks tell it the outcome. */
export const NO_REDIRECT_USER_FLOWS = ['PUSH_MESSAGE', 'QR'] as const satisfies readonly UserFlow[];

export interface PushRequest {
  msn: string;
  reference: string;
  /** The ePayment state. */
  state: string;
  amount: { value: number; currency: string };
  merchantName: string;
  /** `profile.scope` of the request, or null. */
  scope: string | null;
  /** The landing page in app mode (`…&via=app`). */
  landingUrl: string;
  /** ISO time the push was sent (the create). */
  receivedAt: string;
}
export interface PhoneInbox {
  phoneNumber: string;
  requests: PushRequest[];
}

/** What scanning a QR code shows the customer. */
export type QrScan =
  | { kind: 'merchant-redirect'; msn: string; id: string; redirectUrl: string }
  | { kind: 'payment'; msn: string; reference: string; landingUrl: string };

/** QR API (qr-v1.yaml): merchant-redirect `id` rules and image parameters. */
export const QR_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const QR_IMAGE_FORMATS = ['image/png', 'image/svg+xml'] as const;
export const QR_PNG_SIZE = { min: 100, max: 2000 } as const;

/**
 * Query parameters that make a URL belong to one browser session: a merchant-redirect QR that
 * carries one only works for the person who printed it (the QR is printed once and scanned by
 * anyone, in any browser, possibly months later).
 */
export const SESSION_PARAMETER_PATTERN = /^(?:session|sessionid|session_id|sid|jsessionid|phpsessid|aspsessionid|token|auth|csrf)$/i;

/**
 * Profile action roles for in-person flows (the suite's `merchant.action: { role }`). Scope
 * variables are listed with each; every one must extract `reference`.
 */
export const IN_PERSON_ROLES = {
  merchantRedirectQr:
    'Create (or update, with PUT) the merchant-redirect QR a customer scans to reach your payment page (e.g. the taxi\'s or the table\'s code) and say which. Scope: {{params.qrId}} (a suggested id). Must extract qrId.',
  pushCheckout:
    'Start a payment the customer approves on their phone (userFlow PUSH_MESSAGE to {{phoneNumber}}), asking to share the phone number when the shop keeps it. Scope: {{amount}}, {{amountMajor}}, {{description}}, {{phoneNumber}}, {{qrTarget}} (the page a scanned merchant-redirect QR opened, when the flow scanned one). Must extract reference.',
  returningCheckout:
    'Start the next payment for the customer of order {{params.previousReference}} without asking for the phone number again: push it to the number the shop kept — only if the customer shared it. A shop that has no shared number must not send a payment (an error answer is right). Scope: {{amount}}, {{amountMajor}}, {{description}}, {{params.previousReference}}. Extracts reference when it sends one.',
  qrCheckout:
    'Show a one-time payment QR on the customer-facing screen (userFlow QR, customerInteraction CUSTOMER_PRESENT). Scope: {{amount}}, {{amountMajor}}, {{description}}. Must extract reference.',
} as const;
export type InPersonRole = keyof typeof IN_PERSON_ROLES;

/**
 * The sandbox test customer's phone number (MSISDN): who a push reaches when a profile names no
 * `customer.phoneNumber`. The sandbox's own default (src/sandbox/shared/test-customer.ts) must
 * equal it; the suite layer reads it here because it may not import the sandbox.
 */
export const DEFAULT_CUSTOMER_PHONE_NUMBER = '4712345678';
