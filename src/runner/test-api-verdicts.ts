import type { ItemResult } from '../checks/index.ts';
import { EnvironmentProblem } from '../shared/errors.ts';
import { environmentProblemOf } from '../traffic/environment.ts';
import type { Exchange } from '../traffic/types.ts';
import type { FlowEvidence } from '../report/run-summary.ts';
import { CARD_CALLBACK_OBSERVED_ITEMS, MAKE_PAYMENT_OBSERVED_ITEMS, WEBHOOK_OBSERVED_ITEMS } from '../suite/index.ts';
import { CARD_CALLBACK_OP } from '../contract/card-passthrough.ts';
import { PSP_MAKE_PAYMENT_OPS } from '../contract/psp-api.ts';
import { deliveryTargets, type DeliveryKind } from '../traffic/delivery-targets.ts';

const NO_RELAY = "webhook deliveries are not observed in test-api mode: the test API sends them to the integration's public URL, which golive cannot see (no relay is configured)";
const NO_RELAY_MAKE_PAYMENT = "Vipps's makePayment calls are not observed in test-api mode: the test API sends them to the PSP's makePaymentUrl, which golive cannot see (no relay is configured)";
const NO_RELAY_CARD_CALLBACK = "Vipps's card callbacks are not observed in test-api mode: the test API sends them to the PSP's cardCallbackUrl, which golive cannot see (no relay is configured)";

const under = (url: string, base: string) => url === base || url.startsWith(`${base.replace(/\/+$/, '')}/`);
const listed = (urls: string[]) => [...new Set(urls)].slice(0, 3).join(', ') + (new Set(urls).size > 3 ? ' …' : '');


/** Whether `e` is one of Vipps's deliveries of this kind, relayed. */
const isRelayed = (e: Exchange, kind: DeliveryKind) =>
  e.notes?.relayed === true &&
  (kind === 'webhooks'
    ? e.kind === 'webhook'
    : kind === 'ecom-callbacks'
      ? e.kind === 'callback' && e.api === 'ecom-v2'
      : kind === 'card-callbacks'
        ? e.kind === 'callback' && e.api === 'epayment' && e.operation === CARD_CALLBACK_OP
        : e.kind === 'callback' && PSP_MAKE_PAYMENT_OPS.includes(e.operation ?? ''));

/**
 * Why Vipps's deliveries of one kind went past golive in this run, or undefined when they reached
 * the delivery relay (`{{relay.url}}`): the integration gave the test API a relay URL — a webhook
 * it registered through the proxy, an eCom callbackPrefix, a PSP's makePaymentUrl — or a relayed
 * delivery was recorded. (A card-passthrough create's cardCallbackUrl counts like makePaymentUrl.)
 */
export function unobservedDeliveries(traffic: readonly Exchange[], relayUrl: string | undefined, kind: DeliveryKind): string | undefined {
  if (!relayUrl) return kind === 'psp-make-payments' ? NO_RELAY_MAKE_PAYMENT : kind === 'card-callbacks' ? NO_RELAY_CARD_CALLBACK : NO_RELAY;
  if (traffic.some((e) => isRelayed(e, kind))) return undefined;
  const urls = deliveryTargets(traffic, kind).map((t) => t.url);
  if (urls.some((u) => under(u, relayUrl))) return undefined;
  // No PSP initiate (card-passthrough create), no makePayment (card callback) to miss: the items judge that (or their flows say why they did not run).
  if ((kind === 'psp-make-payments' || kind === 'card-callbacks') && urls.length === 0) return undefined;
  const what = { webhooks: 'webhook deliveries', 'ecom-callbacks': 'eCom callbacks', 'psp-make-payments': "Vipps's makePayment calls", 'card-callbacks': "Vipps's card callbacks" }[kind];
  if (urls.length === 0)
    return kind === 'webhooks'
      ? `${what} are not observed: the integration registered no webhook through golive's proxy during the run (one registered before goes past golive); register it at {{relay.url}} (${relayUrl})`
      : `${what} are not observed: no order gave a callbackPrefix`;
  const field = kind === 'psp-make-payments' ? 'as makePaymentUrl ' : kind === 'card-callbacks' ? 'as cardCallbackUrl ' : '';
  return `${what} are not observed: the integration gave the test API ${field}${listed(urls)}, not the delivery relay {{relay.url}} (${relayUrl}), so they go past golive`;
}

/**
 * Against the real test API some items cannot be judged at all: webhook and callback items whose
 * deliveries went past golive (no relay, or the integration did not use it), and items whose every
 * flow needs the sandbox (the run-scoped judgement would otherwise read "no error happened" as a
 * failure, when golive could not cause one). Those become NOT APPLICABLE with the reason — never
 * PASSED, never FAILED against the integration. Items some applicable flow exercised keep their
 * verdict: it was proven against the test API.
 */
export function testApiResults(
  results: readonly ItemResult[],
  evidence: readonly FlowEvidence[],
  run: { traffic: readonly Exchange[]; relayUrl?: string; api?: string } = { traffic: [] },
): ItemResult[] {
  const flowsOf = (item: string) => evidence.filter((f) => f.record.checklist.includes(item));
  // An eCom integration's notifications are its callbacks (WH-ACK-FAST judges them there too).
  const unseen = {
    webhooks: unobservedDeliveries(run.traffic, run.relayUrl, 'webhooks'),
    callbacks: unobservedDeliveries(run.traffic, run.relayUrl, 'ecom-callbacks'),
    makePayments: unobservedDeliveries(run.traffic, run.relayUrl, 'psp-make-payments'),
    cardCallbacks: unobservedDeliveries(run.traffic, run.relayUrl, 'card-callbacks'),
  };
  const kindOf = (item: string): DeliveryKind | undefined =>
    MAKE_PAYMENT_OBSERVED_ITEMS.has(item) ? 'psp-make-payments' : CARD_CALLBACK_OBSERVED_ITEMS.has(item) ? 'card-callbacks' : !WEBHOOK_OBSERVED_ITEMS.has(item) ? undefined : item === 'EC-CALLBACK' || run.api === 'ecom-v2' ? 'ecom-callbacks' : 'webhooks';
  const unseenOf = { webhooks: unseen.webhooks, 'ecom-callbacks': unseen.callbacks, 'psp-make-payments': unseen.makePayments, 'card-callbacks': unseen.cardCallbacks } as const;
  return results.map((r) => {
    const flows = flowsOf(r.item);
    const kind = kindOf(r.item);
    const deliveries = kind ? unseenOf[kind] : undefined;
    // Real deliveries through the relay exercise a run-wide delivery item (acknowledged fast, re-read after) whichever flows list it.
    const exercisedByDeliveries = kind !== undefined && !deliveries && run.traffic.some((e) => isRelayed(e, kind));
    let why: string | undefined = deliveries;
    if (!why && !exercisedByDeliveries && flows.length > 0 && flows.every((f) => f.record.outcome === 'not-applicable'))
      why = [...new Set(flows.map((f) => `${f.record.id}: ${f.record.error ?? 'not applicable'}`))].join('; ');
    // A run-scoped item whose flows the test environment broke (the rest not applicable) was not judged: NOT RUN, with the reasons.
    const broken = flows.filter((f) => f.record.environmentProblem);
    if (!why && !exercisedByDeliveries && broken.length > 0 && r.verdict !== 'PASSED' && r.verdict !== 'NOT_APPLICABLE' && flows.every((f) => f.record.environmentProblem || f.record.outcome === 'not-applicable')) {
      const reasons = [...new Set(broken.map((f) => `${f.record.id}: ${f.record.error ?? 'environment problem'}`))].slice(0, 3).join('; ');
      return { item: r.item, verdict: 'NOT_RUN', findings: [{ item: r.item, verdict: 'NOT_RUN', message: `Not judged: the test environment broke every flow exercising it — ${reasons}.` }] };
    }
    // A delivery item always says why deliveries are unseen, even when its flows were ruled out for other reasons.
    if (!why || (r.verdict === 'NOT_APPLICABLE' && !deliveries)) return r;
    return { item: r.item, verdict: 'NOT_APPLICABLE', findings: [{ item: r.item, verdict: 'NOT_APPLICABLE', message: `Not applicable against the test API: ${why}.` }] };
  });
}

/** Where an item's verdict was proven: against the test API, or only against a sandbox (NOT APPLICABLE and NOT RUN items prove nothing). */
export function provenIn(verdict: string, environment: 'test-api' | 'sandbox'): 'test-api' | 'sandbox' | undefined {
  return verdict === 'NOT_APPLICABLE' || verdict === 'NOT_RUN' ? undefined : environment;
}

/**
 * The upstream failures among a flow's exchanges (the proxy's 502/504, marked environmentProblem),
 * as one EnvironmentProblem to end the flow with (Allure: broken, not failed), or undefined.
 */
export function upstreamProblem(traffic: readonly Exchange[]): EnvironmentProblem | undefined {
  const notes = traffic.flatMap((e) => {
    const note = environmentProblemOf(e);
    return note ? [`${e.request.method} ${e.request.path ?? e.request.url}: ${note.cause} (${note.detail})`] : [];
  });
  if (notes.length === 0) return undefined;
  return new EnvironmentProblem(`the test environment failed during this flow — not the integration's fault; rerun it: ${notes.slice(0, 3).join('; ')}${notes.length > 3 ? ` (+${notes.length - 3} more)` : ''}`);
}

/** A flow the test environment broke proves nothing against the integration: its non-passing verdicts become NOT RUN with the reason. */
export function withoutEnvironmentBlame(results: readonly ItemResult[], problem: EnvironmentProblem): ItemResult[] {
  return results.map((r) =>
    r.verdict === 'PASSED' || r.verdict === 'NOT_APPLICABLE' ? r : { item: r.item, verdict: 'NOT_RUN', findings: [{ item: r.item, verdict: 'NOT_RUN', message: `Not judged: ${problem.message}.` }] },
  );
}
