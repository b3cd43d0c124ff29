/**
 * Checklist ids as the suite language sees them: the catalogue's items (src/checklist/, one list
 * for every API) plus custom items a suite may add, which start with `x-` (e.g. `x-shop-receipt`).
 */
import { CHECKLIST_APIS, isItemId, type ChecklistApi } from '../checklist/index.ts';

export { CHECKLIST_ITEM_IDS, checklistItem, type ChecklistItem } from '../checklist/index.ts';

export const SUITE_APIS = CHECKLIST_APIS;
export type SuiteApi = ChecklistApi;

/** `x-` followed by letters, digits, `-`, `_`, `.` */
export const CUSTOM_CHECKLIST_ID = /^x-[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A catalogue id or a custom `x-` id. */
export function isChecklistItemId(id: string): boolean {
  return isItemId(id) || CUSTOM_CHECKLIST_ID.test(id);
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
