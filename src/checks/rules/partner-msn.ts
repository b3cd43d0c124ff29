/**
 * Partner MSN — with partner keys, every API request made for a sales unit names that unit's
 * Merchant-Serial-Number, never another's (vipps-facts §1.4: "Partners/PSPs must send the
 * merchant's MSN, never their own"; "missing or foreign MSN with partner keys ⇒ 403"; §1.1, §3.1).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/
 *
 * Rule: each request made for an installation carries Merchant-Serial-Number = that
 * installation's MSN; missing or another sales unit's MSN is a breach.
 *
 * Evidence (run, per installation): the installation's API calls (support/platform.ts
 * trafficOfInstallation: its flows' exchanges, untagged ones of its MSN). The token request and
 * partner-wide Webhooks API calls may leave the MSN out (§1.1, §3.1); everything else FAILS
 * without it or with another MSN, the exchanges cited. No request at all: REVIEW (never a pass).
 * NOT APPLICABLE to profiles without installations.
 */
import type { Rule } from '../types.ts';
import { finding, plural, Tally } from '../support/findings.ts';
import { installationName, notPlatform, ownerOfMsn } from '../support/platform.ts';
import { apiCalls, describe, isOp, OP, reqHeader } from '../support/traffic.ts';

export const partnerMsn: Rule = {
  notApplicable: notPlatform,
  judge(input, { item }) {
    const { profile } = input;
    const who = installationName(profile);
    const calls = apiCalls(input.traffic).filter((e) => !isOp(e, OP.token));
    const t = new Tally();
    let judged = 0;
    for (const e of calls) {
      const msn = reqHeader(e, 'merchant-serial-number')?.trim();
      const partnerWide = e.api === 'webhooks' || isOp(e, OP.registerWebhook, OP.listWebhooks, OP.deleteWebhook);
      if (!msn) {
        if (partnerWide) continue; // a partner-wide registration: no sales unit to name
        judged++;
        t.add('FAILED', `${describe(e)}: no Merchant-Serial-Number (partner keys need the sales unit's)`, e);
        continue;
      }
      judged++;
      if (msn !== profile.msn) t.add('FAILED', `${describe(e)}: Merchant-Serial-Number ${msn}${ownerOfMsn(profile, msn) ? ` (${ownerOfMsn(profile, msn)})` : ''}, not ${who}'s ${profile.msn}`, e);
      else t.cite(e);
    }
    if (judged === 0) return finding(item, input, 'REVIEW', `No API request that names a sales unit was observed for ${who}, so its Merchant-Serial-Number could not be judged.`);
    if (t.problems === 0) return finding(item, input, 'PASSED', `All ${plural(judged, 'API request')} made for ${who} carry its Merchant-Serial-Number ${profile.msn}.`, { cites: [t.cites[0], t.cites[t.cites.length - 1]] });
    return t.finding(item, input, `${plural(new Set(t.cites).size, 'request')} made for ${who} carry a missing or foreign Merchant-Serial-Number: ${t.summary()}.`);
  },
};
