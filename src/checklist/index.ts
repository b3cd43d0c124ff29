/**
 * The go-live checklist: every item of every API golive knows (vipps-facts.md §8), in one
 * catalogue. Suites name items by id, checks bind rules to them (src/checks/bindings/), reports
 * show their title, area and docs. This folder imports nothing else from src/.
 *
 * `ItemId` is the union of the catalogue's ids, so a binding or a test naming an item that does
 * not exist fails to compile. Suites may also name custom `x-…` items (src/suite/checklist.ts).
 */
import { ECOM_ITEMS } from './ecom.ts';
import { EPAYMENT_ITEMS } from './epayment.ts';
import { EPAYMENT_PITFALL_ITEMS } from './epayment-pitfalls.ts';
import { EPAYMENT_IN_PERSON_ITEMS } from './epayment-in-person.ts';
import { PSP_ITEMS } from './psp.ts';
import { PARTNER_ITEMS } from './partner.ts';
import { PSP_API_ITEMS } from './psp-api.ts';
import type { ChecklistItem } from './types.ts';
import { WEBHOOK_ITEMS } from './webhooks.ts';

export { CHECKLIST_APIS, checklistsOf, integrationApiOf, INTEGRATION_KINDS, type IntegrationKind, type ChecklistApi, type ChecklistItem, type Section, type Severity } from './types.ts';

/** Every item, in checklist order (§8.1 … §8.7); reports list results in this order. */
export const CHECKLIST = [...EPAYMENT_ITEMS, ...EPAYMENT_PITFALL_ITEMS, ...EPAYMENT_IN_PERSON_ITEMS, ...WEBHOOK_ITEMS, ...PARTNER_ITEMS, ...PSP_ITEMS, ...ECOM_ITEMS, ...PSP_API_ITEMS] as const satisfies readonly ChecklistItem[];

export type ItemId = (typeof CHECKLIST)[number]['id'];

export const CHECKLIST_ITEM_IDS: readonly ItemId[] = CHECKLIST.map((i) => i.id);

const BY_ID = new Map<string, ChecklistItem>(CHECKLIST.map((i) => [i.id, i]));

export const isItemId = (id: string): id is ItemId => BY_ID.has(id);

/** The item with this id, or undefined (custom `x-` ids and typos). */
export function checklistItem(id: string): ChecklistItem | undefined {
  return BY_ID.get(id);
}

/** The item of a known id (the type rules out typos, so this never fails). */
export const itemOfId = (id: ItemId): ChecklistItem => BY_ID.get(id)!;
