/**
 * In person ("pay in the taxi / at the table", seed 003): a printed merchant-redirect QR opens
 * the bill page; the driver or waiter types the amount and the customer's phone number; the
 * payment is pushed to that phone (PUSH_MESSAGE) asking to share the phone number. No redirect
 * ever comes back, so polling and webhooks are the only news. Once the payment is AUTHORIZED
 * with a profile `sub`, Userinfo tells us the customer's number, and we keep it for next time.
 * The customer-facing screen (POS) shows a one-time payment QR instead (userFlow QR).
 */
import { randomBytes } from 'node:crypto';
import type { Faults, MerchantConfig } from './config.ts';
import type { Order } from './orders.ts';
import { ShopError, type Shop } from './shop.ts';
import type { Logger } from './vipps/client.ts';
import type { Receipt } from './vipps/epayment.ts';
import { staffMessage, VippsApiError } from './vipps/errors.ts';
import type { MerchantRedirectQr, QrApi } from './vipps/qr.ts';
import type { UserinfoApi } from './vipps/userinfo.ts';

/** Merchant-redirect QR ids (qr-v1.yaml allows more; we keep to URL-safe ones). */
export const QR_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** An MSISDN as the ePayment API wants it: country code and number, 10–15 digits. */
const MSISDN = /^\d{10,15}$/;
const COUNTRY_CODE: Record<string, string> = { NOK: '47', DKK: '45', EUR: '358' };
export const NO_SHARED_PHONE = 'no shared phone number for this customer';

export class InPerson {
  /** Phone numbers customers shared with us, by customer (the reference of their first order). */
  private readonly keptPhones = new Map<string, string>();
  /** `qr-session-url` fault only: the session ids baked into QR codes. */
  readonly qrSessions = new Set<string>();

  constructor(
    private readonly config: MerchantConfig,
    private readonly faults: Faults,
    private readonly shop: Shop,
    private readonly qr: QrApi,
    private readonly userinfo: UserinfoApi,
    private readonly publicUrl: () => string,
    private readonly track: (work: Promise<unknown>) => void,
    private readonly log: Logger,
  ) {
    shop.onUpdate((order) => this.onUpdate(order));
  }

  /** "4791234567", "+47 912 34 567" or "91234567" (local, country from the currency) ⇒ MSISDN. */
  normalizePhone(text: string): string {
    let digits = text.replace(/[\s().-]/g, '').replace(/^\+/, '').replace(/^00/, '');
    if (/^\d{8}$/.test(digits)) digits = COUNTRY_CODE[this.config.currency] + digits;
    if (!MSISDN.test(digits)) throw new ShopError('The phone number must have a country code and 10–15 digits, e.g. 4791234567.', 400, 'Please enter a valid phone number, e.g. +47 912 34 567.');
    return digits;
  }

  /** Create the merchant-redirect QR for `qrId`, or point the existing one at our bill page. */
  async merchantRedirectQr(qrId: string): Promise<{ qr: MerchantRedirectQr; action: 'created' | 'updated'; sessionId?: string }> {
    if (!QR_ID.test(qrId)) throw new ShopError('A QR id is 1–128 letters, digits, "-" or "_".', 400);
    // Stateless: whoever scans it, whenever, in whatever browser, must reach the bill.
    let redirectUrl = `${this.publicUrl()}/bill/${encodeURIComponent(qrId)}`;
    let sessionId: string | undefined;
    if (this.faults.has('qr-session-url')) {
      sessionId = randomBytes(12).toString('hex');
      this.qrSessions.add(sessionId);
      redirectUrl += `?session=${sessionId}`;
    }
    try {
      try {
        return { qr: await this.qr.create(qrId, redirectUrl), action: 'created', sessionId };
      } catch (err) {
        // The code is printed already: keep it, change where it points.
        if (err instanceof VippsApiError && err.status === 409) return { qr: await this.qr.update(qrId, redirectUrl), action: 'updated', sessionId };
        throw err;
      }
    } catch (err) {
      if (err instanceof ShopError) throw err;
      throw new ShopError(staffMessage(err), err instanceof VippsApiError && err.status && err.status < 500 ? 422 : 502, undefined, err);
    }
  }

  /** A payment pushed to the customer's phone, asking to share the phone number. */
  async pushPayment(input: { amount: number; description: string; phoneNumber: string; customerId?: string }): Promise<Order> {
    const phoneNumber = this.normalizePhone(input.phoneNumber);
    const order = await this.shop.checkout({
      amount: input.amount,
      description: input.description,
      customerId: input.customerId,
      flow: {
        userFlow: 'PUSH_MESSAGE',
        customer: { phoneNumber },
        // Ask only when we do not know the number from an earlier consent already.
        profile: input.customerId && this.keptPhones.has(input.customerId) ? undefined : { scope: 'phoneNumber' },
        customerInteraction: 'CUSTOMER_PRESENT',
        receipt: this.receipt(input.amount, input.description),
      },
    });
    order.customerId ??= order.reference;
    // The fault: the typed number is kept whether or not the customer ever consents.
    if (this.faults.has('phone-without-consent')) this.keptPhones.set(order.customerId, phoneNumber);
    return order;
  }

  /** The next payment for a returning customer: to the number they shared, and only then. */
  async returningPush(input: { amount: number; description: string; previousReference: string }): Promise<Order> {
    const previous = this.shop.orders.get(input.previousReference);
    if (!previous) throw new ShopError('No such order.', 404);
    const customerId = previous.customerId ?? previous.reference;
    const phoneNumber = this.keptPhones.get(customerId);
    if (!phoneNumber) throw new ShopError(NO_SHARED_PHONE, 409);
    return this.pushPayment({ amount: input.amount, description: input.description, phoneNumber, customerId });
  }

  /** A one-time payment QR for the customer-facing screen; `redirectUrl` is the image. */
  async qrPayment(input: { amount: number; description: string }): Promise<Order> {
    return this.shop.checkout({
      amount: input.amount,
      description: input.description,
      flow: { userFlow: 'QR', qrFormat: { format: 'IMAGE/SVG+XML' }, customerInteraction: 'CUSTOMER_PRESENT', receipt: this.receipt(input.amount, input.description) },
    });
  }

  /** Whether the customer of this order has a phone number kept with us. */
  hasSharedPhone(order: Order): boolean {
    return order.customerId !== undefined && this.keptPhones.has(order.customerId);
  }

  /**
   * One order line at 15 % VAT (food and drink; whatever is sold, the arithmetic is what counts):
   * excl. + tax = total, tax = 15 % of excl. within an øre, lines add up to the amount.
   */
  private receipt(amount: number, description: string): Receipt {
    // The fault: a 100 øre service fee is left off the lines, so they no longer add up.
    const total = this.faults.has('receipt-lines-mismatch') ? Math.max(1, amount - 100) : amount;
    const excl = Math.round(total / 1.15);
    const receiptNumber = `R${Date.now().toString(36)}`;
    return {
      orderLines: [
        {
          name: (description.trim() || 'Order').slice(0, 100),
          id: `${receiptNumber}-1`,
          totalAmount: total,
          totalAmountExcludingTax: excl,
          totalTaxAmount: total - excl,
          taxRate: 1500,
          unitInfo: { unitPrice: total, quantity: '1', quantityUnit: 'PCS' },
        },
      ],
      bottomLine: { currency: this.config.currency, receiptNumber },
    };
  }

  /** AUTHORIZED with a profile `sub` ⇒ read the shared phone number, once per order. */
  private onUpdate(order: Order): void {
    if (order.userFlow !== 'PUSH_MESSAGE' || order.payment?.state !== 'AUTHORIZED' || order.userinfoRead) return;
    const customerId = order.customerId ?? order.reference;
    if (this.faults.has('scope-without-userinfo')) {
      // The fault: asks for the scope, never reads it, trusts what was typed.
      order.userinfoRead = true;
      if (order.phoneNumber) this.keptPhones.set(customerId, order.phoneNumber);
      return;
    }
    const sub = order.payment.profile?.sub;
    if (!sub) return; // no consent asked or none given: nothing to keep
    order.userinfoRead = true;
    this.track(
      this.userinfo.get(sub).then(
        (claims) => {
          if (typeof claims.phone_number !== 'string') return this.shop.note(order, 'poll', 'Userinfo had no phone number');
          // Userinfo may answer "+4791234567"; the ePayment API wants digits only.
          this.keptPhones.set(customerId, claims.phone_number.replace(/\D/g, ''));
          this.shop.note(order, 'poll', 'phone number shared by the customer (Userinfo)');
        },
        (err) => {
          order.userinfoRead = false; // try again on the next update
          this.shop.recordProblem(order, 'getUserinfo', err);
          this.log.warn({ reference: order.reference, err: String(err) }, 'could not read Userinfo');
        },
      ),
    );
  }
}
