/**
 * The PSP API mode's business side: it initiates payments for its merchant
 * (`POST /psp/{v2|v3}/psppayments/init`), decides them in its makePayment answers
 * (make-payment.ts), and for every capture, refund and cancel it first moves the money at its
 * acquirer stub and then reports it with `updatestatus` (CAPTURED / REFUNDED / CANCELLED with the
 * amount), reading `GET …/details` afterwards to confirm Vipps has it.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { SerialQueue } from '../shared/serial.ts';
import { AcquirerStub } from '../acquirer.ts';
import { amountOf, PspError } from '../shared/http.ts';
import { VippsError } from '../vipps/client.ts';
import type { CardDataKey } from './card-data.ts';
import type { PspApiConfig } from './config.ts';
import { ApiPaymentStore, remaining, statusOf, type ApiPayment, type StatusReport } from './payments.ts';
import type { PspApi, StatusUpdate } from './vipps.ts';

/** With reuse-transaction-id every payment carries this one. */
export const FIXED_PSP_TRANSACTION_ID = 'rp0000000000000000000000000001';

export const MAKE_PAYMENT_PATH = '/make-payment';

export class PspApiPsp {
  readonly store = new ApiPaymentStore();
  readonly acquirer = new AcquirerStub();
  private readonly queue = new SerialQueue();
  private wrongKeyValue: KeyObject | undefined;

  constructor(
    readonly config: PspApiConfig,
    readonly key: CardDataKey,
    private readonly api: PspApi,
    readonly log: (line: string) => void = () => {},
  ) {}

  /** A private key that is not the served key's (the ok-without-decrypt fault decrypts with it). */
  get wrongKey(): KeyObject {
    return (this.wrongKeyValue ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  }

  status(p: ApiPayment) {
    return statusOf(p, this.config.faults.has('redirect-reliance'));
  }

  async createPayment(input: { amount?: unknown; description?: unknown }): Promise<ApiPayment> {
    const amount = Number(input.amount);
    if (!Number.isInteger(amount) || amount <= 0) throw new PspError(400, 'amount must be a positive integer (øre)');
    const description = typeof input.description === 'string' && input.description.trim() ? input.description.trim().slice(0, 100) : 'Card payment';
    // [a-z0-9], 30 characters: within v2's older 30 and the later 36.
    // reuse-transaction-id: first the same pspTransactionId every time; when Vipps refuses it as a
    // duplicate, a fresh one (the PSP recovers, but its inits broke the uniqueness rule).
    const fresh = () => `rp${randomBytes(14).toString('hex')}`;
    const reference = this.config.faults.has('reuse-transaction-id') ? FIXED_PSP_TRANSACTION_ID : fresh();
    const p: ApiPayment = {
      reference,
      merchantOrderId: `order-${randomBytes(10).toString('hex')}`,
      amount,
      currency: 'NOK',
      description,
      makePaymentToken: randomBytes(32).toString('base64url'),
      createdAt: Date.now(),
      ledger: { captured: 0, refunded: 0, cancelled: 0 },
      calls: [],
      reports: [],
      details: [],
    };
    const init = () =>
      this.api.init({
        pspTransactionId: p.reference,
        merchantOrderId: p.merchantOrderId,
        amount,
        currency: 'NOK',
        pspRedirectUrl: `${this.config.publicUrl}/return?payment=${encodeURIComponent(p.reference)}`,
        makePaymentUrl: `${this.config.publicUrl}${MAKE_PAYMENT_PATH}`,
        makePaymentToken: p.makePaymentToken,
        paymentText: description,
      });
    try {
      let answer;
      try {
        answer = await init();
      } catch (err) {
        if (p.reference !== FIXED_PSP_TRANSACTION_ID) throw err;
        this.log(`refpsp-api: init with the reused ${p.reference} refused; retrying with a fresh pspTransactionId`);
        p.reference = fresh();
        answer = await init();
      }
      p.redirectUrl = answer.body.vippsRedirectUrl;
    } catch (err) {
      this.log(`refpsp-api: init ${reference} failed: ${(err as Error).message}`);
      throw new PspError(502, `Vipps refused the payment: ${(err as Error).message}`);
    }
    this.store.add(p);
    return p;
  }

  must(reference: string): ApiPayment {
    const p = this.store.get(reference);
    if (!p) throw new PspError(404, `no payment ${reference}`);
    return p;
  }

  /** Operations on one payment run one at a time. */
  private serial<T>(reference: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(reference, fn);
  }

  capture(reference: string, rawAmount?: unknown): Promise<ApiPayment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      const left = remaining(p);
      if (left === 0 || this.status(p) === 'initiated') throw new PspError(409, `payment is ${this.status(p)}: nothing reserved to capture`);
      const amount = amountOf(rawAmount, left);
      if (amount > left) throw new PspError(409, `cannot capture ${amount}: ${left} reserved`);
      if (p.reservation) this.acquirer.capture(p.reservation, amount);
      p.ledger.captured += amount;
      await this.report(p, { pspTransactionId: p.reference, status: 'CAPTURED', amount, currency: 'NOK', paymentText: p.description });
      return p;
    });
  }

  refund(reference: string, rawAmount?: unknown): Promise<ApiPayment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      const left = p.ledger.captured - p.ledger.refunded;
      if (left <= 0) throw new PspError(409, `payment is ${this.status(p)}: nothing captured to refund`);
      const amount = amountOf(rawAmount, left);
      if (amount > left) throw new PspError(409, `cannot refund ${amount}: ${left} captured and not refunded`);
      if (p.reservation) this.acquirer.refund(p.reservation, amount);
      p.ledger.refunded += amount;
      await this.report(p, { pspTransactionId: p.reference, status: 'REFUNDED', amount, currency: 'NOK', paymentText: p.description });
      return p;
    });
  }

  /** Release what is reserved and report CANCELLED; before makePayment, stop the payment (a later makePayment gets 85). */
  cancel(reference: string): Promise<ApiPayment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      const status = this.status(p);
      if (status === 'initiated' || status === '3ds-pending') {
        if (p.decided) throw new PspError(409, `payment is ${status} (waiting for the customer to reach pspRedirectUrl): nothing to cancel yet`);
        // Vipps' payment is still INITIATED, which updatestatus cannot change: the PSP's own record decides.
        p.cancelledBeforeMakePayment = true;
        return p;
      }
      const left = remaining(p);
      if (left === 0 || p.ledger.refunded > 0) throw new PspError(409, `payment is ${status}: nothing reserved to release`);
      const released = p.reservation ? this.acquirer.release(p.reservation) : left;
      p.ledger.cancelled += released;
      await this.report(p, { pspTransactionId: p.reference, status: 'CANCELLED', amount: released, currency: 'NOK', paymentText: p.description });
      return p;
    });
  }

  /** updatestatus for one operation the acquirer already did, then details to confirm it. */
  private async report(p: ApiPayment, update: StatusUpdate): Promise<void> {
    const entry: StatusReport = { at: new Date().toISOString(), status: update.status, amount: update.amount, sent: false, ok: false };
    p.reports.push(entry);
    if (this.config.faults.has('no-status-updates')) {
      entry.detail = 'not sent (fault no-status-updates)';
    } else {
      entry.sent = true;
      try {
        await this.api.updateStatus([update]);
        entry.ok = true;
      } catch (err) {
        entry.detail = (err as Error).message;
        this.log(`refpsp-api: updatestatus ${update.status} ${p.reference} failed: ${entry.detail}`);
      }
    }
    await this.readDetails(p, `${update.status} ${update.amount}`);
    if (entry.sent && !entry.ok) {
      const status = entry.detail && /HTTP 4\d\d/.test(entry.detail) ? 409 : 502;
      throw new PspError(status, `done at the acquirer, but Vipps refused the ${update.status} report: ${entry.detail}`);
    }
  }

  async readDetails(p: ApiPayment, after: string): Promise<void> {
    const at = new Date().toISOString();
    try {
      const { body } = await this.api.details(p.reference);
      const s = body.transactionSummary;
      const consistent = s !== undefined && s.capturedAmount === p.ledger.captured && s.refundedAmount === p.ledger.refunded;
      p.details.push({ at, after, details: body, consistent });
      if (!consistent) this.log(`refpsp-api: ${p.reference}: details after ${after} disagree with the PSP's amounts`);
    } catch (err) {
      const error = err instanceof VippsError ? err.message : `details failed: ${(err as Error).message}`;
      p.details.push({ at, after, error });
    }
  }
}
