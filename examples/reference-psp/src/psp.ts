/**
 * The PSP's business side: it creates card-passthrough payments for its merchant, keeps them
 * current from Vipps (GET payment after a webhook, on a poll, when a page is opened), and
 * reports to ePayment what it really did at its acquirer: capture when it charged, refund when
 * it paid back, cancel when it released a reservation — and cancel when a card-callback answer
 * never reached Vipps (README "Timeouts").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SerialQueue } from './shared/serial.ts';
import { AcquirerStub } from './acquirer.ts';
import type { PspConfig } from './config.ts';
import { PaymentStore, statusOf, type Attempt, type Operation, type Payment } from './payments.ts';
import { amountOf, PspError } from './shared/http.ts';
import { VippsError } from './vipps/client.ts';

export { PspError };
import { ALLOWED_CARD_TYPES, type CreateRequest, type EpaymentApi, type VippsEvent } from './vipps/epayment.ts';

/** With reuse-psp-reference every payment carries this one. */
const FIXED_PSP_REFERENCE = 'refpsp-0000000000000001';

export class Psp {
  readonly store = new PaymentStore();
  readonly acquirer = new AcquirerStub();
  private readonly queue = new SerialQueue();

  constructor(
    readonly config: PspConfig,
    private readonly epayment: EpaymentApi,
    readonly log: (line: string) => void = () => {},
  ) {}

  get cardCallbackUrl(): string {
    return `${this.config.publicUrl}/card-callback`;
  }

  async createPayment(input: { amount: unknown; description?: unknown }): Promise<Payment> {
    const amount = Number(input.amount);
    if (!Number.isInteger(amount) || amount <= 0) throw new PspError(400, 'amount must be a positive integer (øre)');
    const description = typeof input.description === 'string' && input.description.trim() ? input.description.trim().slice(0, 100) : 'Card payment';
    const reference = `refpsp-${randomUUID()}`;
    // reuse-psp-reference: first the same pspReference every time; when Vipps refuses it as a
    // duplicate, a fresh one (the PSP recovers, but its creates broke the uniqueness rule).
    let pspReference = this.config.faults.has('reuse-psp-reference') ? FIXED_PSP_REFERENCE : `psp-${randomUUID()}`;
    const p: Payment = {
      reference,
      pspReference,
      callbackAuth: `RefPsp ${randomBytes(24).toString('base64url')}`,
      amount,
      currency: 'NOK',
      description,
      createdAt: Date.now(),
      attempts: [],
      threeDS: {},
      ledger: { captured: 0, refunded: 0, cancelled: 0 },
      operations: [],
      notifications: [],
    };
    let idempotencyKey = randomUUID();
    const body = (): CreateRequest => ({
          amount: { currency: p.currency, value: amount },
          paymentMethod: { type: 'CARD_PASSTHROUGH' },
          cardPassthrough: {
            pspReference,
            cardCallbackUrl: this.cardCallbackUrl,
            cardCallbackAuthHeader: p.callbackAuth,
            allowedCardTypes: [...ALLOWED_CARD_TYPES],
            preferVisaPartOfVisaDankort: false,
          },
          reference,
          userFlow: 'WEB_REDIRECT',
          returnUrl: `${this.config.publicUrl}/return?payment=${encodeURIComponent(reference)}`,
          paymentDescription: description,
        });
    try {
      let answer;
      try {
        answer = await this.epayment.create(body(), idempotencyKey);
      } catch (err) {
        if (!(err instanceof VippsError && err.status === 409 && pspReference === FIXED_PSP_REFERENCE)) throw err;
        pspReference = p.pspReference = `psp-${randomUUID()}`;
        idempotencyKey = randomUUID();
        answer = await this.epayment.create(body(), idempotencyKey);
      }
      p.redirectUrl = answer.body.redirectUrl;
      p.vippsState = 'CREATED';
    } catch (err) {
      this.log(`refpsp: create ${reference} failed: ${(err as Error).message}`);
      throw new PspError(502, `Vipps refused the payment: ${(err as Error).message}`);
    }
    p.operations.push({ op: 'create', amount, idempotencyKey, at: new Date().toISOString(), ok: true });
    this.store.add(p);
    return p;
  }

  must(reference: string): Payment {
    const p = this.store.get(reference);
    if (!p) throw new PspError(404, `no payment ${reference}`);
    return p;
  }

  /** Operations on one payment run one at a time. */
  private serial<T>(reference: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(reference, fn);
  }

  /** Re-read the payment at Vipps (never trusting a webhook body). */
  async sync(reference: string): Promise<Payment> {
    const p = this.must(reference);
    try {
      const answer = await this.epayment.get(reference);
      p.vippsState = answer.body.state;
      p.lastSyncAt = new Date().toISOString();
      if (p.vippsState === 'AUTHORIZED' && !p.reservation && !p.failure) {
        this.log(`refpsp: ${reference} is AUTHORIZED at Vipps without a reservation at the acquirer`);
      }
    } catch (err) {
      this.log(`refpsp: get ${reference} failed: ${(err as Error).message}`);
      return p;
    }
    await this.reconcile(p);
    return p;
  }

  /**
   * The PSP reserved the card but Vipps does not show it: the payment ended otherwise at Vipps
   * (aborted, expired, terminated), or is still CREATED well after the RESERVE answer — the answer
   * evidently never counted. Same outcome as a timeout: release and report the cancel.
   */
  private async reconcile(p: Payment): Promise<void> {
    if (!p.reservation || p.failure || p.vippsState === 'AUTHORIZED' || p.vippsState === undefined) return;
    const attempt = p.attempts.find((a) => a.outcome === 'reserved');
    if (!attempt) return;
    const late = Date.now() - Date.parse(attempt.at) > this.config.reserveConfirmMs;
    if (p.vippsState !== 'CREATED' || late) {
      await this.reportUnknownOutcome(p, attempt, `Vipps shows the payment ${p.vippsState} although the card was reserved`);
    }
  }

  /** The payment's event log at Vipps (admin page). */
  async events(reference: string): Promise<VippsEvent[]> {
    return (await this.epayment.events(reference)).body;
  }

  capture(reference: string, rawAmount?: unknown): Promise<Payment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      if (!p.reservation || p.failure) throw new PspError(409, `payment is ${statusOf(p)}: nothing reserved to capture`);
      const left = this.acquirer.remaining(p.reservation);
      if (left === 0) throw new PspError(409, `payment is ${statusOf(p)}: nothing reserved left to capture`);
      const amount = amountOf(rawAmount, left);
      if (amount > left) throw new PspError(409, `cannot capture ${amount}: ${left} reserved`);
      await this.report(p, 'capture', amount, (key) => this.epayment.capture(reference, { currency: p.currency, value: amount }, key));
      this.acquirer.capture(p.reservation, amount);
      p.ledger.captured += amount;
      return p;
    });
  }

  refund(reference: string, rawAmount?: unknown): Promise<Payment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      const left = p.ledger.captured - p.ledger.refunded;
      if (!p.reservation || left <= 0) throw new PspError(409, `payment is ${statusOf(p)}: nothing captured to refund`);
      const amount = amountOf(rawAmount, left);
      if (amount > left) throw new PspError(409, `cannot refund ${amount}: ${left} captured and not refunded`);
      await this.report(p, 'refund', amount, (key) => this.epayment.refund(reference, { currency: p.currency, value: amount }, key));
      this.acquirer.refund(p.reservation, amount);
      p.ledger.refunded += amount;
      return p;
    });
  }

  /** Release what is reserved (or stop a payment not yet authorised) and report the cancel. */
  cancel(reference: string): Promise<Payment> {
    return this.serial(reference, async () => {
      const p = this.must(reference);
      const status = statusOf(p);
      if (['cancelled', 'expired', 'failed', 'refunded', 'part-refunded'].includes(status)) throw new PspError(409, `payment is ${status}: nothing to cancel`);
      const left = p.reservation ? this.acquirer.remaining(p.reservation) : 0;
      if (p.reservation && left === 0) throw new PspError(409, `payment is ${status}: nothing reserved to release`);
      await this.report(p, 'cancel', left || undefined, (key) => this.epayment.cancel(reference, key));
      if (p.reservation) p.ledger.cancelled += this.acquirer.release(p.reservation);
      else await this.sync(reference);
      return p;
    });
  }

  private async report(p: Payment, op: Operation['op'], amount: number | undefined, call: (key: string) => Promise<unknown>): Promise<void> {
    const idempotencyKey = randomUUID();
    const entry: Operation = { op, amount, idempotencyKey, at: new Date().toISOString(), ok: false };
    p.operations.push(entry);
    try {
      await call(idempotencyKey);
      entry.ok = true;
    } catch (err) {
      entry.detail = (err as Error).message;
      this.log(`refpsp: ${op} ${p.reference} failed: ${entry.detail}`);
      const status = err instanceof VippsError && err.status >= 400 && err.status < 500 ? 409 : 502;
      throw new PspError(status, `Vipps refused the ${op}: ${entry.detail}`);
    }
  }

  /**
   * The answer to a card callback did not reach Vipps (connection closed first: Vipps timed out)
   * or was an error answer: Vipps does not know whether the card was charged. The PSP's choice:
   * release the reservation and cancel the payment at Vipps, so Vipps' payment is patched to
   * "not reserved" and the customer is not charged for a payment they were told failed.
   */
  async reportUnknownOutcome(p: Payment, attempt: Attempt, why: string): Promise<void> {
    if (this.config.faults.has('no-report-after-timeout')) {
      this.log(`refpsp: ${p.reference}: ${why}; fault no-report-after-timeout: reporting nothing`);
      return;
    }
    await this.serial(p.reference, async () => {
      if (p.failure) return;
      p.failure = `${why} (attempt ${attempt.authorizationAttemptId}): reservation released, payment cancelled at Vipps`;
      if (p.reservation) p.ledger.cancelled += this.acquirer.release(p.reservation);
      this.log(`refpsp: ${p.reference}: ${p.failure}`);
      try {
        await this.report(p, 'cancel', undefined, (key) => this.epayment.cancel(p.reference, key));
      } catch {
        /* logged in report(); the admin page shows the failed operation */
      }
    });
    await this.sync(p.reference);
  }
}
