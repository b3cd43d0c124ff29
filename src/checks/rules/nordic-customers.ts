/**
 * Nordic customers — handle customers from other Nordic countries (toolkit "recurring themes";
 * vipps-facts §8.3 #33, §0.1, §2.5).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/create/
 *
 * Rule: ePayment phone numbers are MSISDNs — country code + number, digits only (^\d{10,15}$,
 * e.g. 4791234567, 4512345678, 358401234567); Vipps MobilePay serves Norway, Denmark, Finland and
 * Sweden, so nothing may assume +47.
 *
 * Evidence (whole run): `customer.phoneNumber` of createPayment bodies and the API's answers.
 * PASSED when a prefilled non-Norwegian number (45, 46, 358 …) was accepted; WARNING when a number
 * lacks the country code (8 digits), when the API rejected a non-Norwegian number the merchant
 * built, or when only Norwegian numbers were prefilled; REVIEW when the integration never prefills
 * a number (then only a person can look for +47 assumptions, e.g. in the checkout form). A number
 * golive handed the shop (the profile's test customer, the phone a customer answered from) is
 * golive's choice: its format is judged, its country says nothing about the shop.
 */
import type { Rule } from '../types.ts';
import { finding, list, plural, Tally } from '../support/findings.ts';
import { apiOps, bodyOf, describe, isOk, OP, outcomeOf } from '../support/traffic.ts';
import { observationsOf } from '../support/payments.ts';

const NORDIC = /^(45|46|47|298|299|354|358)/;

export const nordicCustomers: Rule = {
  judge(input, { item }) {
    const supplied = new Set([input.profile.customerPhoneNumber, ...observationsOf(input, 'customer').map((o) => o.phoneNumber)].filter((p): p is string => !!p));
    const creates = apiOps(input.traffic, OP.create).filter((e) => typeof bodyOf(e)?.customer?.phoneNumber === 'string' && !supplied.has(bodyOf(e)!.customer.phoneNumber));
    if (creates.length === 0)
      return finding(item, input, 'REVIEW', 'The integration never prefilled a phone number of its own (golive\'s test customer aside), so nothing here assumes +47; a person should check phone fields elsewhere (e.g. the checkout form) for Norwegian-only assumptions.');
    const t = new Tally();
    const foreignOk: string[] = [];
    for (const e of creates) {
      const phone: string = bodyOf(e)!.customer.phoneNumber;
      if (/^\d{8}$/.test(phone)) t.add('WARNING', `${describe(e)}: phone number "${phone}" has no country code (ePayment wants an MSISDN, e.g. 47${phone})`, e);
      else if (!/^\d{10,15}$/.test(phone)) t.add('WARNING', `${describe(e)}: phone number "${phone}" is not an MSISDN (digits only, country code first)`, e);
      else if (!phone.startsWith('47')) {
        if (isOk(e)) {
          foreignOk.push(`${phone.slice(0, NORDIC.exec(phone)?.[0].length ?? 2)}… (${describe(e)})`);
          t.cite(e);
        } else if (!e.fault) t.add('WARNING', `${describe(e)} ${outcomeOf(e)}: the non-Norwegian number ${phone} was not accepted`, e);
      }
    }
    if (t.problems > 0) return t.finding(item, input, `Phone numbers assume Norway: ${t.summary()}.`);
    if (foreignOk.length > 0) return t.finding(item, input, `Customers from other Nordic countries work: ${list(foreignOk, 3)}.`);
    return t.cite(...creates.slice(0, 3)).finding(
      item,
      input,
      `Only Norwegian numbers were prefilled (${plural(creates.length, 'create')}); try a Danish (45…) or Finnish (358…) customer to show nothing assumes +47.`,
      'WARNING',
    );
  },
};
