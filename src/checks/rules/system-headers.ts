/**
 * System headers — "Include HTTP headers: send the HTTP headers in all API requests for better tracking
 * and troubleshooting (mandatory for partners and platforms, who must send these headers as part of
 * the checklist approval)" (ePayment checklist, Quality assurance; vipps-facts §8.2 #18, §1.4).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/
 *
 * Rule: every API request — /accesstoken/get, ePayment, Webhooks, Order Management — carries
 * Vipps-System-Name, -Version, -Plugin-Name and -Plugin-Version (non-empty, ≤30 characters, the
 * same values throughout; equal to the profile's `system` values when it states them) and
 * Merchant-Serial-Number = the merchant's MSN. Over-long values are read from the header, or from
 * the sandbox's `notes.systemHeaderTooLong` where the record keeps no value. Partners/PSPs may
 * leave the MSN out on Webhooks API calls (partner-wide registrations), and a PSP on its token
 * request (its token acts for all its sales units, vipps-facts §1.1, §4.1), as may a platform
 * on its partner token's request (or name any of its installations there), but never send
 * another MSN.
 *
 * Evidence (whole run): all kind:'api' exchanges except the test-only force approve. Verdict on
 * a breach: FAILED for partner/psp profiles (mandatory), WARNING for direct merchants (strongly
 * recommended) — except a *different* MSN than the profile's, which is FAILED for everyone.
 * No API call at all ⇒ FAILED/WARNING (nothing to judge).
 */
import type { Rule } from '../types.ts';
import { finding, list, plural, Tally } from '../support/findings.ts';
import { apiCalls, describe, isOp, OP, reqHeader } from '../support/traffic.ts';

const SYSTEM = [
  ['Vipps-System-Name', 'name'],
  ['Vipps-System-Version', 'version'],
  ['Vipps-System-Plugin-Name', 'pluginName'],
  ['Vipps-System-Plugin-Version', 'pluginVersion'],
] as const;

export const systemHeaders: Rule = {
  judge(input, { item }) {
    const { profile } = input;
    const breach = profile.kind === 'direct' ? 'WARNING' : 'FAILED';
    const calls = apiCalls(input.traffic);
    if (calls.length === 0) return finding(item, input, breach, 'No API request was observed, so the HTTP headers could not be judged.');
    const t = new Tally();
    const values = new Map<string, Map<string, number[]>>();
    for (const e of calls) {
      const problems: string[] = [];
      // The sandbox notes over-long Vipps-System-* headers, also where a record keeps no header values.
      const noted = Array.isArray(e.notes?.systemHeaderTooLong) ? (e.notes.systemHeaderTooLong as unknown[]).map((n) => String(n).toLowerCase()) : [];
      for (const [name, key] of SYSTEM) {
        const v = reqHeader(e, name);
        if (v === undefined || v.trim() === '') {
          problems.push(noted.includes(name.toLowerCase()) ? `${name} is over 30 characters (max 30; the sandbox noted it)` : `no ${name}`);
          continue;
        }
        if (v.length > 30) problems.push(`${name} is ${v.length} characters (max 30)`);
        const expected = profile.system?.[key];
        if (expected !== undefined && v !== expected) problems.push(`${name} "${v}" ≠ profile's "${expected}"`);
        const seen = values.get(name) ?? new Map<string, number[]>();
        seen.set(v, [...(seen.get(v) ?? []), e.seq]);
        values.set(name, seen);
      }
      const msn = reqHeader(e, 'merchant-serial-number');
      // A PSP's access token is its own, for all the sales units it serves: no MSN to name there;
      // so is a platform's partner token (the MSN is optional on the token call, §1.1), which may
      // also name any of its installations.
      const platformToken = (profile.installations?.length ?? 0) > 0 && isOp(e, OP.token);
      const pspToken = (profile.kind === 'psp' || platformToken) && isOp(e, OP.token);
      const partnerWide = pspToken || (profile.kind !== 'direct' && (e.api === 'webhooks' || isOp(e, OP.registerWebhook, OP.listWebhooks, OP.deleteWebhook)));
      if (msn === undefined || msn.trim() === '') {
        if (!partnerWide) problems.push('no Merchant-Serial-Number');
      } else if (platformToken && profile.installations!.some((i) => i.msn === msn.trim())) {
        // one of the platform's own sales units: the token serves them all
      } else if (msn.trim() !== profile.msn) {
        t.add('FAILED', `${describe(e)}: Merchant-Serial-Number ${msn} is not the merchant's MSN ${profile.msn}`, e);
      }
      if (problems.length > 0) t.add(breach, `${describe(e)}: ${problems.join(', ')}`, e);
    }
    for (const [name, seen] of values) {
      if (seen.size <= 1) continue;
      const variants = [...seen.entries()].map(([v, seqs]) => `"${v}" (${seqs.length}×, first #${seqs[0]})`);
      t.add(breach, `${name} is not stable across requests: ${variants.join(', ')}`);
    }
    if (t.problems === 0) {
      const shown = SYSTEM.map(([name]) => `${name.replace('Vipps-System-', '')}=${[...(values.get(name)?.keys() ?? [])][0]}`);
      return finding(item, input, 'PASSED', `All ${plural(calls.length, 'API request')} carry the four Vipps-System-* headers (${shown.join(', ')}) and MSN ${profile.msn}.`, {
        cites: [calls[0], calls[calls.length - 1]],
      });
    }
    const bad = new Set(t.cites).size;
    return t.finding(
      item,
      input,
      `${plural(bad, 'request')} of ${calls.length} ${profile.kind === 'direct' ? 'miss recommended' : 'break mandatory'} HTTP headers (${profile.kind} profile): ${list(t.problemLines.slice(0, 2), 2)}.`,
    );
  },
};
