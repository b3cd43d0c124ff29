import { PSP_ENDED_STATES, PSP_MAGIC_AMOUNTS, type MakePaymentConfirmed, type PspApiVersion, type PspPaymentState } from '../../contract/psp-api.ts';
import { CustomerDeclinedError, type ApproveSource } from '../shared/directory.ts';
import { ExpiryQueue, type SchedulingClock } from '../shared/expiry.ts';
import { landingPageUrl, landingToken } from '../shared/landing-tokens.ts';
import { DEFAULT_TEST_PHONE_NUMBER, subForPhoneNumber } from '../shared/test-customer.ts';
import { newCard, type CardChoice } from './card-data.ts';
import { invalidField, pspError, PspApiError, transactionNotFound } from './errors.ts';
import type { MakePaymentAttempt, PspPayment } from './types.ts';
import { validateForceApprove, type StatusUpdateInput } from './validation.ts';
import type { InitiateInput } from './types.ts';

/**
 * The PSP API state machine (vipps-facts §5). No HTTP: routes validate and authenticate, then call
 * these methods, which return the payment or throw a PspApiError. The customer's confirmation
 * waits for the PSP's makePayment answer (`deps.makePayment`): OK ⇒ RESERVED, FAIL / no valid
 * answer ⇒ FAILED, SOFT_DECLINE ⇒ still INITIATED until the PSP sends the customer back (the
 * re-send must be OK or FAIL). Cancel (CANCEL), timeout (TIMEOUT) and "could not complete" (NO)
 * end the payment at once and tell the PSP without waiting. `updatestatus` is applied at once
 * (the real test environment batches it nightly): U reserved, C captured, R refunded, X released:
 * capture C + new ≤ U − X; refund R + new ≤ C; cancel releases U − C − X (nothing refunded yet).
 */

export interface PspMachineDeps {
  clock: SchedulingClock;
  publicUrl(): string;
  customerTimeoutMs(): number;
  makePayment(p: PspPayment, round: MakePaymentAttempt['round'], confirmed: MakePaymentConfirmed, attemptId: string): Promise<MakePaymentAttempt>;
}

type Amounts = Pick<PspPayment, 'state' | 'amount' | 'reserved' | 'captured' | 'refunded' | 'cancelled'>;
const COUNTRY_CODE = '47';
const ended = (s: PspPaymentState) => (PSP_ENDED_STATES as readonly string[]).includes(s);

export class PspMachine {
  private readonly byPsp = new Map<string, PspPayment>();
  private readonly byMsn = new Map<string, PspPayment>();
  private readonly tokens = new Map<string, PspPayment>();
  private readonly orderIds = new Set<string>();
  private readonly expiries: ExpiryQueue<PspPayment>;
  /** Fire-and-forget makePayment calls (CANCEL/TIMEOUT/NO), awaited by close() and tests. */
  readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: PspMachineDeps) {
    this.expiries = new ExpiryQueue(deps.clock, (p) => this.touch(p));
  }

  get(msn: string, pspTransactionId: string): PspPayment | undefined {
    return this.touched(this.byMsn.get(`${msn}:${pspTransactionId}`));
  }

  /** A payment as the PSP API reaches it: its own PSP, the MSN it names, the version of the path. */
  require(version: PspApiVersion, pspId: string, msn: string, pspTransactionId: string): PspPayment {
    const p = this.touched(this.byPsp.get(`${pspId}:${pspTransactionId}`));
    if (!p || p.msn !== msn || p.version !== version) throw transactionNotFound(pspTransactionId, msn);
    return p;
  }

  byLandingToken(token: string): PspPayment | undefined {
    return this.touched(this.tokens.get(token));
  }

  list(filter: { version: PspApiVersion; msn?: string; state?: string }): PspPayment[] {
    return [...this.byPsp.values()].filter((p) => (this.touch(p), p.version === filter.version && (filter.msn === undefined || p.msn === filter.msn) && (filter.state === undefined || p.state === filter.state)));
  }

  // --- the PSP ----------------------------------------------------------------------------

  initiate(version: PspApiVersion, pspId: string, msn: string, input: InitiateInput): PspPayment {
    if (this.byPsp.has(`${pspId}:${input.pspTransactionId}`))
      throw version === 'v3' ? pspError('44', `PSP Transaction ID ${input.pspTransactionId} already exists.`, 'pspTransactionId') : pspError('99', undefined, 'pspTransactionId');
    if (this.orderIds.has(`${msn}:${input.merchantOrderId}`)) throw pspError('99', 'OrderId already exists', 'merchantOrderId');
    const now = this.deps.clock.now();
    const token = landingToken();
    const p: PspPayment = {
      ...input,
      version,
      pspId,
      msn,
      state: 'INITIATED',
      vippsRedirectUrl: landingPageUrl(this.deps.publicUrl(), token),
      landingToken: token,
      createdAt: now,
      expiresAt: now + this.deps.customerTimeoutMs(),
      changedAt: now,
      card: newCard(version, input.amount, now),
      reserved: 0,
      captured: 0,
      refunded: 0,
      cancelled: 0,
      makePayments: [],
      inFlight: false,
      failedAttempts: [],
      log: [],
    };
    this.byPsp.set(`${pspId}:${p.pspTransactionId}`, p);
    this.byMsn.set(`${msn}:${p.pspTransactionId}`, p);
    this.tokens.set(token, p);
    this.orderIds.add(`${msn}:${p.merchantOrderId}`);
    this.expiries.add(p);
    return p;
  }

  /** `updatestatus`: every transaction is checked first (on copies), then all are applied, or none. */
  updateStatus(version: PspApiVersion, pspId: string, msn: string, updates: StatusUpdateInput[]): PspPayment[] {
    const copies = new Map<PspPayment, Amounts>();
    updates.forEach((u, i) => {
      const p = this.require(version, pspId, msn, u.pspTransactionId);
      const copy = copies.get(p) ?? { state: p.state, amount: p.amount, reserved: p.reserved, captured: p.captured, refunded: p.refunded, cancelled: p.cancelled };
      applyUpdate(copy, u, `transactions[${i}]`);
      copies.set(p, copy);
    });
    const now = this.deps.clock.now();
    for (const u of updates) {
      const p = this.require(version, pspId, msn, u.pspTransactionId);
      const before = p.state;
      applyUpdate(p, u, '');
      if (p.state === 'CANCELLED' && before !== 'CANCELLED') p.cancelledBy = 'psp';
      if (p.state !== before) p.changedAt = now;
      p.log.push({ operation: u.status, amount: u.amount, operationSuccess: u.operationStatus === 'SUCCESS', paymentText: u.paymentText, at: now, by: 'psp' });
    }
    return [...copies.keys()];
  }

  /** v3 force approve (test only): as the customer confirming in the app, then the makePayment answer. */
  forceApprove(p: PspPayment, body: unknown): Promise<{ payment: PspPayment; attempt?: MakePaymentAttempt }> {
    const { customerPhoneNumber, token } = validateForceApprove(body);
    if (token !== p.landingToken) throw invalidField('token', 'The token is not the one of this payment’s vippsRedirectUrl.');
    if (p.customerMobileNumber !== undefined && p.customerMobileNumber !== customerPhoneNumber)
      throw invalidField('customerPhoneNumber', 'The payment was initiated for another customer.');
    return this.approve(p.msn, p.pspTransactionId, { phoneNumber: COUNTRY_CODE + customerPhoneNumber, source: 'force-approve' });
  }

  // --- the customer (landing page, control API, force approve) ----------------------------

  async approve(msn: string, id: string, options: { phoneNumber?: string; source: ApproveSource; card?: CardChoice }): Promise<{ payment: PspPayment; attempt?: MakePaymentAttempt }> {
    const p = this.requireOpen(msn, id, 'approved');
    if (p.pending3ds) throw new PspApiError('51', 'A 3-D Secure step-up is pending for this payment: the PSP sends the customer back to operations[].url.', undefined, 409);
    if (p.version === 'v3' && p.amount === PSP_MAGIC_AMOUNTS.cardNotEligible) {
      const reason = 'Card not eligible for a network token';
      p.failedAttempts.push({ at: this.deps.clock.now(), reason });
      throw new CustomerDeclinedError(p, reason, p.amount, 'declined', { status: 402, title: 'Card not eligible', detail: `${reason} (test amount ${p.amount}); no makePayment was sent. The payment is still INITIATED.`, code: String(p.amount) });
    }
    if (options.card?.number || options.card?.last4) p.card = newCard(p.version, p.amount, this.deps.clock.now(), options.card);
    p.approvedPhoneNumber = options.phoneNumber ?? (p.customerMobileNumber ? COUNTRY_CODE + p.customerMobileNumber : DEFAULT_TEST_PHONE_NUMBER);
    return this.call(p, 'first');
  }

  /** The PSP sent the customer back after 3-D Secure: makePayment again (same attempt id), which must be OK or FAIL. */
  async completeSoftDecline(msn: string, id: string, attemptId?: string): Promise<{ payment: PspPayment; attempt?: MakePaymentAttempt }> {
    const p = this.requireOpen(msn, id, 'completed');
    if (!p.pending3ds) throw new PspApiError('51', 'No 3-D Secure step-up is pending for this payment.', undefined, 409);
    if (attemptId !== undefined && attemptId !== p.pending3ds.attemptId) throw new PspApiError('51', `Attempt ${attemptId} is not the pending one.`, undefined, 409);
    return this.call(p, '3ds-completion');
  }

  reject(msn: string, id: string): PspPayment {
    const p = this.requireOpen(msn, id, 'cancelled');
    p.cancelledBy = 'customer';
    p.log.push({ operation: 'CANCELLED', amount: p.amount, operationSuccess: true, paymentText: p.paymentText, at: this.deps.clock.now(), by: 'vipps' });
    return this.end(p, 'CANCELLED', 'CANCEL');
  }

  expire(msn: string, id: string): PspPayment {
    return this.timeOut(this.requireOpen(msn, id, 'expired'));
  }

  /** The customer could not complete in the app (no usable card…): makePayment with NO, the payment FAILED. */
  fail(msn: string, id: string, reason: string): PspPayment {
    const p = this.requireOpen(msn, id, 'declined');
    p.failure = { reason };
    p.log.push({ operation: 'RESERVED', amount: p.amount, operationSuccess: false, paymentText: p.paymentText, at: this.deps.clock.now(), by: 'vipps' });
    return this.end(p, 'FAILED', 'NO');
  }

  /** Resolves once every fire-and-forget makePayment has been answered (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // --- internals ---------------------------------------------------------------------------

  private async call(p: PspPayment, round: MakePaymentAttempt['round']): Promise<{ payment: PspPayment; attempt: MakePaymentAttempt }> {
    const attemptId = round === 'first' ? `mp-${p.pspTransactionId}-${p.makePayments.length + 1}` : p.pending3ds!.attemptId;
    p.inFlight = true;
    let attempt: MakePaymentAttempt;
    try {
      attempt = await this.deps.makePayment(p, round, 'YES', attemptId);
    } finally {
      p.inFlight = false;
    }
    p.makePayments.push(attempt);
    p.pending3ds = undefined;
    const now = this.deps.clock.now();
    if (attempt.outcome === 'ok') {
      p.reserved = p.amount;
      p.reservedAt = now;
      p.sub = subForPhoneNumber(p.approvedPhoneNumber!);
      p.log.push({ operation: 'RESERVED', amount: p.amount, operationSuccess: true, paymentText: p.paymentText, at: now, by: 'vipps' });
      this.moveTo(p, 'RESERVED');
    } else if (attempt.outcome === 'soft-decline') {
      p.pending3ds = { attemptId, url3dSecure: attempt.url3dSecure! };
      this.expiries.add(p);
    } else {
      const reason = attempt.outcome === 'fail' ? `makePayment FAIL${attempt.errorId !== undefined ? ` (errorId ${attempt.errorId})` : ''}` : `makePayment ${attempt.outcome}: ${attempt.problem ?? ''}`.trim();
      p.failure = { reason, ...(attempt.errorId !== undefined ? { errorId: attempt.errorId } : {}) };
      p.log.push({ operation: 'RESERVED', amount: p.amount, operationSuccess: false, paymentText: p.paymentText, at: now, by: 'vipps' });
      this.moveTo(p, 'FAILED');
    }
    return { payment: p, attempt };
  }

  private timeOut(p: PspPayment): PspPayment {
    p.pending3ds = undefined;
    p.log.push({ operation: 'RESERVED', amount: p.amount, operationSuccess: false, paymentText: p.paymentText, at: this.deps.clock.now(), by: 'vipps' });
    return this.end(p, 'EXPIRED', 'TIMEOUT');
  }

  /** End the payment and tell the PSP (not awaited; its answer is recorded on the payment and in the traffic log). */
  private end(p: PspPayment, state: PspPaymentState, confirmed: MakePaymentConfirmed): PspPayment {
    this.moveTo(p, state);
    const attemptId = `mp-${p.pspTransactionId}-${p.makePayments.length + 1}`;
    const call = this.deps
      .makePayment(p, 'first', confirmed, attemptId)
      .then((a) => void p.makePayments.push(a))
      .finally(() => this.pending.delete(call));
    this.pending.add(call);
    return p;
  }

  private touch(p: PspPayment): void {
    if (p.state === 'INITIATED' && !p.inFlight && this.deps.clock.now() >= p.expiresAt) this.timeOut(p);
  }

  private touched(p: PspPayment | undefined): PspPayment | undefined {
    if (p) this.touch(p);
    return p;
  }

  private moveTo(p: PspPayment, state: PspPaymentState): void {
    p.state = state;
    p.changedAt = this.deps.clock.now();
  }

  private requireOpen(msn: string, id: string, what: string): PspPayment {
    const p = this.get(msn, id);
    if (!p) throw transactionNotFound(id, msn);
    if (p.state !== 'INITIATED') throw new PspApiError('51', `The payment is ${p.state}; only an INITIATED payment can be ${what}.`, undefined, 409);
    if (p.inFlight) throw new PspApiError('51', 'A makePayment call for this payment is in progress.', undefined, 409);
    return p;
  }
}

/** One `updatestatus` transaction against a payment's amounts (a copy first, then the payment). */
function applyUpdate(s: Amounts, u: StatusUpdateInput, at: string): void {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const refuse = (message: string, name = 'status') => {
    throw invalidField(field(name), message);
  };
  if (s.state === 'INITIATED') refuse(`Payment ${u.pspTransactionId} is not reserved: the PSP never answered its makePayment with OK.`);
  if (ended(s.state) && u.operationStatus === 'SUCCESS') refuse(`Payment ${u.pspTransactionId} is ${s.state}: nothing can change any more.`);
  if (u.operationStatus === 'FAILED') return; // a failed operation is logged, the amounts stay
  const remaining = s.reserved - s.captured - s.cancelled;
  switch (u.status) {
    case 'RESERVED':
      if (u.amount !== s.reserved) refuse(`RESERVED ${u.amount} is not the reserved amount ${s.reserved}.`, 'amount');
      return;
    case 'CAPTURED':
      if (u.amount <= 0 || u.amount > remaining) refuse(`Captured amount ${u.amount} must be more than 0 and at most the ${remaining} left to capture.`, 'amount');
      s.captured += u.amount;
      s.state = 'CAPTURED';
      return;
    case 'REFUNDED': {
      const refundable = s.captured - s.refunded;
      if (u.amount <= 0 || u.amount > refundable) refuse(`Refunded amount ${u.amount} must be more than 0 and at most the ${refundable} captured and not refunded.`, 'amount');
      s.refunded += u.amount;
      s.state = 'REFUNDED';
      return;
    }
    case 'CANCELLED':
      if (remaining <= 0 || s.refunded > 0) refuse(`Nothing left to cancel on payment ${u.pspTransactionId} (${s.captured} captured, ${s.refunded} refunded).`);
      if (u.amount > remaining) refuse(`Cancelled amount ${u.amount} exceeds the ${remaining} left of the reservation.`, 'amount');
      s.cancelled += remaining;
      if (s.captured === 0) s.state = 'CANCELLED';
  }
}
