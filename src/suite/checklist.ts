/**
 * Go-live checklist item ids (vipps-facts.md §8). Suites name the items a flow gives evidence
 * for; checks are keyed by the same ids. Custom items start with `x-` (e.g. `x-shop-receipt`).
 *
 * §8.1–8.5 are the ePayment checklist and the webhook-receiver rows; §8.6–8.7 (PSP card
 * passthrough, legacy eCom v2 and PSP API) are listed too so suites for those APIs need no
 * `x-` ids for their own checklist rows.
 */
import { CATALOGUE } from '../checks/catalogue.ts';

export const SUITE_APIS = ['epayment-v1', 'ecom-v2', 'psp-v2', 'webhooks-v1'] as const;
export type SuiteApi = (typeof SUITE_APIS)[number];

export interface ChecklistItem {
  id: string;
  title: string;
  /** Section of vipps-facts.md, e.g. `8.1`. */
  section: string;
  /** Suite APIs the item belongs to (a suite naming an item of another API gets a warning). */
  apis: readonly SuiteApi[];
}

const EP = ['epayment-v1'] as const;
const WH = ['epayment-v1', 'webhooks-v1'] as const;
const EC = ['ecom-v2'] as const;
const PSPAPI = ['psp-v2'] as const;

const item = (section: string, apis: readonly SuiteApi[]) => (id: string, title: string): ChecklistItem => ({ id, title, section, apis });
/** The checks' catalogue areas are the sections §8.1–8.5. */
const SECTION_OF_AREA: Record<string, (id: string, title: string) => ChecklistItem> = {
  'Endpoints to integrate': item('8.1', EP),
  'Quality assurance': item('8.2', EP),
  'Avoid integration pitfalls': item('8.3', EP),
  'Flow to go live': item('8.4', EP),
  'Webhook receiver quality': item('8.5', WH),
};
function fromCatalogue(c: { id: string; title: string; area: string }): ChecklistItem {
  const make = SECTION_OF_AREA[c.area];
  if (!make) throw new Error(`checklist item ${c.id}: unknown catalogue area "${c.area}"`);
  return make(c.id, c.title);
}
const s86 = item('8.6', EP);
const s87e = item('8.7', EC);
const s87p = item('8.7', PSPAPI);

export const CHECKLIST_ITEMS: readonly ChecklistItem[] = [
  // 8.1–8.5: the ePayment and webhook-receiver items, from the checks' catalogue (one list).
  ...CATALOGUE.map(fromCatalogue),
  // 8.6 ePayment PSP (card passthrough)
  s86('PSP-MERCHANT-CREATE', 'Creates merchants via Merchant Management'),
  s86('PSP-MERCHANT-DELETE', 'Deletes merchants via Merchant Management'),
  s86('PSP-CREATE', 'Creates CARD_PASSTHROUGH payments'),
  s86('PSP-CREATE-EXPRESS', 'Express checkout (if used)'),
  s86('PSP-CREATE-PROFILE', 'Profile sharing (if used)'),
  s86('PSP-CREATE-MINAGE', 'Minimum user age (if used)'),
  s86('PSP-GET', 'Gets payments'),
  s86('PSP-EVENTS', 'Reads the event log'),
  s86('PSP-CB-RESERVE', 'Answers the card callback with RESERVE'),
  s86('PSP-CB-FAIL', 'Answers the card callback with FAIL'),
  s86('PSP-CB-SOFTDECLINE', 'Answers with SOFT_DECLINE and completes 3DS'),
  s86('PSP-CB-20S', 'Answers the card callback within 20 s'),
  s86('PSP-CB-AUTH', 'Verifies the card callback'),
  s86('PSP-CB-CARDTYPE', 'Uses cardType from the callback'),
  s86('PSP-UPDATE-CAPTURE', 'Reports captures'),
  s86('PSP-UPDATE-CANCEL', 'Reports cancels'),
  s86('PSP-UPDATE-REFUND', 'Reports refunds'),
  s86('PSP-WEBHOOKS-AND-POLLING', 'Implements both webhooks and polling'),
  s86('PSP-ERRORS', 'Logs and displays errors'),
  s86('PSP-HEADERS', 'Sends the system headers'),
  // 8.7 legacy eCom v2
  s87e('EC-ENDPOINTS', 'Uses the eCom v2 endpoints'),
  s87e('EC-CALLBACK', 'Answers the callback within 3 s; resolves orders without it'),
  s87e('EC-ERRORS', 'Handles errors'),
  s87e('EC-HEADERS', 'Sends the system headers'),
  s87e('EC-RECEIPT', 'Adds order information to the payment history'),
  s87e('EC-ORDERID', 'Sends a useful orderId'),
  s87e('EC-POLLING', 'Polls payment details'),
  s87e('EC-FALLBACK-REDIRECT', 'fallBack works in a fresh browser'),
  s87e('EC-DESIGN', 'Follows the design guidelines'),
  s87e('EC-SUPPORT', 'Customer support has tools in the merchant system'),
  s87e('EC-XREQUESTID', 'Capture/refund retries reuse X-Request-Id'),
  // 8.7 legacy PSP API
  s87p('PSPAPI-INIT', 'Initiates payments'),
  s87p('PSPAPI-UPDATESTATUS', 'Reports every capture, refund and cancel'),
  s87p('PSPAPI-DETAILS', 'Reads payment details'),
  s87p('PSPAPI-MAKEPAYMENT-TOKENS', 'Processes the makePayment tokens'),
  s87p('PSPAPI-ERRORS', 'Handles every errorId'),
  s87p('PSPAPI-SOFTDECLINE', 'Completes 3DS step-up'),
  s87p('PSPAPI-NO-REDIRECT-RELIANCE', 'Does not rely on the redirect'),
  s87p('PSPAPI-DESIGN', 'Follows the design guidelines'),
];

export const CHECKLIST_ITEM_IDS: readonly string[] = CHECKLIST_ITEMS.map((i) => i.id);

const byId = new Map(CHECKLIST_ITEMS.map((i) => [i.id, i]));

/** `x-` followed by letters, digits, `-`, `_`, `.` */
export const CUSTOM_CHECKLIST_ID = /^x-[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checklistItem(id: string): ChecklistItem | undefined {
  return byId.get(id);
}

export function isChecklistItemId(id: string): boolean {
  return byId.has(id) || CUSTOM_CHECKLIST_ID.test(id);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest of `candidates` to `input`, if it is close enough to be a plausible typo. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = input.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(input.length / 4)) ? best : undefined;
}
