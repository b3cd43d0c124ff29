/**
 * Roles an action may declare: what it means to golive, whatever the shop calls it. Bundled flows
 * drive roles (`merchant.action: { role: completeOrder }`), never a shop's own action names.
 */
import { IN_PERSON_ROLES, type InPersonRole } from '../contract/in-person.ts';

export const ACTION_ROLES = ['completeOrder', 'backOfficeCapture', ...(Object.keys(IN_PERSON_ROLES) as InPersonRole[])] as const;
export type ActionRole = (typeof ACTION_ROLES)[number];
export const ROLE_DESCRIPTIONS: Record<ActionRole, string> = {
  completeOrder:
    'Finish the order as the back office does: capture up to what shipped ({{params.shipped}}, minor units, in total) and release the uncaptured remainder itself. Scope: {{reference}}, {{params.*}}.',
  backOfficeCapture: 'A staff member ships the whole order from the back office (what is left to capture), and sees the answer. Scope: {{reference}}.',
  ...IN_PERSON_ROLES,
};
