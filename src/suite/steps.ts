import { z } from 'zod';
import { FaultSpecSchema, FaultSelectorSchema } from '../contract/faults.ts';
import { DurationSchema } from './duration.ts';
import { ACTION_ROLES } from './roles.ts';
import { JSON_PATH_PATTERN } from './jsonpath.ts';
import { interpolate, type Scope } from './template.ts';
import { allowTemplate, Identifier, noTemplate, type Templatable } from './zod-helpers.ts';
import { AGGREGATE_KEYS, PAYMENT_EVENT_NAMES, PAYMENT_STATES } from '../contract/epayment.ts';
import { ECOM_STATES } from '../contract/ecom.ts';
import { CARD_CALLBACK_FORGERIES } from '../contract/card-passthrough.ts';
import { PSP_PAYMENT_STATES } from '../contract/psp-api.ts';
import { CONSENT_CHOICES } from '../contract/in-person.ts';

/** Every API's state words, for `expect.payment.state`; the suite loader checks them against the suite's api. */
export const STATES_OF_API = { 'epayment-v1': PAYMENT_STATES, 'webhooks-v1': PAYMENT_STATES, 'epayment-psp': PAYMENT_STATES, 'ecom-v2': ECOM_STATES, 'psp-v2': PSP_PAYMENT_STATES } as const satisfies Record<string, readonly string[]>;
const PAYMENT_STATE_WORDS = [...new Set<string>([...PAYMENT_STATES, ...ECOM_STATES, ...PSP_PAYMENT_STATES])] as [string, ...string[]];

/**
 * The step library. A step is a one-key map in a flow's `steps`: `- merchant.capture: { amount: 100 }`.
 * Each step has an args schema with defaults. In documents, number fields marked "templatable"
 * also accept a single `{{variable}}`; `resolveStep` interpolates and re-checks the args. *
 * Over 300 lines: the step library is one table (every step's args schema), read as the
 * language reference; splitting it by actor would scatter what a suite author looks up.
 */

export { PAYMENT_EVENT_NAMES, PAYMENT_STATES, type PaymentEventName, type PaymentState } from '../contract/epayment.ts';

/** The statuses golive reads a merchant's order as (profiles map their own strings onto these). */
export const CANONICAL_STATUSES = [
  'pending',
  'paid',
  'captured',
  'partially-captured',
  'refunded',
  'partially-refunded',
  'cancelled',
  'failed',
  'expired',
  'terminated',
] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];

/**
 * Canonical statuses the checklist treats alike, so one word of a shop may stand for all of a
 * class: "no longer pending, not paid, nothing captured" after ABORTED, EXPIRED, TERMINATED or a
 * cancelled authorization; "money went back" for any refund; "money taken" for any capture. A
 * profile may map one word onto several statuses of one class (statusMapping); across classes it
 * gets a warning, because then golive cannot tell, say, a paid order from a pending one.
 */
export const STATUS_CLASSES: Record<CanonicalStatus, string> = {
  pending: 'pending',
  paid: 'paid',
  captured: 'captured',
  'partially-captured': 'captured',
  refunded: 'refunded',
  'partially-refunded': 'refunded',
  cancelled: 'unpaid-final',
  failed: 'unpaid-final',
  expired: 'unpaid-final',
  terminated: 'unpaid-final',
};

export const WEBHOOK_TAMPERS = ['signature', 'body', 'date', 'missing-signature'] as const;

/** Names reserved in the interpolation scope; `as:` aliases and `set` names cannot use them. */
export const RESERVED_NAMES = ['vars', 'env', 'sandbox', 'baseUrl', 'reference', 'redirectUrl', 'amount', 'flow', 'suite', 'msn', 'params', 'merchant', 'phoneNumber', 'qrTarget', 'qrId'] as const;

const Alias = Identifier.refine((v) => !(RESERVED_NAMES as readonly string[]).includes(v), {
  error: `expected a name that is not reserved (${RESERVED_NAMES.join(', ')})`,
}).meta({ description: 'Name to store what the step captured under, e.g. `order` → {{order.reference}}.' });

const Reference = z.string().min(1).meta({ description: 'Payment reference to act on; default: the flow\'s current order ({{reference}}).' });

/** Strict copies of the sandbox's fault schemas: a typo in a suite should not silently vanish. */
function strictFaultSpec() {
  const effect = FaultSpecSchema.shape.effect;
  const strictEffect = z.discriminatedUnion(
    'type',
    effect.options.map((o) => o.strict()) as unknown as [typeof effect.options[number], ...typeof effect.options],
  );
  return z
    .strictObject({ ...FaultSpecSchema.shape, match: FaultSelectorSchema.strict().prefault({}), effect: strictEffect })
    .meta({ description: 'A sandbox fault (src/contract/faults.ts): match selects requests, effect says what happens, times limits it.' });
}
export const SuiteFaultSchema = strictFaultSpec() as unknown as typeof FaultSpecSchema;

const atLeastOne =
  (keys: string[]) =>
  (v: Record<string, unknown>): boolean =>
    keys.some((k) => v[k] !== undefined);

function defineSteps(t: Templatable) {
  /** The integration is expected to refuse (an injected Vipps error): the step records what it showed instead of failing. */
const ExpectError = z.boolean().default(false).meta({ description: 'Expect the action to fail (e.g. an injected Vipps error); the step records what the integration showed instead of failing.' });
const Amount = t(z.number().int().positive(), 'an amount in minor units (øre/cents)');
  const AmountOrZero = t(z.number().int().nonnegative(), 'an amount in minor units (øre/cents)');
  const Count = t(z.number().int().nonnegative(), 'a count');
  const Redirect = z.boolean().default(true).meta({ description: 'After acting, the customer is sent back to the merchant\'s returnUrl.' });
  const Via = z.enum(['landing', 'control']).default('landing').meta({
    description: '`landing`: click on the sandbox landing page in the browser; `control`: use the sandbox control API (no browser).',
  });
  const ApproveVia = z.enum(['landing', 'control', 'app']).default('landing').meta({
    description:
      '`landing`: click on the sandbox landing page in the browser; `control`: use the sandbox control API (no browser); `app`: the phone the payment reached (the push in the inbox of {{phoneNumber}}, or the payment QR the customer scanned) opened in app mode — no redirect ever follows.',
  });
  const Within = DurationSchema.optional().meta({ description: 'Keep retrying until this long has passed (default: the profile\'s timeouts.status).' });
  const Operation = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).meta({ description: 'Spec operation name(s), e.g. capturePayment.' });
  const CardName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: 'expected the name of a card in the profile (cardPassthrough.cards)' });
  const TextOrTexts = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

  return {
    // --- merchant: drive the integration through its profile's actions -----------------
    'merchant.checkout': z
      .strictObject({
        amount: Amount.optional().meta({ description: 'Minor units; default vars.amount.' }),
        description: z.string().optional(),
        as: Alias.optional(),
        expectError: ExpectError,
      })
      .meta({ description: 'Place an order through the profile\'s checkout action; captures reference and redirectUrl (as {{reference}}, {{redirectUrl}} and, with `as`, {{<as>.reference}}).' }),
    'merchant.capture': z
      .strictObject({ expectError: ExpectError, amount: Amount.optional().meta({ description: 'Minor units; default: the whole authorized amount.' }), reference: Reference.optional() })
      .meta({ description: 'Capture (ship) the order through the profile\'s capture action.' }),
    'merchant.refund': z
      .strictObject({ expectError: ExpectError, amount: Amount.optional().meta({ description: 'Minor units; default: the whole captured amount.' }), reference: Reference.optional() })
      .meta({ description: 'Refund the order through the profile\'s refund action.' }),
    'merchant.cancel': z.strictObject({ expectError: ExpectError, reference: Reference.optional() }).meta({ description: 'Cancel the order through the profile\'s cancel action.' }),
    'merchant.returnPage': z
      .strictObject({
        freshBrowser: z.boolean().default(true).meta({ description: 'Open the return URL in a new browser context (no cookies), as the app would.' }),
        reference: Reference.optional(),
      })
      .meta({ description: 'Open the merchant\'s return page (the profile\'s returnPage action, or the returnUrl sent in create).' }),
    'merchant.orderPage': z.strictObject({ reference: Reference.optional() }).meta({ description: 'Open the order\'s page (profile action orderPage) for evidence.' }),
    'merchant.eventLog': z.strictObject({ reference: Reference.optional() }).meta({ description: 'Open the payment history (profile action eventLog).' }),
    'merchant.action': z
      .strictObject({
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: 'expected the name of an action in the profile' }).optional(),
        role: z.enum(ACTION_ROLES).optional().meta({ description: 'Run the profile action that declares this role (bundled flows use roles, not action names).' }),
        params: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Available to the action as {{params.x}}.' }),
        as: Alias.optional(),
        expectRefusal: z
          .boolean()
          .default(false)
          .meta({ description: 'The right answer is a refusal (e.g. returningCheckout for a customer who did not share the phone number): an error answer passes and is recorded; a payment it sends fails the step.' }),
      })
      .refine((v) => (v.name === undefined) !== (v.role === undefined), { error: 'expected exactly one of name (a profile action) or role (the action that declares it)' })
      .meta({ description: 'Run a profile action, by name or by role; what it extracts is stored under `as` (and reference/redirectUrl become the current order).' }),

    // --- customer: the simulated app user ------------------------------------------------
    'customer.approve': z
      .strictObject({
        redirect: Redirect,
        via: ApproveVia,
        consent: z
          .enum(CONSENT_CHOICES)
          .optional()
          .meta({ description: 'With via: app, the answer to the profile-sharing question: share (default) pays; decline refuses the consent (→ ABORTED: the app cannot pay without it).' }),
        phoneNumber: z.string().regex(/^\+?[0-9]{8,15}$/, { error: 'expected a phone number such as 4791234567' }).optional(),
        card: CardName.optional().meta({ description: 'Card passthrough: the profile card (cardPassthrough.cards) the customer pays with; a 3-D Secure step-up is completed on the way.' }),
        reference: Reference.optional(),
      })
      .refine((v) => v.consent === undefined || v.via === 'app', { error: 'consent is answered in the app: use it with via: app' })
      .meta({ description: 'The customer approves the payment (with card passthrough: the PSP must reserve; with via: app, on the phone it reached).' }),
    'customer.scanQr': z
      .strictObject({
        qrId: z.string().min(1).optional().meta({ description: 'The merchant-redirect QR to scan (default: the qrId the last merchantRedirectQr action extracted, {{qrId}}).' }),
        payment: z.literal(true).optional().meta({ description: 'Scan the one-time payment QR of the current order (userFlow QR) instead.' }),
        open: z.boolean().default(true).meta({ description: 'Open what the QR leads to in a fresh browser, as any phone camera would (recorded with its HTTP status).' }),
        as: Alias.optional(),
        reference: Reference.optional(),
      })
      .refine((v) => v.qrId === undefined || v.payment === undefined, { error: 'expected qrId (a merchant-redirect QR) or payment: true, not both' })
      .meta({ description: 'The customer scans a QR through the sandbox (what a phone camera sees); a merchant-redirect QR\'s target becomes {{qrTarget}}.' }),
    'customer.tryCard': z
      .strictObject({ card: CardName, reference: Reference.optional() })
      .meta({ description: 'Card passthrough: the customer picks this profile card (through the sandbox control API); whatever the PSP answers is recorded for the checks (the step fails only when the sandbox cannot ask).' }),
    'customer.reject': z
      .strictObject({ redirect: Redirect, via: Via, reference: Reference.optional() })
      .meta({ description: 'The customer rejects the payment (→ ABORTED).' }),
    'customer.ignore': z.strictObject({ reference: Reference.optional() }).meta({ description: 'The customer never acts (the payment can expire).' }),
    'customer.openLanding': z
      .strictObject({ reference: Reference.optional() })
      .meta({ description: 'Open the redirectUrl (landing page) without acting, as the customer would.' }),

    // --- sandbox: the simulated Vipps MobilePay API -------------------------------------
    'sandbox.fault': SuiteFaultSchema.meta({ description: 'Switch a fault on from here until the end of the flow (or `times`).' }),
    'sandbox.clearFaults': z.strictObject({}).meta({ description: 'Remove this flow\'s faults.' }),
    'sandbox.advanceClock': z
      .strictObject({ ms: z.number().nonnegative().optional(), seconds: z.number().nonnegative().optional(), minutes: z.number().nonnegative().optional() })
      .refine(atLeastOne(['ms', 'seconds', 'minutes']), { error: 'expected at least one of ms, seconds, minutes' })
      .meta({ description: 'Move the sandbox clock forward (the amounts are added up).' }),
    'sandbox.expire': z.strictObject({ reference: Reference.optional() }).meta({ description: 'Expire the payment now (→ EXPIRED).' }),
    'sandbox.forgeWebhook': z
      .strictObject({
        name: z.enum(PAYMENT_EVENT_NAMES).meta({ description: 'Event name, e.g. AUTHORIZED.' }),
        tamper: z.enum(WEBHOOK_TAMPERS).optional().meta({ description: 'How the delivery is broken; absent: correctly signed.' }),
        success: z.boolean().default(true).meta({ description: 'The payload\'s success flag (false for WH-SUCCESS-FLAG).' }),
        amount: Amount.optional(),
        reference: Reference.optional(),
        otherSalesUnit: z
          .boolean()
          .optional()
          .meta({ description: "Platforms: a correctly signed partner-wide delivery with this order's reference, for ANOTHER installation's MSN (the next in the profile); the order must not change." }),
      })
      .meta({ description: 'Deliver a webhook the sandbox forged to the merchant\'s webhook URL.' }),
    'sandbox.forgeCardCallback': z
      .strictObject({
        forgery: z.enum(CARD_CALLBACK_FORGERIES).meta({ description: 'How the callback is forged: a wrong or missing auth header, or a bad HMAC.' }),
        reference: Reference.optional(),
      })
      .meta({ description: 'Card passthrough: send the PSP a forged card callback for the payment; the sandbox never acts on its answer.' }),
    'sandbox.duplicateWebhooks': z
      .strictObject({ copies: z.number().int().min(2).max(10).default(2) })
      .meta({ description: 'From now on in this flow every webhook is delivered `copies` times.' }),

    // --- expectations -----------------------------------------------------------------------
    'expect.payment': z
      .strictObject({
        state: z
          .union([z.enum(PAYMENT_STATE_WORDS), z.array(z.enum(PAYMENT_STATE_WORDS)).min(1)])
          .optional()
          .meta({ description: 'The API\'s own state word, or a list of acceptable ones: ePayment CREATED…TERMINATED, eCom v2 INITIATE, RESERVE, CAPTURE, REFUND, VOID, CANCEL, REJECTED… (the suite\'s api decides which).' }),
        authorizedAmount: AmountOrZero.optional(),
        capturedAmount: AmountOrZero.optional(),
        refundedAmount: AmountOrZero.optional(),
        cancelledAmount: AmountOrZero.optional(),
        within: Within,
        reference: Reference.optional(),
      })
      .refine(atLeastOne(['state', ...AGGREGATE_KEYS]), {
        error: `expected at least one of ${['state', ...AGGREGATE_KEYS].join(', ')}`,
      })
      .meta({ description: 'The payment on the sandbox has this state / aggregate amounts.' }),
    'expect.merchantOrder': z
      .strictObject({
        status: z
          .union([z.enum(CANONICAL_STATUSES), z.array(z.enum(CANONICAL_STATUSES)).min(1)])
          .meta({ description: 'Canonical status, or a list of acceptable ones.' }),
        within: Within,
        reference: Reference.optional(),
      })
      .meta({ description: 'The merchant\'s order (profile action orderStatus, mapped by statusMapping) reaches this status.' }),
    'expect.page': z
      .strictObject({ text: TextOrTexts.optional(), notText: TextOrTexts.optional(), within: Within })
      .refine(atLeastOne(['text', 'notText']), { error: 'expected at least one of text, notText' })
      .meta({ description: 'The current browser page shows (or does not show) these texts.' }),
    'expect.traffic': z
      .strictObject({
        operation: Operation,
        api: z.string().optional(),
        count: Count.optional(),
        min: Count.optional(),
        max: Count.optional(),
        where: z
          .record(z.string().regex(new RegExp(JSON_PATH_PATTERN), { error: 'expected a JSON path such as $.request.body.amount.value' }), z.unknown())
          .optional()
          .meta({ description: 'JSON path into the exchange → expected value, e.g. `$.response.status: 200`.' }),
        reference: Reference.optional(),
      })
      .refine((v) => v.count === undefined || (v.min === undefined && v.max === undefined), { error: 'expected either count or min/max, not both' })
      .meta({ description: 'The traffic log of this flow has matching exchanges (default: at least one).' }),
    'expect.noTraffic': z
      .strictObject({ operation: Operation, api: z.string().optional(), during: DurationSchema.optional().meta({ description: 'Watch this long (default: check once).' }) })
      .meta({ description: 'No exchange of this operation happened in this flow (so far, or during the given time).' }),

    // --- plumbing ---------------------------------------------------------------------------
    wait: z
      .strictObject({ ms: z.number().nonnegative().optional(), seconds: z.number().nonnegative().optional() })
      .refine(atLeastOne(['ms', 'seconds']), { error: 'expected ms or seconds' })
      .meta({ description: 'Wait (real time).' }),
    set: z
      .record(Identifier, z.unknown())
      .refine((v) => Object.keys(v).length > 0, { error: 'expected at least one name: value' })
      .meta({ description: 'Set variables for later steps: `set: { x: 1 }` → {{vars.x}}.' }),
  };
}

/** Runtime args schemas (after interpolation). */
export const STEP_ARGS = defineSteps(noTemplate);
/** Document args schemas: also accept `{{variable}}` in templatable number fields. */
export const DOCUMENT_STEP_ARGS = defineSteps(allowTemplate);

export type StepName = keyof typeof STEP_ARGS;
export const STEP_NAMES = Object.keys(STEP_ARGS) as StepName[];
export type StepArgs<N extends StepName> = z.output<(typeof STEP_ARGS)[N]>;
export type StepArgsInput<N extends StepName> = z.input<(typeof STEP_ARGS)[N]>;

/** A step as loaded from a suite: args checked and defaulted, templates not yet resolved. */
export interface SuiteStep {
  name: StepName;
  /** Defaults applied; may still contain `{{…}}` strings. */
  args: Record<string, unknown>;
  /** Index in the flow's steps. */
  index: number;
  /** Where the step is written (1-based). */
  line: number;
  col: number;
}

/** A step ready to run: templates resolved, args re-checked, typed by name. */
export type ResolvedStep = { [N in StepName]: { name: N; args: StepArgs<N>; index: number; line: number; col: number } }[StepName];

export class StepArgsError extends Error {
  constructor(
    message: string,
    readonly step: SuiteStep,
  ) {
    super(message);
    this.name = 'StepArgsError';
  }
}

/**
 * Interpolate a step's args in `scope` and check them with the runtime schema.
 * Throws InterpolationError (unknown variables) or StepArgsError (e.g. `{{vars.x}}` was not a number).
 */
export function resolveStep(step: SuiteStep, scope: Scope): ResolvedStep {
  const raw = interpolate(step.args, scope);
  const parsed = STEP_ARGS[step.name].safeParse(raw);
  if (!parsed.success) {
    throw new StepArgsError(`${step.name} (line ${step.line}): ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`, step);
  }
  return { name: step.name, args: parsed.data, index: step.index, line: step.line, col: step.col } as ResolvedStep;
}

// --- what steps need ------------------------------------------------------------------------

/** Steps that act on an order and so need a checkout (or a custom action) before them, unless given a reference. */
export const ORDER_STEPS: ReadonlySet<StepName> = new Set<StepName>([
  'merchant.capture',
  'merchant.refund',
  'merchant.cancel',
  'merchant.returnPage',
  'merchant.orderPage',
  'merchant.eventLog',
  'customer.approve',
  'customer.reject',
  'customer.ignore',
  'customer.openLanding',
  'customer.tryCard',
  'sandbox.expire',
  'sandbox.forgeCardCallback',
  'sandbox.forgeWebhook',
  'expect.payment',
  'expect.merchantOrder',
]);

/** The profile action a step drives (besides `merchant.action`, which names its own). */
export const STEP_ACTIONS: Partial<Record<StepName, string>> = {
  'merchant.checkout': 'checkout',
  'merchant.capture': 'capture',
  'merchant.refund': 'refund',
  'merchant.cancel': 'cancel',
  'merchant.orderPage': 'orderPage',
  'merchant.eventLog': 'eventLog',
  'expect.merchantOrder': 'orderStatus',
};

/** Whether a step needs a browser page by itself (profile actions with `browser:` add to this). */
export function stepNeedsBrowser(name: StepName, args: Record<string, unknown>): boolean {
  switch (name) {
    case 'merchant.returnPage':
    case 'merchant.orderPage':
    case 'customer.openLanding':
    case 'expect.page':
      return true;
    case 'customer.scanQr':
      return args.open !== false;
    case 'customer.approve':
    case 'customer.reject':
      return args.via !== 'control' || args.redirect !== false;
    default:
      return false;
  }
}
