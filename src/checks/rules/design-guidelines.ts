/**
 * Design guidelines — "Follow design guidelines: the Vipps MobilePay branding must be according to the
 * design guidelines" (ePayment checklist, Avoid integration pitfalls; vipps-facts §8.3 #31).
 * https://developer.vippsmobilepay.com/docs/design-guidelines/
 *
 * Rule: payment buttons, logos and wording follow the brand guidelines.
 *
 * Evidence (whole run): page observations — screenshots of the checkout and other pages that show
 * Vipps MobilePay. Only a person can judge branding: always REVIEW, with the screenshots (or the
 * page texts mentioning Vipps/MobilePay) listed for the reviewer, plus a note of brand-name
 * spellings that differ from "Vipps", "MobilePay" and "Vipps MobilePay".
 */
import type { Rule } from '../types.ts';
import { finding, plural } from '../support/findings.ts';
import { observationsOf } from '../support/payments.ts';
import { excerpt } from '../support/text.ts';

const BRAND = /vipps|mobile ?pay/i;
const MISSPELT = /\b(Mobile Pay|Mobilepay|MOBILEPAY|VippsMobilePay|Vipps Mobilepay|vipps(?![\w.-]*\.)|Vips)\b/;

export const designGuidelines: Rule = {
  judge(input, { item }) {
    const pages = observationsOf(input, 'page');
    const shots = pages.filter((p) => p.screenshot);
    const branded = pages.filter((p) => BRAND.test(p.text));
    const details = [
      ...shots.map((p) => `screenshot ${p.screenshot} — ${p.name} (${p.url})`),
      ...branded.filter((p) => !p.screenshot).map((p) => `text of ${p.name} (${p.url}): "${excerpt(p.text)}"`),
    ];
    const spellings = [...new Set(branded.map((p) => MISSPELT.exec(p.text)?.[0]).filter((s): s is string => !!s))];
    if (spellings.length > 0) details.push(`note: brand written as ${spellings.map((s) => `"${s}"`).join(', ')} — the guidelines write "Vipps", "MobilePay", "Vipps MobilePay"`);
    if (details.length === 0)
      return finding(item, input, 'REVIEW', 'Manual: no screenshot or page showing Vipps MobilePay was recorded; the reviewer needs screenshots of the checkout button and payment pages to compare with the design guidelines.');
    return finding(item, input, 'REVIEW', `Manual: compare the Vipps MobilePay branding on ${plural(shots.length, 'screenshot')} and ${plural(branded.length, 'page')} with the design guidelines.`, { details });
  },
};
