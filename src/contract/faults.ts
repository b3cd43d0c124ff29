import { z } from 'zod';

/**
 * The fault language: what a fault is (selector + effect + times), as suites write it, the
 * control client sends it and the sandbox applies it (src/sandbox/faults.ts). Schemas and types
 * only. It lives in src/contract/, below the suite and the sandbox, because the suite layer sits
 * under the sandbox and may not import it; the sandbox owns the meaning, this file the words.
 *
 * A fault has a selector (which requests or payments it applies to) and an effect. Selectors let
 * parallel flows share one sandbox: a flow scopes its faults to its own MSN, reference or (before
 * a reference exists) the amount its checkout uses.
 */
export const FaultSelectorSchema = z.object({
  api: z.string().optional(),
  /** Spec operation names, e.g. `createPayment`, `capturePayment`, `getPayment`. */
  operation: z.union([z.string(), z.array(z.string())]).optional(),
  msn: z.string().optional(),
  reference: z.string().optional(),
  /** Matches the payment amount (create body, or the payment an operation touches). */
  amount: z.number().int().optional(),
});

const effects = z.discriminatedUnion('type', [
  /** Answer with an error instead of acting: problem details, or the gateway shape for 401/429. */
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(400).max(599),
    /** The API's error code: ePayment's extraDetails code (7010, 6090, 3010), eCom's errorCode (42, 61, 94). */
    code: z.union([z.string(), z.number()]).optional(),
    title: z.string().optional(),
    detail: z.string().optional(),
    /** Seconds for a Retry-After header (429/503). */
    retryAfter: z.number().int().nonnegative().optional(),
  }),
  /** Answer slowly (the effect still happens). */
  z.object({ type: z.literal('delay'), ms: z.number().int().nonnegative() }),
  /** Apply the effect, then drop the connection without an answer (the classic lost response). */
  z.object({ type: z.literal('drop-response') }),
  /** Accept the connection and never answer; the client's own timeout must end it. */
  z.object({ type: z.literal('hang') }),
  /**
   * GET payment keeps answering the state the payment had when it was created; with `ms`, only
   * for that long after each state change (the new state shows up late, as a lagging read model).
   */
  z.object({ type: z.literal('stale-read'), ms: z.number().int().positive().optional() }),
  /** Webhook deliveries for matching payments are never sent. */
  z.object({ type: z.literal('webhook-drop') }),
  /** Webhook deliveries are sent `ms` later (sandbox clock). */
  z.object({ type: z.literal('webhook-delay'), ms: z.number().int().nonnegative() }),
  /** Every webhook delivery is sent `copies` times. */
  z.object({ type: z.literal('webhook-duplicate'), copies: z.number().int().min(2).max(10).default(2) }),
  /** Each event is held back and delivered after the next event of the same payment. */
  z.object({ type: z.literal('webhook-reorder') }),
  /** eCom v2 transaction callbacks for matching payments are never sent (they are never retried either). */
  z.object({ type: z.literal('callback-drop') }),
  /** eCom v2 callbacks are sent `ms` later (sandbox clock). */
  z.object({ type: z.literal('callback-delay'), ms: z.number().int().nonnegative() }),
  /** Every eCom v2 callback is sent `copies` times. */
  z.object({ type: z.literal('callback-duplicate'), copies: z.number().int().min(2).max(10).default(2) }),
  /**
   * Card passthrough: the PSP's answer to the card callback never reaches Vipps — as when it comes
   * after Vipps gave up at 20 s. The callback is sent and answered (within `ms` when given, else
   * whenever the PSP answers), the answer is recorded but not acted on: the outcome is unknown to
   * Vipps, and the PSP must report later what really happened (PSP-CB-20S).
   */
  z.object({ type: z.literal('card-callback-timeout'), ms: z.number().int().nonnegative().default(0) }),
  /** Matching payments expire after `ms` instead of the normal window. */
  z.object({ type: z.literal('expire-after'), ms: z.number().int().nonnegative() }),
]);

export const FaultSpecSchema = z.object({
  id: z.string().optional(),
  /** Free label (e.g. the flow id) so a runner can remove its faults together. */
  label: z.string().optional(),
  match: FaultSelectorSchema.prefault({}),
  effect: effects,
  /** Applies this many times, then retires itself; absent = until removed. */
  times: z.number().int().positive().optional(),
});

export type FaultSelector = z.output<typeof FaultSelectorSchema>;
export type FaultEffect = z.output<typeof effects>;
export type FaultSpec = z.output<typeof FaultSpecSchema>;
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
export type FaultType = FaultEffect['type'];

export interface Fault extends FaultSpec {
  id: string;
  /** Times it has been applied (its "fired" count: a runner waits for it to become ≥ 1). */
  hits: number;
  /** When it was first and last applied (sandbox clock, ms); absent while it never fired. */
  firstFiredAt?: number;
  lastFiredAt?: number;
  /** Its `times` are used up: no longer applied, kept so a runner can still see it fired. */
  retired?: boolean;
}
