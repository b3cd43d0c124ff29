/**
 * Production orders — "The merchant verifies the integration in the production environment …: a complete
 * order ending in AUTHORIZED, CAPTURED, REFUNDED and CANCELLED … using both the API itself and the
 * API Dashboard" (ePayment checklist, Flow to go live for direct integrations; vipps-facts §8.4 #37).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/checklist/
 *
 * Rule: after go-live, production holds complete orders ending in AUTHORIZED, CAPTURED, REFUNDED and
 * CANCELLED, verified through the API.
 *
 * Evidence (whole run): only production traffic counts — exchanges recorded by the proxy with an
 * absolute URL on api.vipps.no. With such traffic the four endings are looked for (PASSED / FAILED
 * listing what is missing). Without it (the sandbox, the test environment) the item is REVIEW: the
 * details give the test references per ending as the template for the production check.
 */
import type { Rule } from '../types.ts';
import { finding, list } from '../support/findings.ts';
import { orderEndings } from '../support/orders.ts';
import { GO_LIVE_ENDINGS as ENDINGS } from '../../contract/epayment.ts';

const isProduction = (url: string): boolean => {
  try {
    return new URL(url).host === 'api.vipps.no';
  } catch {
    return false;
  }
};

export const productionOrders: Rule = {
  judge(input, { item }) {
    const prod = input.traffic.filter((e) => e.kind === 'api' && isProduction(e.request.url));
    const source = prod.length > 0 ? { ...input, traffic: prod } : input;
    const endings = orderEndings(source).filter((o) => o.complete);
    const byEnding = new Map(ENDINGS.map((x) => [x, endings.filter((o) => o.ending === x).map((o) => o.reference)]));
    const details = ENDINGS.map((x) => `${x}: ${list(byEnding.get(x)!) || 'none'}`);
    if (prod.length === 0)
      return finding(
        item,
        input,
        'REVIEW',
        'Production orders cannot be verified from sandbox or test traffic. After go-live, check with the API and the API Dashboard that complete production orders end in AUTHORIZED, CAPTURED, REFUNDED and CANCELLED (or record them with the proxy). Test-environment references for each ending are in the details.',
        { details: details.map((d) => `test: ${d}`) },
      );
    const missing = ENDINGS.filter((x) => byEnding.get(x)!.length === 0);
    if (missing.length === 0)
      return finding(item, input, 'PASSED', `Production orders end in all four states: ${details.join('; ')}.`, { cites: endings.map((o) => o.last ?? o.picture.created), details });
    return finding(item, input, 'FAILED', `Production traffic has no complete order ending in ${missing.join(', ')}.`, { cites: prod.slice(0, 20), details });
  },
};
