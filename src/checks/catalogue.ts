import { CHECKLIST, type ChecklistItem } from '../checklist/index.ts';

/** The items golive has checks for (§8.1–8.5) — until the checks are built from bindings. */
export const CATALOGUE: readonly ChecklistItem[] = CHECKLIST.filter((i) => ['8.1', '8.2', '8.3', '8.4', '8.5'].includes(i.section));

export const CHECKLIST_ITEM_IDS: readonly string[] = CATALOGUE.map((i) => i.id);

const BY_ID = new Map(CATALOGUE.map((i) => [i.id, i]));

export function itemById(id: string): ChecklistItem | undefined {
  return BY_ID.get(id);
}

/** The catalogue item, for check modules (throws on a typo at import time, not at judging time). */
export function catalogueItem(id: string): ChecklistItem {
  const item = BY_ID.get(id);
  if (!item) throw new Error(`no checklist item ${id} in the catalogue`);
  return item;
}
