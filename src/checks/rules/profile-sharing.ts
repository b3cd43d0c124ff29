/**
 * Profile sharing — "Request and retrieve customer profile information … with explicit user
 * consent … Use as few scopes as possible"; after the payment, get the data from Userinfo with
 * the payment's `profile.sub`; "if the user doesn't consent, the payment will fail" (ePayment API
 * guide, features/profile-sharing; vipps-facts §2.13; seed 003: keep the shared phone number for
 * the next push).
 * https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/features/profile-sharing/
 *
 * Rule: ask only for profile.scope words the API knows (and so the shop can use); once a payment
 * that asked for a scope is AUTHORIZED, read Userinfo with its `profile.sub` (asking for data and
 * never reading it is asking for more than the shop uses); and never use customer data without
 * consent: after the customer declined sharing, no later create of the flow pushes to that
 * customer's phone, unless the customer gave the number again (a pushCheckout action of golive's,
 * or a request to the shop carrying the number, after the decline); a returning customer's
 * payment (role returningCheckout) goes only to a number shared earlier in the flow.
 *
 * Evidence (flow): createPayment bodies (`profile.scope`, `customer.phoneNumber`), the `sub` in
 * any answer or webhook about the payment, getUserinfo calls (`/vipps-userinfo-api/userinfo/{sub}`),
 * customer observations with `consent`, role-action observations and golive's merchant requests.
 * Not applicable unless the profile declares `capabilities.profileSharing`. A flow with neither a
 * payment asking for a scope nor a declined consent has no evidence (WARNING, the item being recommended: never a pass).
 */
import type { CheckInput, Rule, Verdict } from '../types.ts';
import type { Exchange } from '../../traffic/types.ts';
import { PROFILE_SCOPES } from '../../contract/in-person.ts';
import { breachVerdict, noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { declaredOn } from '../support/profile.ts';
import { observationsOf, payments, type PaymentPicture } from '../support/payments.ts';
import { apiCalls, bodyOf, describe, isOk, OP, operationOf, referenceOf, responseBodyOf } from '../support/traffic.ts';

const USERINFO_PATH = /\/vipps-userinfo-api\/userinfo\/([^/?#]+)\/?$/;
const digits = (v: unknown): string => String(v ?? '').replace(/\D/g, '');
/** A number the customer typed matches the phone with or without its country code. */
const samePhone = (typed: string, phone: string): boolean => typed.length >= 8 && (typed === phone || phone.endsWith(typed));

/** A value that is a phone number as people type one (not, say, a reference that contains digits). */
const PHONE_LIKE = /^\+?[0-9][0-9 ()-]{6,18}[0-9]$/;

/** Every phone-like value golive sent the shop in a request (body fields, query parameters), as digits. */
function valuesOf(e: Exchange): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if ((typeof v === 'string' && PHONE_LIKE.test(v.trim())) || typeof v === 'number') out.push(digits(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(e.request.body);
  try {
    for (const value of new URL(e.request.url, 'http://x').searchParams.values()) if (PHONE_LIKE.test(value.trim())) out.push(digits(value));
  } catch {
    // not a URL: no query to read
  }
  return out;
}

/** The Userinfo `sub` a call asked for. */
export function userinfoSubOf(e: Exchange): string | undefined {
  if (e.operation !== undefined && e.operation !== 'getUserinfo') return undefined;
  const raw = e.request.path || e.request.url || '';
  const m = USERINFO_PATH.exec(raw.split('?')[0]);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** The payment's `profile.sub`, from the first answer or delivery about it that carries one. */
function subOf(traffic: readonly Exchange[], reference: string): { sub: string; seen: Exchange } | undefined {
  for (const e of traffic) {
    if (referenceOf(e) !== reference) continue;
    const body = e.kind === 'webhook' ? e.request.body : responseBodyOf(e);
    const sub = (body as { profile?: { sub?: unknown } } | undefined)?.profile?.sub;
    if (typeof sub === 'string' && sub) return { sub, seen: e };
  }
  return undefined;
}

const scopeWords = (body: Record<string, any> | undefined): string[] =>
  typeof body?.profile?.scope === 'string' ? body.profile.scope.split(/\s+/).filter(Boolean) : [];

function judgeScopes(traffic: readonly Exchange[], all: PaymentPicture[], t: Tally, breach: Verdict): number {
  let asked = 0;
  const userinfo = apiCalls(traffic).filter((e) => userinfoSubOf(e) !== undefined);
  for (const p of all) {
    const words = scopeWords(bodyOf(p.created!));
    if (words.length === 0) continue;
    asked++;
    const unknown = words.filter((w) => !(PROFILE_SCOPES as readonly string[]).includes(w));
    if (unknown.length > 0) t.add(breach, `${p.reference}: profile.scope asks for ${unknown.map((w) => `"${w}"`).join(', ')}, which no scope of the API shares (${PROFILE_SCOPES.join(', ')})`, p.created);
    if (!p.customer.some((c) => c.action === 'approve')) continue; // nothing was shared
    const found = subOf(traffic, p.reference);
    if (!found) {
      t.add(breach, `${p.reference}: asked for "${words.join(' ')}" and was approved, but the integration never read the payment's profile.sub (no GET payment or webhook carrying it), so it cannot use what it asked for`, p.created);
      continue;
    }
    const reads = userinfo.filter((e) => userinfoSubOf(e) === found.sub);
    const ok = reads.find(isOk);
    if (ok) t.cite(p.created, found.seen, ok).note(`${p.reference}: asked for "${words.join(' ')}", read Userinfo with its sub (${describe(ok)})`);
    else if (reads.length > 0) t.add(breach, `${p.reference}: Userinfo with the payment's sub answered ${reads[0].response?.status ?? 'nothing'} (${describe(reads[0])})`, reads[0]);
    else t.add(breach, `${p.reference}: asked for "${words.join(' ')}" but never read Userinfo with the payment's profile.sub ${found.sub} (${describe(found.seen)}): ask only for what the shop uses`, p.created, found.seen);
  }
  return asked;
}

function judgeDeclines(input: CheckInput, all: PaymentPicture[], t: Tally, breach: Verdict): number {
  const declines = observationsOf(input, 'customer').filter((c) => c.consent === 'decline' && c.phoneNumber);
  const given = [
    ...observationsOf(input, 'role-action').filter((o) => o.role === 'pushCheckout').map((o) => ({ at: o.at, phones: 'any' as const })),
    ...input.traffic.filter((e) => e.kind === 'merchant').map((e) => ({ at: e.startedAt, phones: valuesOf(e) })),
  ];
  for (const d of declines) {
    const phone = digits(d.phoneNumber);
    const later = all.filter((p) => p.created!.startedAt > d.at && digits(bodyOf(p.created!)?.customer?.phoneNumber) === phone);
    const misuse = later.filter((p) => !given.some((g) => g.at > d.at && g.at <= p.created!.startedAt && (g.phones === 'any' || g.phones.some((v) => samePhone(v, phone)))));
    for (const p of misuse)
      t.add(breach, `${p.reference}: pushed to ${d.phoneNumber} (${describe(p.created!)}) after the customer declined to share it on ${d.reference}, without the customer giving the number again`, p.created);
    if (misuse.length === 0) t.note(`${d.reference}: the customer declined sharing; no later payment of the flow went to ${d.phoneNumber} unasked`);
  }
  return declines.length;
}

/**
 * A returning customer's payment (role returningCheckout) goes to a number the customer shared
 * earlier in the flow: a payment that asked for the phoneNumber scope and was approved with it.
 */
function judgeReturning(input: CheckInput, all: PaymentPicture[], t: Tally, breach: Verdict): number {
  const actions = observationsOf(input, 'role-action');
  const returning = actions.filter((o) => o.role === 'returningCheckout' && o.refused !== true);
  const sharedBy = new Map(all.map((p) => [p.reference, scopeWords(bodyOf(p.created!)).includes('phoneNumber')]));
  const shared = observationsOf(input, 'customer').filter((c) => c.action === 'approve' && c.consent !== 'decline' && c.phoneNumber && sharedBy.get(c.reference));
  let judged = 0;
  for (const r of returning) {
    const next = actions.find((o) => o.at > r.at)?.at ?? Number.POSITIVE_INFINITY;
    for (const p of all.filter((x) => x.created!.startedAt >= r.at && x.created!.startedAt < next)) {
      const phone = digits(bodyOf(p.created!)?.customer?.phoneNumber);
      if (!phone) continue;
      judged++;
      const from = shared.find((c) => c.at < r.at && samePhone(digits(c.phoneNumber), phone));
      if (from) t.cite(p.created).note(`${p.reference}: the returning payment goes to ${phone}, shared on ${from.reference}`);
      else t.add(breach, `${p.reference}: the returning payment goes to ${phone} (${describe(p.created!)}), which no earlier payment of the flow had the customer share (profile.scope phoneNumber, consented)`, p.created);
    }
  }
  return judged;
}

export const profileSharing: Rule = {
  notApplicable: (profile) => (declaredOn(profile, 'profileSharing') ? undefined : 'the profile declares no profile sharing (capabilities.profileSharing)'),
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const all = [...payments(flowInput).values()].filter((p) => p.created && operationOf(p.created) === OP.create).sort((a, b) => a.created!.startedAt - b.created!.startedAt);
      const t = new Tally();
      const asked = judgeScopes(flowInput.traffic, all, t, breachVerdict(item));
      const declined = judgeDeclines(flowInput, all, t, breachVerdict(item));
      const returning = judgeReturning(flowInput, all, t, breachVerdict(item));
      if (asked === 0 && declined === 0 && returning === 0) return noEvidence(item, flowInput, `No payment of this flow asked for profile sharing (profile.scope) and no customer declined it (${plural(all.length, 'payment')} created).`);
      if (t.problems > 0) return t.finding(item, flowInput, `Profile sharing: ${t.summary()}.`);
      return t.finding(item, flowInput, `Profile data asked for and used as consented (${plural(asked, 'payment')} asking for a scope, ${plural(declined, 'declined consent')}).`);
    }),
};
