import type { Page } from 'playwright-core';
import { pageText } from './page-text.ts';

/** How the customer decides a payment without a browser (the API driver, over the sandbox control API). */
export interface CustomerControl {
  decide(action: 'approve' | 'reject', reference: string, body?: Record<string, unknown>): Promise<void>;
}

export interface CustomerActionOptions {
  msn: string;
  reference: string;
  /** The landing page URL (the payment's redirectUrl), for `via: landing`. */
  landingUrl?: string;
  /** The payment's returnUrl: where Vipps sends the browser after approve/reject. */
  returnUrl?: string;
  redirect: boolean;
  phoneNumber?: string;
  timeoutMs: number;
}

export interface CustomerOutcome {
  /** The URL the browser ended on (landing flows). */
  finalUrl?: string;
  /** What the landing page showed after the action (result text). */
  pageText?: string;
  declined?: string;
}

/**
 * The simulated Vipps MobilePay user: acts on the sandbox landing page in a real browser
 * (approve / reject / leave), or through the sandbox control API when no browser is involved
 * (the app user who approves on their phone and never comes back).
 */
export class CustomerActor {
  constructor(private readonly control: CustomerControl) {}

  async viaControl(action: 'approve' | 'reject', o: CustomerActionOptions): Promise<CustomerOutcome> {
    await this.control.decide(action, o.reference, action === 'approve' && o.phoneNumber ? { phoneNumber: o.phoneNumber } : {});
    return {};
  }

  async viaLanding(action: 'approve' | 'reject', page: Page, o: CustomerActionOptions): Promise<CustomerOutcome> {
    if (!o.landingUrl) throw new Error(`payment ${o.reference} has no landing page URL (userFlow without redirectUrl?)`);
    if (!isSameDocument(page.url(), o.landingUrl)) await page.goto(o.landingUrl, { waitUntil: 'domcontentloaded', timeout: o.timeoutMs });
    const button = page.getByTestId(action === 'approve' ? 'approve-button' : 'reject-button');
    await button.waitFor({ state: 'visible', timeout: o.timeoutMs });
    if (o.phoneNumber) await page.getByTestId('landing-phone').fill(o.phoneNumber, { timeout: o.timeoutMs });
    if (!o.redirect) await page.getByTestId('landing-stay').check({ timeout: o.timeoutMs });
    // Staying on the landing page (redirect: false) navigates nowhere: no navigation is fine.
    const navigation = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: o.timeoutMs }).catch(() => undefined);
    await button.click({ timeout: o.timeoutMs });
    await navigation;
    // The error box exists only when the payment was declined: read it without waiting for it (a
    // page still moving on to the return URL has none).
    const errorBox = page.getByTestId('landing-error');
    const error = (await errorBox.count().catch(() => 0)) > 0 ? await errorBox.first().textContent({ timeout: 1000 }).catch(() => null) : null;
    if (error) return { finalUrl: page.url(), declined: error.trim() };
    if (o.redirect && o.returnUrl && !page.url().startsWith(o.returnUrl.split('#')[0])) {
      await page.waitForURL((u) => u.href.startsWith(o.returnUrl!.split('#')[0]), { timeout: o.timeoutMs, waitUntil: 'domcontentloaded' });
    }
    // The result text is evidence only; a page between documents has none yet.
    const text = await pageText(page, o.timeoutMs);
    return { finalUrl: page.url(), pageText: text };
  }
}

function isSameDocument(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname === y.pathname && x.search === y.search;
  } catch {
    return false;
  }
}
