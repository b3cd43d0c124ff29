import type { Page } from 'playwright-core';
import type { ConsentChoice } from '../../contract/in-person.ts';
import { StepFailure, type FlowContext } from '../flow-context.ts';
import type { StepHandler } from './types.ts';

/**
 * The customer in person (src/contract/in-person.ts): scanning a QR with the phone's camera, and
 * approving on the phone a payment reached — by a push message to {{phoneNumber}}, or by the
 * payment QR the customer scanned. Neither path ever sends a redirect to the shop.
 */

/** The app page each scanned payment QR opened, per flow: approving it there is what the phone does. */
const scannedPayments = new WeakMap<FlowContext, Map<string, string>>();

export const scanQr: StepHandler<'customer.scanQr'> = async (ctx, a) => {
  const payment = a.payment === true;
  const reference = payment ? ctx.order(a.reference).reference : undefined;
  let what: { url: string } | { msn: string; id: string };
  let qrId: string | undefined;
  if (reference) {
    // The code on the customer-facing screen is the QR Vipps made for the payment (its redirectUrl).
    const url = ctx.orders.get(reference)?.redirectUrl ?? (await ctx.driver.payment(reference)).redirectUrl;
    if (!url) throw new StepFailure(`payment ${reference} has no QR to scan: its create answered no redirectUrl (userFlow QR answers the QR's URL)`);
    what = { url };
  } else {
    qrId = a.qrId ?? (typeof ctx.scope.qrId === 'string' && ctx.scope.qrId ? ctx.scope.qrId : undefined);
    if (!qrId) throw new StepFailure('no merchant-redirect QR to scan: give qrId, or run the merchantRedirectQr action first (it must extract qrId)');
    what = { msn: ctx.msn, id: qrId };
  }
  const kind = payment ? 'payment' : 'merchant-redirect';
  const answer = await ctx.control.scanQr(what);
  if (!answer.ok) {
    ctx.observe({ type: 'qr-scan', at: ctx.now(), kind, qrId, reference, error: answer.code ?? String(answer.status) });
    throw new StepFailure(`the ${kind} QR ${qrId ?? reference} leads nowhere when scanned (${answer.code ?? answer.status}: ${answer.error}); a printed code must keep working`);
  }
  const scan = answer.scan;
  const target = scan.kind === 'merchant-redirect' ? scan.redirectUrl : scan.landingUrl;
  let opened: { url: string; status?: number; freshBrowser: true } | undefined;
  if (a.open) {
    // Any phone's camera opens it: a fresh browser, none of the merchant's cookies.
    const page = await ctx.freshPage('customer.scanQr');
    const response = await page.goto(target, { waitUntil: 'domcontentloaded', timeout: ctx.config.actionTimeoutMs }).catch((err: unknown) => err as Error);
    const status = response instanceof Error ? undefined : response?.status();
    opened = { url: ctx.redactor.text(page.url()), status, freshBrowser: true };
    await ctx.recordPage(scan.kind === 'merchant-redirect' ? 'qr-target' : 'payment-qr-app', page, true, scan.kind === 'payment' ? scan.reference : undefined, status);
    if (response instanceof Error) {
      record(ctx, scan.kind, qrId, reference, target, opened);
      throw new StepFailure(`opening what the QR leads to (${target}) in a fresh browser failed: ${response.message.split('\n')[0]}`);
    }
  }
  record(ctx, scan.kind, qrId, scan.kind === 'payment' ? scan.reference : reference, target, opened);
  if (scan.kind === 'payment') {
    const seen = scannedPayments.get(ctx) ?? new Map<string, string>();
    seen.set(scan.reference, target);
    scannedPayments.set(ctx, seen);
  } else ctx.scope.qrTarget = target;
  if (a.as) ctx.scope[a.as] = { kind: scan.kind, qrId, reference: scan.kind === 'payment' ? scan.reference : undefined, target, status: opened?.status };
  if (opened?.status !== undefined && opened.status >= 400) throw new StepFailure(`the QR leads to ${target}, which answered HTTP ${opened.status} in a fresh browser`);
};

function record(ctx: FlowContext, kind: 'merchant-redirect' | 'payment', qrId: string | undefined, reference: string | undefined, target: string, opened: { url: string; status?: number; freshBrowser: true } | undefined): void {
  ctx.observe({ type: 'qr-scan', at: ctx.now(), kind, qrId, reference, target: ctx.redactor.text(target), ...(opened ? { opened } : {}) });
}

/**
 * The customer answers on the phone the payment reached: the push in the inbox of the phone
 * (default {{phoneNumber}}), or the payment QR it scanned. `consent: decline` refuses to share
 * the profile data the payment asks for (the payment then fails).
 */
export async function approveInApp(ctx: FlowContext, a: { consent?: ConsentChoice; phoneNumber?: string; reference?: string }): Promise<void> {
  const order = ctx.order(a.reference);
  const phone = a.phoneNumber ?? String(ctx.scope.phoneNumber);
  const choice = a.consent ?? 'share';
  let landingUrl = scannedPayments.get(ctx)?.get(order.reference);
  if (!landingUrl) {
    const inbox = await ctx.control.phoneRequests(phone);
    const request = inbox.requests.find((r) => r.reference === order.reference);
    if (!request) {
      const others = inbox.requests.map((r) => r.reference);
      throw new StepFailure(
        `no push message for payment ${order.reference} reached phone ${phone} (${others.length > 0 ? `its inbox holds ${others.join(', ')}` : 'its inbox is empty'}): a PUSH_MESSAGE payment must name the customer's phone (customer.phoneNumber); a QR payment is reached by scanning it first (customer.scanQr: { payment: true })`,
      );
    }
    landingUrl = request.landingUrl;
  }
  // When the customer answered: before the answer travels, so what the shop does after it counts.
  let answeredAt = ctx.now();
  if (!ctx.hasBrowser) {
    // No browser in this run: the app's answer through the control API, as the phone would send it
    // (an approve with consent decline is the contract's way to refuse: the payment ends ABORTED).
    await ctx.control.customer('approve', ctx.msn, order.reference, { phoneNumber: phone, consent: choice });
  } else {
    // The phone is another device than the shop's screen: its own browser context.
    const page = await ctx.freshPage('customer.approve');
    await page.goto(landingUrl, { waitUntil: 'domcontentloaded', timeout: ctx.config.actionTimeoutMs });
    answeredAt = await press(ctx, page, choice, order.reference);
    await ctx.recordPage('app', page, false, order.reference);
  }
  ctx.observe({ type: 'customer', at: answeredAt, action: choice === 'decline' ? 'reject' : 'approve', reference: order.reference, redirect: false, via: 'app', consent: a.consent, phoneNumber: phone });
}

/** Press the app's button for `choice`; returns when it was pressed. */
async function press(ctx: FlowContext, page: Page, choice: ConsentChoice, reference: string): Promise<number> {
  const timeout = ctx.config.actionTimeoutMs;
  const button = page.getByTestId(choice === 'decline' ? 'consent-decline' : 'approve-button');
  const visible = await button.waitFor({ state: 'visible', timeout }).then(
    () => true,
    () => false,
  );
  if (!visible) {
    throw new StepFailure(
      choice === 'decline'
        ? `the app shows no profile-sharing question for payment ${reference} (the create asked for no profile.scope), so there is no consent to decline`
        : `the app shows no approve button for payment ${reference} (is it still CREATED?)`,
    );
  }
  const pressedAt = ctx.now();
  await button.click({ timeout });
  await page.waitForLoadState('domcontentloaded').catch(() => undefined);
  // The error box exists only when the app could not pay: read it without waiting for it.
  const errorBox = page.getByTestId('landing-error');
  const error = (await errorBox.count()) > 0 ? await errorBox.first().textContent() : null;
  if (error && choice === 'share') throw new StepFailure(`the app could not pay payment ${reference}: ${error.trim()}`);
  return pressedAt;
}
