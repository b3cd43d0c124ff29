/**
 * Magic amounts of the test environment (vipps-facts §2.16): amounts in minor units that make
 * the customer's card attempt fail, or a refund fail, the same way in every API.
 */

/** Card declines at customer approval. Some only apply to NOK. */
const DECLINES: Record<number, { reason: string; nokOnly?: boolean }> = {
  151: { reason: 'Insufficient funds' },
  182: { reason: 'Refused by issuer' },
  183: { reason: 'Suspected fraud' },
  184: { reason: 'Withdrawal limit exceeded' },
  186: { reason: 'Expired card' },
  187: { reason: 'Invalid card' },
  197: { reason: '3-D Secure denied', nokOnly: true },
  202: { reason: 'SCA required', nokOnly: true },
};
const UNKNOWN_RESULT = 201;

/** Refund magic: the refund amount or the payment amount. */
export const MAGIC_REFUND_NOT_POSSIBLE = 123;
export const MAGIC_REFUND_PERIOD_EXPIRED = 124;

export interface MagicApproval {
  outcome: 'declined' | 'unknown';
  reason: string;
}

/** What happens when the customer approves a payment of this amount, if not the normal approval. */
export function magicApproval(amount: { currency: string; value: number }): MagicApproval | undefined {
  const decline = DECLINES[amount.value];
  if (decline && (!decline.nokOnly || amount.currency === 'NOK')) return { outcome: 'declined', reason: decline.reason };
  if (amount.value === UNKNOWN_RESULT) return { outcome: 'unknown', reason: 'Unknown result' };
  return undefined;
}
