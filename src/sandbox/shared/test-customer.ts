import { createHash } from 'node:crypto';

/**
 * The simulated test customer, the same for every API: who approved when nobody said, and
 * the stable `sub` Userinfo answers for a phone number.
 */

/** The test user the sandbox assumes when nobody said who approved (vipps-facts §4.1 example MSISDN). */
export const DEFAULT_TEST_PHONE_NUMBER = '4712345678';

/** A stable `profile.sub` (UUID-shaped) for a phone number, so Userinfo can map it back. */
export function subForPhoneNumber(phoneNumber: string): string {
  const h = createHash('sha256').update(`golive-sub:${phoneNumber}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
