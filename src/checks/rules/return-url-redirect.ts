/**
 * Return url redirect — "Handle redirects: the merchant must handle that the fallback URL is opened in the
 * default browser on the phone, and not in a specific browser, in a specific tab, in an embedded
 * browser, requiring a session token, etc." (ePayment checklist, Avoid integration pitfalls;
 * vipps-facts §8.3 #24, §2.7, §7.3).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/redirects/
 *
 * Rule: the returnUrl page is stateless: opened in another browser without the checkout's cookies
 * it finds the payment from an identifier in the URL and shows the right outcome (paid after
 * approval, a failure after abort/expiry/termination, pending while CREATED) — no login wall, no
 * "session expired", no HTTP error. The returnUrl is https:// (or a custom scheme) and carries an
 * identifier.
 *
 * Evidence (flow): page observations with `freshBrowser: true` (typically `returnPage`), matched to
 * their payment by `reference` or URL; the payment's state when the page was read (from the
 * traffic and customer observations); the create request's returnUrl. FAILED for HTTP ≥ 400, a
 * login wall/session message, raw errors or a wrong outcome; WARNING when the page still said
 * "pending" for a final payment or was ambiguous, or when returnUrl carries no identifier.
 * A wrong or unclear outcome that the checkout's own browser (with the session) showed too, in the
 * same payment state, is not a redirect problem — the page does not depend on the session — and
 * is left to the state items (EP-STATES-*), which judge every page. No fresh-browser page ⇒ FAILED.
 */
import type { Rule } from '../types.ts';
import { noEvidence, plural, seconds, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { finalStateOf, observationsOf, payments, stateAt, type PageObservation, type PaymentPicture } from '../support/payments.ts';
import { excerpt, judgeOutcome, rawErrorIn, showsFailure, showsLoginWall, showsPending, showsSuccess, type Outcome } from '../support/text.ts';
import { describe, returnUrlOf } from '../support/traffic.ts';

const OUTCOME: Record<string, Outcome> = { CREATED: 'pending', AUTHORIZED: 'success', ABORTED: 'failure', EXPIRED: 'failure', TERMINATED: 'failure' };

/** Does a returnUrl carry something to find the payment by? */
export function returnUrlProblem(url: string, reference: string): string | undefined {
  if (/^http:\/\//i.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(url)) return `returnUrl is plain http (${url})`;
  if (url.includes(reference)) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `returnUrl is not a URL (${url})`;
  }
  if (u.search.length > 1) return undefined;
  if (u.pathname.split('/').some((seg) => seg.length >= 6 && /\d/.test(seg))) return undefined;
  return `returnUrl carries no identifier of the payment (${url}): the page cannot find the payment without the session`;
}

/** The one outcome a page's wording shows, or undefined when it shows none or several. */
export function shownOutcome(text: string): Outcome | undefined {
  const shown = ([showsSuccess(text) && 'success', showsFailure(text) && 'failure', showsPending(text) && 'pending'] as const).filter((x): x is Outcome => Boolean(x));
  return shown.length === 1 ? shown[0] : undefined;
}

/**
 * A page of the same payment in the checkout's own browser (with its cookies), read while the
 * payment was in the same state, that shows the same single outcome as the fresh-browser page.
 */
function sameAsWithSession(p: PaymentPicture, fresh: PageObservation, state: string): PageObservation | undefined {
  const outcome = shownOutcome(fresh.text);
  if (!outcome) return undefined;
  return p.pages.find(
    (pg) =>
      pg.freshBrowser !== true &&
      pg !== fresh &&
      !(pg.status !== undefined && pg.status >= 400) &&
      !showsLoginWall(pg.text) &&
      !rawErrorIn(pg.text) &&
      stateAt(p, pg.at) === state &&
      shownOutcome(pg.text) === outcome,
  );
}

export const returnUrlRedirect: Rule = {
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const fresh = observationsOf(flowInput, 'page').filter((p) => p.freshBrowser === true);
      if (fresh.length === 0) return noEvidence(item, flowInput, 'No page was opened in a fresh browser (freshBrowser: true), so redirect handling could not be judged.');
      const pics = payments(flowInput);
      const t = new Tally();
      const urlChecked = new Set<string>();
      let likeWithSession = 0;
      for (const page of fresh) {
        const p = page.reference ? pics.get(page.reference) : [...pics.values()].find((x) => page.url.includes(x.reference));
        const label = `${page.name} (fresh browser, ${page.url})`;
        if (!p) {
          t.add('WARNING', `${label}: not linked to any payment of the flow (no reference, none in the URL)`);
          continue;
        }
        if (p.created && !urlChecked.has(p.reference)) {
          urlChecked.add(p.reference);
          const url = returnUrlOf(p.created);
          const problem = typeof url === 'string' ? returnUrlProblem(url, p.reference) : undefined;
          if (problem) t.add('WARNING', `${p.reference}: ${problem} (${describe(p.created)})`, p.created);
        }
        if (page.status !== undefined && page.status >= 400) {
          t.add('FAILED', `${p.reference}: ${label} answered HTTP ${page.status}`);
          continue;
        }
        if (showsLoginWall(page.text)) {
          t.add('FAILED', `${p.reference}: ${label} asks to log in or says the session expired: "${excerpt(page.text)}"`);
          continue;
        }
        const raw = rawErrorIn(page.text);
        if (raw) {
          t.add('FAILED', `${p.reference}: ${label} shows ${raw}: "${excerpt(page.text)}"`);
          continue;
        }
        const state = stateAt(p, page.at);
        const expected = state ? OUTCOME[state] : undefined;
        if (!expected) {
          t.add('WARNING', `${p.reference}: ${label}: the payment's state at that time is unknown`);
          continue;
        }
        const j = judgeOutcome(page.text, expected);
        if (j.result !== 'ok') {
          // Without the session the page shows what the checkout's own browser showed in the same
          // state: it does not depend on the session. The outcome itself is then wrong for both,
          // which is state handling (EP-STATES-*), not the redirect.
          const twin = sameAsWithSession(p, page, state!);
          if (twin) {
            likeWithSession++;
            t.cite(p.created).note(
              `${p.reference} (${state}): ${label} shows the same ${shownOutcome(page.text)} as the ${twin.name} page in the checkout's own browser — not a session problem; whether ${shownOutcome(page.text)} is right for ${state} is judged by EP-STATES-${state}`,
            );
            continue;
          }
        }
        const onlyPending = showsPending(page.text) && !showsSuccess(page.text) && !showsFailure(page.text);
        if (expected !== 'pending' && onlyPending) {
          const fin = finalStateOf(p)!;
          t.add('WARNING', `${p.reference}: ${label} still said pending ${seconds(page.at - fin.at)} after the payment became ${state}: "${excerpt(page.text)}"`);
          continue;
        }
        if (j.result === 'bad') t.add('FAILED', `${p.reference} (${state}): ${label} ${j.reason}`);
        else if (j.result === 'unclear') t.add('WARNING', `${p.reference} (${state}): ${label} ${j.reason}`);
        else t.cite(p.created).note(`${p.reference} (${state}): ${label} ${j.reason}`);
      }
      if (t.problems === 0 && likeWithSession > 0)
        return t.finding(
          item,
          flowInput,
          `${plural(fresh.length, 'return page')} opened in a fresh browser worked without a session; ${plural(likeWithSession, 'page')} showed an outcome the payment's state does not explain, exactly as in the checkout's own browser — that is for EP-STATES-* to judge.`,
        );
      if (t.problems === 0) return t.finding(item, flowInput, `${plural(fresh.length, 'return page')} opened in a fresh browser showed the right outcome without a session.`);
      return t.finding(item, flowInput, `Redirect handling: ${t.summary()}.`);
    }),
};
