import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, CHECKLIST_ITEM_IDS, itemById } from '../../src/checks/catalogue.ts';
import { ALL_CHECKS, checkFor } from '../../src/checks/index.ts';
import { CHECKLIST } from '../../src/checklist/index.ts';

const ITEMS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/checks/items');

/** Rows literally in the ePayment checklist (vipps-facts §8 intro and end of §8.3). */
const LITERAL = [
  /^EP-ENDPOINT-/,
  /^EP-WEBHOOKS-AND-POLLING$/,
  /^EP-STATES-/,
  /^EP-EVENTS-/,
  /^EP-ERRORS-/,
  /^EP-HEADERS$/,
  /^EP-RECEIPT$/,
  /^EP-(REFERENCE|POLLING|REDIRECT|DESIGN|SUPPORT)$/,
  /^EP-ORDER-/,
  /^EP-EVIDENCE-FRESH$/,
];

describe('checklist catalogue', () => {
  it('has every §8.1–8.5 item of the suite checklist, and nothing else', () => {
    const suiteIds = CHECKLIST.filter((i) => ['8.1', '8.2', '8.3', '8.4', '8.5'].includes(i.section)).map((i) => i.id);
    expect([...CHECKLIST_ITEM_IDS].sort()).toEqual([...suiteIds].sort());
    expect(new Set(CHECKLIST_ITEM_IDS).size).toBe(CHECKLIST_ITEM_IDS.length);
    expect(CHECKLIST_ITEM_IDS).toHaveLength(45);
  });

  it('marks literal checklist rows required and derived rows recommended', () => {
    for (const item of CATALOGUE) {
      const literal = LITERAL.some((re) => re.test(item.id));
      expect(item.severity, item.id).toBe(literal ? 'required' : 'recommended');
    }
  });

  it('gives every item a title, an area, a rule and a developer.vippsmobilepay.com page', () => {
    for (const item of CATALOGUE) {
      expect(item.title.length, item.id).toBeGreaterThan(5);
      expect(['Endpoints to integrate', 'Quality assurance', 'Avoid integration pitfalls', 'Flow to go live', 'Webhook receiver quality']).toContain(item.area);
      expect(item.rule.length, item.id).toBeGreaterThan(30);
      expect(item.docs, item.id).toMatch(/^https:\/\/developer\.vippsmobilepay\.com\/docs\/.+\/$/);
    }
    expect(itemById('EP-HEADERS')?.docs).toBe('https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/');
    expect(itemById('nope')).toBeUndefined();
  });
});

describe('one check per item', () => {
  it('ALL_CHECKS covers the catalogue one to one, with the catalogue’s item objects', () => {
    expect(ALL_CHECKS.map((c) => c.item.id)).toEqual([...CHECKLIST_ITEM_IDS]);
    for (const item of CATALOGUE) expect(checkFor(item.id)?.item).toBe(item);
    expect(checkFor('EP-NOPE')).toBeUndefined();
  });

  it('has one file per item that cites the documented rule and its page', () => {
    for (const item of CATALOGUE) {
      const file = join(ITEMS_DIR, `${item.id.toLowerCase()}.ts`);
      expect(existsSync(file), file).toBe(true);
      const head = readFileSync(file, 'utf8').split('*/')[0];
      expect(head, item.id).toContain(item.id);
      expect(head, item.id).toMatch(/https:\/\/developer\.vippsmobilepay\.com\/docs\//);
      expect(head, item.id).toMatch(/Rule:/);
      expect(head, item.id).toMatch(/Evidence/);
    }
  });

  it('declares a scope for every check', () => {
    for (const c of ALL_CHECKS) expect(['flow', 'run']).toContain(c.scope);
  });
});
