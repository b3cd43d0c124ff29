import type { ChecklistApi, ChecklistItem, ItemId } from '../checklist/index.ts';
import type { PollingPace } from '../contract/polling.ts';
import type { Exchange } from '../traffic/types.ts';

export type { ChecklistItem, Severity } from '../checklist/index.ts';

/**
 * Rules are small pure functions, one module each (rules/), each citing the documented rule it
 * verifies. They read the traffic log and what the flow's steps observed, and return a finding
 * about the checklist item they are bound to (bindings/). No I/O, no clock: everything they
 * judge is in their input.
 */
/** NOT_RUN: no flow of this run exercised the item (--grep, --shard, a suite subset, an interruption): no evidence either way. */
export type Verdict = 'PASSED' | 'FAILED' | 'WARNING' | 'REVIEW' | 'NOT_APPLICABLE' | 'NOT_RUN';


/** What a flow step saw, recorded by the runner for the checks (the traffic log has the rest). */
export type Observation =
  /** `cardType`: the card type a PSP says it processed the payment with (its orderStatus extracts `cardType`). */
  | { type: 'merchant-order'; at: number; reference: string; status: string; raw?: unknown; cardType?: string }
  | { type: 'payment'; at: number; reference: string; state: string; aggregate?: Record<string, { value: number; currency: string }> }
  | {
      type: 'page';
      at: number;
      /** Which page: returnPage, orderPage, checkout, admin, landing … */
      name: string;
      url: string;
      status?: number;
      text: string;
      /** Opened in a fresh browser context without the checkout's cookies. */
      freshBrowser?: boolean;
      /** Not a rendered page: the answer of an HTTP action (an API checkout), what the shop's front end shows from. */
      answer?: boolean;
      reference?: string;
      screenshot?: string;
    }
  /**
   * `via: 'app'`: on the phone the payment reached (push inbox or scanned payment QR); `consent`:
   * the customer's answer to the profile-sharing question there (a `decline` is recorded as `reject`).
   */
  | { type: 'customer'; at: number; action: 'approve' | 'reject' | 'ignore' | 'open-landing'; reference: string; redirect: boolean; via: 'landing' | 'control' | 'app'; consent?: 'share' | 'decline'; phoneNumber?: string }
  | {
      type: 'navigation';
      at: number;
      /** The redirectUrl the sandbox returned and the URL the browser actually opened for it. */
      expected: string;
      actual: string;
      topLevel: boolean;
    }
  | {
      type: 'webhook-forgery';
      at: number;
      reference: string;
      tamper: string;
      responseStatus?: number;
      /** Merchant order status before and after the forged delivery. */
      statusBefore?: string;
      statusAfter?: string;
    }
  | {
      type: 'fault';
      at: number;
      description: string;
      spec: unknown;
      /** How often the sandbox applied it by the flow's end (absent in older recordings: unknown). */
      fired?: number;
      /** When it first fired (sandbox clock). */
      firedAt?: number;
    }
  | { type: 'clock'; at: number; advancedMs: number }
  | { type: 'step-error'; at: number; step: string; message: string }
  /** golive ran a profile action by its role (merchant.action { role }); `name` is the shop's action. */
  /** `refused`: the step expected a refusal (expectRefusal) and the action answered with an error (its message), or `false` when it went ahead. */
  | { type: 'role-action'; at: number; role: string; name: string; reference?: string; refused?: boolean; answer?: string; qrId?: string }
  /**
   * The customer scanned a QR through the sandbox (`customer.scanQr`): a merchant-redirect code
   * (`qrId`) or the payment QR of `reference`; `target` what it leads to, `error` the sandbox's
   * code when the printed QR no longer works (unknown/expired/deleted), `opened` what a fresh
   * browser got when it opened the target.
   */
  | {
      type: 'qr-scan';
      at: number;
      kind: 'merchant-redirect' | 'payment';
      qrId?: string;
      reference?: string;
      target?: string;
      error?: string;
      opened?: { url: string; status?: number; freshBrowser: true };
    }
  /**
   * Card passthrough: the customer paid with a profile card (`card` is its name there, e.g.
   * declined); what the sandbox made of the PSP's answer. Forged callbacks are `card-forgery`.
   */
  | { type: 'card-attempt'; at: number; reference: string; card: string; cardType?: string; outcome: string; authorizationAttemptId?: string; answerMs?: number; softDecline?: boolean }
  /**
   * Platforms: golive delivered a correctly signed partner-wide event with this flow's order
   * reference but another sales unit's MSN (`msn`); the order's status before and after.
   */
  | { type: 'crossed-delivery'; at: number; reference: string; name: string; msn: string; ownMsn: string; responseStatus?: number; statusBefore?: string; statusAfter?: string }
  | { type: 'card-forgery'; at: number; reference: string; forgery: string; responseStatus?: number; accepted?: boolean; statusBefore?: string; statusAfter?: string }
  /** How the customer checked out: through a page in the browser, or the shop's HTTP checkout API. */
  | { type: 'checkout'; at: number; via: 'browser' | 'http' };

export interface FlowRecord {
  suite: string;
  id: string;
  title: string;
  /** Checklist items this flow provides evidence for. */
  checklist: string[];
  /** Payment references created during the flow. */
  references: string[];
  observations: Observation[];
  startedAt: number;
  endedAt: number;
  /**
   * The flow's MSN and its own payment amount (minor units), which tie its refused creates to it
   * (src/traffic/flow-scope.ts). Absent in recordings made before they were written.
   */
  msn?: string;
  amount?: number;
  /** A platform's installation the flow ran for (its `id` is then `<flow>@<installation>`). */
  installation?: string;
  /** Outcome of the flow's steps (not of the checks). */
  outcome: 'completed' | 'step-failed' | 'not-applicable';
  error?: string;
  /** The test environment broke the flow (an upstream failure, or a step's EnvironmentProblem against the test API): it proves nothing against the integration. */
  environmentProblem?: boolean;
}

/** What checks may know about the integration, from its merchant profile. */
export interface ProfileFacts {
  id: string;
  kind: 'direct' | 'partner' | 'psp';
  /** The API the integration is built on (absent in older recordings: ePayment). */
  api?: 'epayment-v1' | 'ecom-v2' | 'psp-v2';
  msn: string;
  capabilities: Record<string, boolean | string[] | undefined>;
  /** The declared polling pace (absent: the guideline, src/contract/polling.ts). */
  polling?: PollingPace;
  /** PSP API: the errorId the PSP says it answers for each of its test cards (profile pspApi.cards[].errorId). */
  cardErrorIds?: Record<string, number>;
  /** Expected Vipps-System-* values, when the profile states them. */
  system?: { name?: string; version?: string; pluginName?: string; pluginVersion?: string };
  /** The test customer's phone golive hands the integration ({{phoneNumber}}): golive's choice, not the shop's. */
  customerPhoneNumber?: string;
  /** A platform's installations (profile `installations:`); absent for a single merchant. */
  installations?: InstallationFacts[];
  /** The installation being judged (per-installation verdicts); `msn` is then its MSN. */
  installation?: InstallationFacts;
}

export interface InstallationFacts {
  id: string;
  msn: string;
  title: string;
}

export interface CheckInput {
  /** Flow scope: this flow's exchanges (its references + token/webhook calls in its time window). Run scope: everything. */
  traffic: Exchange[];
  /** Flow scope: just this flow. Run scope: every flow of the run. */
  flows: FlowRecord[];
  profile: ProfileFacts;
}

export interface Finding {
  item: string;
  verdict: Verdict;
  message: string;
  /** Sequence numbers of the exchanges the verdict rests on. */
  cites?: number[];
  /** The flow the finding is about (flow-scoped checks). */
  flowId?: string;
  /** Extra lines for the report (one per offending request, etc.). */
  details?: string[];
  /**
   * Set when the verdict is not about the integration but about golive itself (the check threw).
   * Such findings carry verdict REVIEW; the report should show them as a golive error.
   */
  internalError?: string;
}

/** What a rule is told when it judges: the item it is bound to (its id, severity, title). */
export interface RuleContext {
  item: ChecklistItem;
}

/**
 * A rule judges one documented requirement, for whichever checklist item a binding gives it (one
 * headers rule can judge EP-HEADERS and EC-HEADERS). It never names an item itself.
 */
export interface Rule {
  judge(input: CheckInput, ctx: RuleContext): Finding;
  /**
   * The run-scoped part of a flow-scoped item: evidence that spans flows (e.g. polling that goes on
   * after the flow ended), judged once over the run's traffic when some flow lists the item. Its
   * finding joins the flows' findings; undefined when it has nothing to add.
   */
  judgeRun?(input: CheckInput, ctx: RuleContext): Finding | undefined;
  /** Reason the item does not apply to this profile, or undefined when it does. */
  notApplicable?(profile: ProfileFacts, ctx: RuleContext): string | undefined;
}

/** Which rule judges which checklist item, for which API, and when (bindings/). */
export interface Binding {
  item: ItemId;
  api: ChecklistApi;
  /** `flow`: judged at the end of each flow that lists the item; `run`: judged once over all traffic. */
  scope: 'flow' | 'run';
  rule: Rule;
}

/** A rule bound to its item: what the runner evaluates (built from the bindings in index.ts). */
export interface Check {
  item: ChecklistItem;
  /** The API of the binding (absent on checks made by hand, e.g. in tests). */
  api?: ChecklistApi;
  scope: 'flow' | 'run';
  /** Reason the item does not apply to this profile, or undefined when it does. */
  notApplicable?(profile: ProfileFacts): string | undefined;
  evaluate(input: CheckInput): Finding;
  /** The run-scoped part of a flow-scoped check (`Rule.judgeRun`). */
  evaluateRun?(input: CheckInput): Finding | undefined;
}
