/**
 * Platforms: one integration serving many merchants with partner keys (vipps-facts §1.1, §1.4,
 * §3.1). Judged per installation (each sales unit the platform serves) and over all of them;
 * NOT APPLICABLE to profiles without installations.
 */
import type { ChecklistItem } from './types.ts';
import { KB, QA, WEBHOOKS } from './docs.ts';

const EP = ['epayment-v1'] as const;

export const PARTNER_ITEMS = [
  {
    id: 'PARTNER-MSN',
    title: "Partner keys: every request names the installation's own MSN",
    area: QA,
    section: '8.2',
    apis: EP,
    severity: 'required',
    rule: "With partner keys every API request made for a sales unit carries that unit's Merchant-Serial-Number and never another's (missing or foreign MSN ⇒ 403); only partner-wide Webhooks API calls and the token request may leave it out.",
    docs: `${KB}/http-headers/`,
  },
  {
    id: 'PARTNER-HEADERS',
    title: 'Partner keys: all four Vipps-System-* headers on every request',
    area: QA,
    section: '8.2',
    apis: EP,
    severity: 'required',
    rule: 'Platforms and partners must send Vipps-System-Name, -Version, -Plugin-Name and -Plugin-Version on every API request of every sales unit they serve; checked during checklist approval.',
    docs: `${KB}/http-headers/`,
  },
  {
    id: 'PARTNER-WEBHOOK-ROUTING',
    title: "Partner-wide webhooks are routed by the payload's msn",
    area: QA,
    section: '8.2',
    apis: EP,
    severity: 'required',
    rule: "A partner-wide webhook receives every sales unit's events, each with its msn: a delivery for MSN A never changes an order of MSN B, even with the same reference (references are unique per MSN only).",
    docs: `${WEBHOOKS}/api-guide/`,
  },
] as const satisfies readonly ChecklistItem[];
