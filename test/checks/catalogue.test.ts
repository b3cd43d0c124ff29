import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKLIST, CHECKLIST_ITEM_IDS, checklistItem } from '../../src/checklist/index.ts';
import { BINDINGS } from '../../src/checks/bindings/index.ts';
import { ALL_CHECKS, checkFor, checksOfIntegration, type Rule } from '../../src/checks/index.ts';

const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/checks/rules');

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
/** The ePayment and webhook-receiver items (§8.1–8.5): the ones golive has rules for today. */
const CHECKED = CHECKLIST.filter((i) => ['8.1', '8.2', '8.3', '8.4', '8.5'].includes(i.section) && !i.id.startsWith('PARTNER-'));
/** The platform items (partner keys serving many merchants): §8.2's "mandatory for partners and platforms", judged per installation. */
const PARTNER = CHECKLIST.filter((i) => i.id.startsWith('PARTNER-'));
/** Items with a rule bound: ePayment and Webhooks (§8.1–8.5), then eCom v2 (§8.7). */
const BOUND = [...CHECKED, ...PARTNER, ...CHECKLIST.filter((i) => i.id.startsWith('PSP-')), ...CHECKLIST.filter((i) => i.id.startsWith('EC-')), ...CHECKLIST.filter((i) => i.id.startsWith('PSPAPI-'))];

describe('checklist catalogue', () => {
  it('has every item of every API once: 48 ePayment/webhook items, then PSP (§8.6), eCom and PSP API (§8.7)', () => {
    expect(new Set(CHECKLIST_ITEM_IDS).size).toBe(CHECKLIST_ITEM_IDS.length);
    expect(CHECKED).toHaveLength(48);
    expect(PARTNER.map((i) => i.id)).toEqual(['PARTNER-MSN', 'PARTNER-HEADERS', 'PARTNER-WEBHOOK-ROUTING']);
    expect(CHECKLIST_ITEM_IDS).toHaveLength(90);
    const place = (id: string) => {
      const { section, apis } = checklistItem(id)!;
      return `${section} ${apis.join('+')}`;
    };
    for (const id of CHECKLIST_ITEM_IDS) {
      if (id.startsWith('EP-')) expect(['8.1', '8.2', '8.3', '8.4'].map((s) => `${s} epayment-v1`), id).toContain(place(id));
      else if (id.startsWith('WH-')) expect(place(id), id).toBe('8.5 epayment-v1+webhooks-v1');
      else if (id.startsWith('PARTNER-')) expect(place(id), id).toBe('8.2 epayment-v1');
      else if (id.startsWith('PSPAPI-')) expect(place(id), id).toBe('8.7 psp-v2');
      else if (id.startsWith('PSP-')) expect(place(id), id).toBe('8.6 epayment-psp');
      else if (id.startsWith('EC-')) expect(place(id), id).toBe('8.7 ecom-v2');
      else expect.fail(`unexpected id ${id}`);
    }
  });

  it('marks literal checklist rows required and derived rows recommended', () => {
    for (const item of CHECKED) {
      const literal = LITERAL.some((re) => re.test(item.id));
      expect(item.severity, item.id).toBe(literal ? 'required' : 'recommended');
    }
    // §8.6–8.7 are rows of the PSP, eCom and PSP API checklists; X-Request-Id comes from the eCom guide.
    for (const item of CHECKLIST.filter((i) => !CHECKED.includes(i))) expect(item.severity, item.id).toBe(item.id === 'EC-XREQUESTID' ? 'recommended' : 'required');
  });

  it('gives every item a title, an area, a rule and a developer.vippsmobilepay.com page', () => {
    for (const item of CHECKLIST) {
      expect(item.title.length, item.id).toBeGreaterThan(5);
      expect(['Endpoints to integrate', 'Quality assurance', 'Avoid integration pitfalls', 'Flow to go live', 'Webhook receiver quality', 'Card callback']).toContain(item.area);
      expect(item.rule.length, item.id).toBeGreaterThan(30);
      expect(item.docs, item.id).toMatch(/^https:\/\/developer\.vippsmobilepay\.com\/docs\/.+\/$/);
    }
    expect(checklistItem('EP-HEADERS')?.docs).toBe('https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/');
    expect(checklistItem('nope')).toBeUndefined();
  });
});

describe('rules bound to items', () => {
  it('ALL_CHECKS covers every item (§8.1–8.7) one to one, in order, with the catalogue’s item objects', () => {
    expect(ALL_CHECKS.map((c) => c.item.id)).toEqual(BOUND.map((i) => i.id));
    for (const item of BOUND) expect(checkFor(item.id)?.item).toBe(item);
    expect(checksOfIntegration({ api: 'ecom-v2' }).map((c) => c.item.id)).toEqual(BOUND.filter((i) => i.id.startsWith('EC-')).map((i) => i.id));
    expect(checksOfIntegration({ api: 'epayment-v1' }).map((c) => c.item.id)).toEqual([...CHECKED, ...PARTNER].map((i) => i.id));
    // A PSP on ePayment is judged on the PSP checklist alone.
    expect(checksOfIntegration({ api: 'epayment-v1', kind: 'psp' }).map((c) => c.item.id)).toEqual(BOUND.filter((i) => i.id.startsWith('PSP-')).map((i) => i.id));
    expect(checkFor('EP-NOPE')).toBeUndefined();
    // Every item of the catalogue has its rule now.
    expect(CHECKLIST.filter((i) => !checkFor(i.id)).map((i) => i.id)).toEqual([]);
    expect(checksOfIntegration({ api: 'psp-v2', kind: 'psp' }).map((c) => c.item.id)).toEqual(BOUND.filter((i) => i.id.startsWith('PSPAPI-')).map((i) => i.id));
  });

  it('has rule modules that cite the documented rule and its page, never name the item they judge, and are all bound', async () => {
    const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts'));
    const fileOf = new Map<Rule, string>();
    for (const file of files) {
      // One rule per module (helpers it exports beside it are not rules).
      const exported = (Object.values(await import(join(RULES_DIR, file))) as Rule[]).filter((v) => typeof v === 'object' && typeof v?.judge === 'function');
      expect(exported, file).toHaveLength(1);
      fileOf.set(exported[0], file);
      const source = readFileSync(join(RULES_DIR, file), 'utf8');
      const head = source.split('*/')[0];
      expect(head, file).toMatch(/https:\/\/developer\.vippsmobilepay\.com\/docs\//);
      expect(head, file).toMatch(/Rule:/);
      expect(head, file).toMatch(/Evidence/);
    }
    for (const b of BINDINGS) {
      const file = fileOf.get(b.rule);
      expect(file, `${b.item}: its rule lives in src/checks/rules/`).toBeDefined();
      expect(readFileSync(join(RULES_DIR, file!), 'utf8'), `${file} names ${b.item}`).not.toContain(b.item);
    }
    expect(new Set(BINDINGS.map((b) => b.rule)).size, 'every rule module is bound').toBe(files.length);
  });

  it('declares a scope and an API for every check', () => {
    for (const c of ALL_CHECKS) {
      expect(['flow', 'run']).toContain(c.scope);
      expect(c.item.apis, c.item.id).toContain(c.api);
    }
  });
});
