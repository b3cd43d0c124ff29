import type { ControlPayment } from '../control.ts';

/** A payment as a step sees it, whatever the API (the control API's view). */
export type PaymentView = ControlPayment;

export type Modification = 'capture' | 'refund' | 'cancel';

/** What an `expect.payment` step waits for: a state and/or amounts by aggregate key. */
export type PaymentWant = Record<string, unknown>;

/**
 * What a step needs that depends on the API under test: how to read a payment and act as its
 * customer through the sandbox control API, how a landing page names its payment, the amounts a
 * merchant modification defaults to, and how to match and describe a payment for expectations.
 * A suite's `api` picks the driver (drivers/index.ts).
 */
export interface ApiDriver {
  readonly api: string;
  /** The payment the sandbox holds for the flow's merchant; an EnvironmentProblem if it cannot answer. */
  payment(reference: string): Promise<PaymentView>;
  /** Like `payment`, but `undefined` when the sandbox has no such payment (and only then). */
  findPayment(reference: string): Promise<PaymentView | undefined>;
  /** The payment whose landing page one of these URLs (the page's and its frames') shows, if any. */
  paymentOnLandingPage(urls: readonly string[]): Promise<PaymentView | undefined>;
  /** The customer (or the clock) decides the payment through the control API. */
  decide(action: 'approve' | 'reject' | 'expire', reference: string, body?: Record<string, unknown>): Promise<void>;
  /** The amount a modification defaults to when the step names none (undefined: the action takes none). */
  defaultAmount(action: Modification, payment: PaymentView, orderAmount: number): number | undefined;
  /** What `expect.payment` args ask for, in the API's terms. */
  wantOf(args: Record<string, unknown>): PaymentWant;
  matches(payment: PaymentView | undefined, want: PaymentWant): boolean;
  /** "<state> with <amounts>", for a failed expectation's message. */
  describe(payment: PaymentView | undefined): string;
}
