import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { CustomerActor } from '../actors/customer.ts';
import { ActionError, firstLine, MerchantActor } from '../actors/merchant.ts';
import { evaluateFlow, type ItemResult } from '../checks/index.ts';
import type { FlowRecord, Observation, ProfileFacts } from '../checks/types.ts';
import { Redactor } from '../traffic/redact.ts';
import { canonicalStatus, evalJsonPath, flowScope, resolveStep, type Flow, type ResolvedProfile, type ResolvedStep, type Suite, type SuiteStep } from '../suite/index.ts';
import type { Scope } from '../suite/template.ts';
import type { Exchange, ExchangeInput } from '../traffic/types.ts';
import type { ControlClient } from '../sandbox/client.ts';
import type { RunConfig } from './run-config.ts';
import { AGGREGATE_KEYS } from '../contract/epayment.ts';
import { describeExit, INTEGRATION_EXIT_FILE, type IntegrationExit } from './run-config.ts';

/**
 * When the integration process died during the run, a flow's failure is about that, not about
 * the step that noticed it: say so, with its exit code and last output (global setup records them).
 */
async function explainIntegrationExit(err: unknown, runDir: string): Promise<void> {
  const file = join(runDir, INTEGRATION_EXIT_FILE);
  if (!(err instanceof Error)) return;
  // The crash and the flow's failed request race: global setup (another process) records the exit
  // a moment after the connection broke, so a connection failure waits briefly for the record.
  if (err instanceof ActionError && /connection/.test(err.message)) {
    for (let i = 0; i < 20 && !existsSync(file); i++) await sleep(100);
  }
  if (!existsSync(file)) return;
  try {
    const exit = JSON.parse(readFileSync(file, 'utf8')) as IntegrationExit;
    const last = exit.lastOutput.slice(-5).join(' ⏎ ');
    err.message = `the integration process exited (${describeExit(exit)}) at ${exit.at} during the run${last ? `; its last output: ${last}` : ''} — ${err.message}`;
  } catch {
    /* a half-written file: the step's own message stands */
  }
}

/** A step's expectation was not met (the flow fails with this message). */
export class StepFailure extends Error {}

export interface Order {
  reference: string;
  redirectUrl?: string;
  amount: number;
}

export interface FlowHooks {
  /** Wrap a step (Playwright's test.step in the runner; a plain call in unit tests). */
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** Attach evidence to the current test (Allure/Playwright attachments). */
  attach(name: string, body: string | Buffer, contentType: string): Promise<void>;
  /**
   * Optional: receives, inside each step, the HTTP exchanges of this flow logged while the step
   * ran (redacted), to attach them to it. Without it no per-step traffic is fetched.
   */
  stepTraffic?(exchanges: Exchange[], info: { step: string; flowStartedAt: number }): Promise<void>;
  /** Optional: attach a file by path (videos); without it the file is read and attached as a body. */
  attachFile?(name: string, path: string, contentType: string): Promise<void>;
}

export interface FlowRunnerOptions {
  config: RunConfig;
  suite: Suite;
  flow: Flow;
  profile: ResolvedProfile;
  control: ControlClient;
  sandboxUrl: string;
  /** Unique within the run; used to give each flow its own payment amount. */
  ordinal: number;
  browser?: Browser;
  hooks: FlowHooks;
  /** Record a video of every browser context the flow opens (Playwright's recordVideo). */
  recordVideo?: BrowserContextOptions['recordVideo'];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one suite flow against the integration: steps act through the actors (merchant,
 * customer, sandbox) and record observations; at the end the flow's traffic is collected from
 * the sandbox and the checks listed by the flow judge it.
 */
export class FlowRunner {
  readonly record: FlowRecord;
  readonly merchantTraffic: Exchange[] = [];
  private readonly merchant: MerchantActor;
  private readonly customer: CustomerActor;
  private readonly scope: Scope;
  private readonly orders = new Map<string, Order>();
  private current: Order | undefined;
  private readonly label: string;
  private context: BrowserContext | undefined;
  private page: Page | undefined;
  private lastPage: Page | undefined;
  private readonly extraContexts: BrowserContext[] = [];
  private readonly redactor = new Redactor();
  readonly flowAmount: number;

  constructor(private readonly o: FlowRunnerOptions) {
    this.label = `${o.suite.suite}/${o.flow.id}/${process.pid}-${Date.now()}`;
    this.record = {
      suite: o.suite.suite,
      id: o.flow.id,
      title: o.flow.title,
      checklist: o.flow.checklist,
      references: [],
      observations: [],
      startedAt: Date.now(),
      endedAt: 0,
      outcome: 'completed',
    };
    o.profile.secretValues.forEach((s) => this.redactor.addSecret(s));
    this.merchant = new MerchantActor(o.profile, {
      timeoutMs: o.config.actionTimeoutMs,
      now: () => this.now(),
      record: (e) => this.merchantTraffic.push({ ...e, seq: 1_000_000_000 + this.merchantTraffic.length, id: `merchant-${this.merchantTraffic.length}` } as Exchange),
    });
    this.customer = new CustomerActor(o.control);
    this.scope = flowScope({ suite: o.suite, flow: o.flow, profile: o.profile, sandboxUrl: o.sandboxUrl });
    // Each flow pays a distinct amount, so sandbox faults scoped to it never touch other flows.
    const base = Number((this.scope.vars as Record<string, unknown>).amount ?? 10_000);
    this.flowAmount = base + o.ordinal;
    this.scope.amount = this.flowAmount;
  }

  private get msn(): string {
    return this.o.profile.merchant.msn;
  }

  /** Offset of the sandbox clock from this process's clock (observations use sandbox time, like exchanges). */
  private clockOffset = 0;

  private now(): number {
    return Date.now() + this.clockOffset;
  }

  private observe(o: Observation): void {
    this.record.observations.push(o);
  }

  private async ensurePage(): Promise<Page> {
    if (!this.o.browser) throw new StepFailure('this step needs a browser, but the run has none');
    if (!this.page) {
      this.context = await this.o.browser.newContext(this.contextOptions());
      this.page = await this.context.newPage();
      this.videoPages.push({ page: this.page, label: 'checkout browser' });
    }
    this.lastPage = this.page;
    return this.page;
  }

  private order(reference?: string): Order {
    if (reference) return this.orders.get(reference) ?? { reference, amount: this.flowAmount };
    if (!this.current) throw new StepFailure('no order yet: a merchant.checkout step must come first');
    return this.current;
  }

  /** Run every step; never throws for flow problems (they end the flow, recorded as step-failed). */
  async run(): Promise<void> {
    try {
      this.clockOffset = (await this.o.control.clock()).offsetMs;
      this.record.startedAt = this.now();
      await this.installFlowFaults();
      if (this.o.hooks.stepTraffic) this.trafficCursor = (await this.o.control.traffic({ afterSeq: Number.MAX_SAFE_INTEGER, limit: 1 }).catch(() => ({ lastSeq: 0 }))).lastSeq;
      for (const step of this.o.flow.steps) {
        const title = stepTitle(step);
        await this.o.hooks.step(title, async () => {
          const merchantFrom = this.merchantTraffic.length;
          try {
            await this.runStep(step);
          } finally {
            await this.attachStepTraffic(title, merchantFrom);
          }
        });
      }
    } catch (err) {
      await explainIntegrationExit(err, this.o.config.runDir);
      this.record.outcome = 'step-failed';
      this.record.error = firstLine(err);
      this.observe({ type: 'step-error', at: this.now(), step: this.currentStep ?? 'setup', message: firstLine(err) });
      await this.screenshot('failure').catch(() => undefined);
      throw err;
    } finally {
      this.record.endedAt = this.now();
    }
  }

  private currentStep: string | undefined;

  private async runStep(step: SuiteStep): Promise<void> {
    this.currentStep = `${step.name} (line ${step.line})`;
    const resolved = resolveStep(step, this.scope);
    await this.execute(resolved);
  }

  private async installFlowFaults(): Promise<void> {
    for (const fault of this.o.flow.sandbox.faults) await this.addFault(fault as any);
  }

  /** Scope a fault to this flow: its MSN and its payment (by reference once known, else by its amount). */
  private async addFault(spec: { match?: Record<string, unknown>; effect: unknown; times?: number }): Promise<void> {
    const match = { ...(spec.match ?? {}) } as Record<string, unknown>;
    match.msn ??= this.msn;
    if (match.reference === undefined && match.amount === undefined) {
      if (this.current) match.reference = this.current.reference;
      else match.amount = this.flowAmount;
    }
    const fault = await this.o.control.addFault({ ...(spec as any), match, label: this.label });
    this.observe({ type: 'fault', at: this.now(), description: describeFault(fault), spec: fault });
  }

  private async execute(step: ResolvedStep): Promise<void> {
    const timeoutMs = this.o.config.actionTimeoutMs;
    switch (step.name) {
      case 'merchant.checkout': {
        const a = step.args;
        const amount = a.amount ?? this.flowAmount;
        const description = a.description ?? `golive ${this.o.flow.id}`;
        const action = this.merchant.action('checkout');
        const page = action.browser ? await this.ensurePage() : undefined;
        let result;
        try {
          result = await this.merchant.run('checkout', { ...this.scope, amount, amountMajor: (amount / 100).toFixed(2), description }, page);
        } catch (err) {
          if (!a.expectError) throw err;
          await this.recordRefusal('checkout', err, page);
          return;
        }
        let reference = result.extracted.reference as string | undefined;
        let redirectUrl = result.extracted.redirectUrl as string | undefined;
        if (page && (!reference || !redirectUrl)) {
          const token = landingToken(page);
          if (token) {
            const p = await this.o.control.paymentByToken(token).catch(() => undefined);
            reference ??= p?.reference;
            redirectUrl ??= p?.redirectUrl;
          }
        }
        if (a.expectError) {
          // The integration refused and showed something instead of sending the customer on.
          if (!reference) {
            if (page) await this.recordPage('checkout-error', page, false);
            return;
          }
          throw new StepFailure(`the checkout was expected to fail (an injected Vipps error) but it went on with payment ${reference}`);
        }
        if (!reference) throw new StepFailure(`the checkout produced no payment reference (extract reference in the profile's checkout action, or let the browser reach the landing page); page: ${page?.url() ?? 'n/a'}`);
        const payment = await this.o.control.payment(this.msn, reference).catch(() => undefined);
        if (!payment) throw new StepFailure(`the integration reported reference ${reference}, but the sandbox has no such payment for MSN ${this.msn}`);
        redirectUrl ??= payment.redirectUrl;
        const order: Order = { reference, redirectUrl, amount: payment.amount?.value ?? amount };
        this.orders.set(reference, order);
        this.current = order;
        this.record.references.push(reference);
        Object.assign(this.scope, { reference, redirectUrl, amount: order.amount });
        if (a.as) this.scope[a.as] = { reference, redirectUrl, amount: order.amount };
        this.observe({ type: 'payment', at: this.now(), reference, state: payment.state, aggregate: payment.aggregate });
        if (page && payment.redirectUrl) {
          const frameUrls = page.frames().map((f) => f.url());
          const inFrame = page.frames().slice(1).find((f) => f.url().includes('/landing'));
          this.observe({ type: 'navigation', at: this.now(), expected: payment.redirectUrl, actual: inFrame ? inFrame.url() : page.url(), topLevel: !inFrame });
          if (frameUrls.length > 1) await this.o.hooks.attach('frames.txt', frameUrls.join('\n'), 'text/plain');
          await this.screenshot('landing');
        }
        return;
      }
      case 'merchant.capture':
      case 'merchant.refund':
      case 'merchant.cancel': {
        const action = step.name.split('.')[1];
        const order = this.order(step.args.reference);
        const payment = await this.o.control.payment(this.msn, order.reference);
        const agg = payment.aggregate ?? {};
        const defaultAmount =
          action === 'capture'
            ? (agg.authorizedAmount?.value ?? order.amount) - (agg.capturedAmount?.value ?? 0) - (agg.cancelledAmount?.value ?? 0)
            : action === 'refund'
              ? (agg.capturedAmount?.value ?? 0) - (agg.refundedAmount?.value ?? 0)
              : undefined;
        const amount = 'amount' in step.args && step.args.amount !== undefined ? step.args.amount : defaultAmount;
        const page = this.merchant.action(action).browser ? await this.ensurePage() : undefined;
        try {
          await this.merchant.run(action, { ...this.scope, reference: order.reference, amount, amountMajor: amount === undefined ? undefined : (amount / 100).toFixed(2) }, page);
        } catch (err) {
          if (!step.args.expectError) throw err;
          await this.recordRefusal(action, err, page);
          return;
        }
        if (step.args.expectError) throw new StepFailure(`the ${action} was expected to be refused (an injected Vipps error) but the integration reported success`);
        return;
      }
      case 'merchant.returnPage': {
        const order = this.order(step.args.reference);
        let page: Page;
        if (step.args.freshBrowser) {
          if (!this.o.browser) throw new StepFailure('merchant.returnPage needs a browser');
          const context = await this.o.browser.newContext(this.contextOptions()); // no cookies, no storage: as when the app opens the default browser
          this.extraContexts.push(context);
          page = await context.newPage();
          this.videoPages.push({ page, label: 'fresh browser' });
        } else page = await this.ensurePage();
        this.lastPage = page;
        let status: number | undefined;
        if (this.merchant.has('returnPage')) {
          await this.merchant.run('returnPage', { ...this.scope, reference: order.reference }, page);
        } else {
          const payment = await this.o.control.payment(this.msn, order.reference);
          if (!payment.returnUrl) throw new StepFailure(`payment ${order.reference} has no returnUrl to open`);
          const response = await page.goto(payment.returnUrl, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
          status = response?.status();
        }
        await this.recordPage('returnPage', page, step.args.freshBrowser, order.reference, status);
        return;
      }
      case 'merchant.orderPage':
      case 'merchant.eventLog': {
        const action = step.name === 'merchant.orderPage' ? 'orderPage' : 'eventLog';
        const order = this.order(step.args.reference);
        const isBrowser = Boolean(this.merchant.action(action).browser);
        const page = isBrowser ? await this.ensurePage() : undefined;
        const result = await this.merchant.run(action, { ...this.scope, reference: order.reference }, page);
        if (page) await this.recordPage(action, page, false, order.reference);
        else {
          const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2);
          this.observe({ type: 'page', at: this.now(), name: action, url: '', status: result.status, text: text ?? '', reference: order.reference });
        }
        return;
      }
      case 'merchant.action': {
        const page = this.merchant.action(step.args.name).browser ? await this.ensurePage() : undefined;
        const result = await this.merchant.run(step.args.name, { ...this.scope, params: step.args.params }, page);
        if (step.args.as) this.scope[step.args.as] = result.extracted;
        if (page) await this.recordPage(step.args.name, page, false, this.current?.reference);
        else {
          const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2);
          this.observe({ type: 'page', at: this.now(), name: step.args.name, url: '', status: result.status, text: text ?? '', reference: this.current?.reference });
        }
        const ref = result.extracted.reference;
        if (typeof ref === 'string' && !this.orders.has(ref)) {
          const order = { reference: ref, redirectUrl: result.extracted.redirectUrl as string | undefined, amount: this.flowAmount };
          this.orders.set(ref, order);
          this.current = order;
          this.record.references.push(ref);
          Object.assign(this.scope, { reference: ref, redirectUrl: order.redirectUrl });
        }
        return;
      }
      case 'customer.approve':
      case 'customer.reject': {
        const action = step.name === 'customer.approve' ? 'approve' : 'reject';
        const order = this.order(step.args.reference);
        const payment = await this.o.control.payment(this.msn, order.reference);
        const via = step.args.via === 'landing' && this.o.browser ? 'landing' : 'control';
        const options = {
          msn: this.msn,
          reference: order.reference,
          landingUrl: payment.landingUrl ?? payment.redirectUrl ?? order.redirectUrl,
          returnUrl: payment.returnUrl,
          redirect: step.args.redirect,
          phoneNumber: 'phoneNumber' in step.args ? step.args.phoneNumber : undefined,
          timeoutMs,
        };
        const outcome = via === 'landing' ? await this.customer.viaLanding(action, await this.ensurePage(), options) : await this.customer.viaControl(action, options);
        // A declined card is not an approval: the checks read `customer approve` as AUTHORIZED.
        if (outcome.declined) throw new StepFailure(`the landing page declined the payment: ${outcome.declined}`);
        this.observe({ type: 'customer', at: this.now(), action, reference: order.reference, redirect: step.args.redirect && via === 'landing', via });
        if (via === 'landing' && step.args.redirect && this.page) await this.recordPage('returnPage', this.page, false, order.reference);
        return;
      }
      case 'customer.ignore': {
        const order = this.order(step.args.reference);
        this.observe({ type: 'customer', at: this.now(), action: 'ignore', reference: order.reference, redirect: false, via: 'control' });
        return;
      }
      case 'customer.openLanding': {
        const order = this.order(step.args.reference);
        const page = await this.ensurePage();
        const payment = await this.o.control.payment(this.msn, order.reference);
        await page.goto(payment.landingUrl ?? order.redirectUrl, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
        this.observe({ type: 'customer', at: this.now(), action: 'open-landing', reference: order.reference, redirect: false, via: 'landing' });
        return;
      }
      case 'sandbox.fault':
        await this.addFault(step.args as any);
        return;
      case 'sandbox.clearFaults':
        await this.o.control.clearFaults(this.label);
        return;
      case 'sandbox.advanceClock': {
        const a = step.args;
        const ms = (a.ms ?? 0) + (a.seconds ?? 0) * 1000 + (a.minutes ?? 0) * 60_000;
        this.clockOffset = (await this.o.control.advanceClock(ms)).offsetMs;
        this.observe({ type: 'clock', at: this.now(), advancedMs: ms });
        return;
      }
      case 'sandbox.expire': {
        const order = this.order(step.args.reference);
        await this.o.control.customer('expire', this.msn, order.reference);
        return;
      }
      case 'sandbox.forgeWebhook': {
        const a = step.args;
        const order = this.order(a.reference);
        const before = await this.merchantStatus(order.reference).catch(() => undefined);
        const result = await this.o.control.deliverWebhook({
          msn: this.msn,
          reference: order.reference,
          name: a.name,
          success: a.success,
          ...(a.amount !== undefined ? { amount: a.amount } : {}),
          tamper: a.tamper ?? 'none',
        });
        await sleep(1500); // give the integration time to (wrongly) act on it
        const after = await this.merchantStatus(order.reference, 'always').catch(() => undefined);
        const delivery = result.deliveries?.[0] ?? result;
        if (!delivery || delivery.status === undefined && !delivery.error) throw new StepFailure('the sandbox found no registered webhook to forge a delivery to (does the integration register webhooks?)');
        this.observe({
          type: 'webhook-forgery',
          at: this.now(),
          reference: order.reference,
          tamper: a.tamper ?? 'none',
          responseStatus: delivery.status,
          statusBefore: before,
          statusAfter: after,
        });
        return;
      }
      case 'sandbox.duplicateWebhooks':
        await this.addFault({ effect: { type: 'webhook-duplicate', copies: step.args.copies } });
        return;
      case 'expect.payment': {
        const a = step.args;
        const order = this.order(a.reference);
        const want: Record<string, unknown> = {};
        if (a.state) want.state = a.state;
        for (const k of AGGREGATE_KEYS) if (a[k] !== undefined) want[k] = a[k];
        let last: any;
        const ok = await this.until(a.within ?? this.o.config.statusTimeoutMs, async () => {
          last = await this.o.control.payment(this.msn, order.reference);
          return Object.entries(want).every(([k, v]) => (k === 'state' ? last.state === v : last.aggregate?.[k]?.value === v));
        });
        this.observe({ type: 'payment', at: this.now(), reference: order.reference, state: last?.state, aggregate: last?.aggregate });
        if (!ok)
          throw new StepFailure(
            `payment ${order.reference}: expected ${JSON.stringify(want)} within ${a.within ?? this.o.config.statusTimeoutMs} ms, but it is ${last?.state} with ${summariseAggregate(last?.aggregate)}`,
          );
        return;
      }
      case 'expect.merchantOrder': {
        const a = step.args;
        const order = this.order(a.reference);
        const wanted: string[] = Array.isArray(a.status) ? a.status : [a.status];
        let seen: string | undefined;
        const ok = await this.until(a.within ?? this.o.config.statusTimeoutMs, async () => {
          seen = await this.merchantStatus(order.reference);
          return seen !== undefined && wanted.includes(seen);
        }, 500);
        // What the step concluded from is evidence too, even when the status did not change.
        if (ok) await this.merchantStatus(order.reference, 'always').catch(() => undefined);
        if (!ok) throw new StepFailure(`order ${order.reference}: expected the integration to show ${wanted.join(' or ')} within ${a.within ?? this.o.config.statusTimeoutMs} ms, but it shows ${seen ?? 'nothing'}`);
        return;
      }
      case 'expect.page': {
        const a = step.args;
        const page = this.lastPage ?? (await this.ensurePage());
        const texts = [a.text ?? []].flat();
        const notTexts = [a.notText ?? []].flat();
        let text = '';
        const ok = await this.until(a.within ?? this.o.config.statusTimeoutMs, async () => {
          text = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '');
          return texts.every((t) => text.includes(t)) && notTexts.every((t) => !text.includes(t));
        });
        this.observe({ type: 'page', at: this.now(), name: 'expect.page', url: page.url(), text });
        if (!ok) throw new StepFailure(`page ${page.url()}: expected ${texts.map((t) => `"${t}"`).join(', ')}${notTexts.length ? ` without ${notTexts.map((t) => `"${t}"`).join(', ')}` : ''}; it shows: ${text.slice(0, 300)}`);
        return;
      }
      case 'expect.traffic':
      case 'expect.noTraffic': {
        const a = step.args as any;
        const reference = a.reference ?? this.current?.reference;
        const ops = Array.isArray(a.operation) ? a.operation : [a.operation];
        const startedAt = this.now();
        if (step.name === 'expect.noTraffic' && a.during) await sleep(a.during);
        const { exchanges } = await this.o.control.traffic({ operation: ops, api: a.api, reference });
        const matching = exchanges.filter(
          (e) =>
            (step.name === 'expect.traffic' || e.startedAt >= startedAt) &&
            Object.entries((a.where ?? {}) as Record<string, unknown>).every(([path, v]) => evalJsonPath(e.request.body, path) === v),
        );
        const n = matching.length;
        if (step.name === 'expect.noTraffic') {
          if (n > 0) throw new StepFailure(`expected no ${ops.join('/')} calls, saw ${n}: ${matching.map((e) => `#${e.seq}`).join(', ')}`);
          return;
        }
        const { count, min, max } = a;
        const fine = (count === undefined || n === count) && (min === undefined || n >= min) && (max === undefined || n <= max) && (count !== undefined || min !== undefined || max !== undefined || n > 0);
        if (!fine) throw new StepFailure(`expected ${count ?? `${min ?? 1}..${max ?? '∞'}`} ${ops.join('/')} call(s)${reference ? ` for ${reference}` : ''}, saw ${n}`);
        return;
      }
      case 'wait': {
        const a = step.args;
        await sleep((a.ms ?? 0) + (a.seconds ?? 0) * 1000);
        return;
      }
      case 'set':
        Object.assign(this.scope.vars as Record<string, unknown>, step.args);
        return;
      default: {
        const never: never = step;
        throw new StepFailure(`unsupported step ${(never as ResolvedStep).name}`);
      }
    }
  }

  /** The integration's order status for a reference, mapped to golive's canonical statuses. */
  async merchantStatus(reference: string, record: 'on-change' | 'always' = 'on-change'): Promise<string | undefined> {
    const result = await this.merchant.run('orderStatus', { ...this.scope, reference });
    const raw = String(result.extracted.status ?? '');
    const status = canonicalStatus(this.o.profile, raw) ?? raw;
    const lastSeen = [...this.record.observations].reverse().find((o) => o.type === 'merchant-order' && o.reference === reference) as
      | Extract<Observation, { type: 'merchant-order' }>
      | undefined;
    if (record === 'always' || lastSeen?.status !== status) this.observe({ type: 'merchant-order', at: this.now(), reference, status, raw });
    return status;
  }

  private async until(withinMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<boolean> {
    const deadline = Date.now() + Math.min(withinMs, this.o.config.stepTimeoutMs);
    for (;;) {
      try {
        if (await probe()) return true;
      } catch (err) {
        if (err instanceof ActionError && Date.now() >= deadline) throw err;
      }
      if (Date.now() >= deadline) return false;
      await sleep(intervalMs);
    }
  }

  private async recordRefusal(action: string, err: unknown, page: Page | undefined): Promise<void> {
    if (page) {
      await page.waitForLoadState('domcontentloaded').catch(() => undefined);
      await this.recordPage(`${action}-error`, page, false, this.current?.reference);
      return;
    }
    const last = [...this.merchantTraffic].reverse().find((e) => e.operation === action);
    const body = last?.response?.body;
    this.observe({
      type: 'page',
      at: this.now(),
      name: `${action}-error`,
      url: last?.request.url ?? '',
      status: last?.response?.status,
      text: typeof body === 'string' ? body : JSON.stringify(body ?? firstLine(err)),
      reference: this.current?.reference,
    });
  }

  private async recordPage(name: string, page: Page, freshBrowser: boolean, reference?: string, status?: number): Promise<void> {
    const text = await page.locator('body').innerText({ timeout: 5000 }).catch(() => '');
    const shot = await this.screenshot(name, page);
    this.observe({ type: 'page', at: this.now(), name, url: this.redactor.text(page.url()), status, text, freshBrowser, reference, screenshot: shot });
  }

  private async screenshot(name: string, page = this.lastPage): Promise<string | undefined> {
    if (!page || page.isClosed()) return undefined;
    const png = await page.screenshot({ fullPage: true, timeout: 5000 }).catch(() => undefined);
    if (!png) return undefined;
    const file = `${name}-${this.record.observations.length}.png`;
    await this.o.hooks.attach(file, png, 'image/png');
    return file;
  }

  /** The flow's traffic: its payments' exchanges, plus token and webhook-API calls during the flow. */
  async collectTraffic(): Promise<Exchange[]> {
    const byId = new Map<number, Exchange>();
    for (const reference of this.record.references) {
      const { exchanges } = await this.o.control.traffic({ reference, limit: 10_000 });
      for (const e of exchanges) byId.set(e.seq, e);
    }
    // Create attempts that never became a payment (refused by an injected error) are found by
    // this flow's amount, which no other flow uses.
    const creates = await this.o.control.traffic({ operation: 'createPayment', msn: this.msn, since: this.record.startedAt, limit: 10_000 });
    for (const e of creates.exchanges) if ((e.request.body as any)?.amount?.value === this.flowAmount) byId.set(e.seq, e);
    const { exchanges } = await this.o.control.traffic({ api: ['access-token', 'webhooks'], since: this.record.startedAt, limit: 10_000 });
    for (const e of exchanges) if (e.kind === 'api' && e.startedAt <= (this.record.endedAt || this.now())) byId.set(e.seq, e);
    for (const e of this.merchantTraffic) byId.set(e.seq, this.redactor.exchange(e));
    return [...byId.values()].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  }

  /** Judge the flow's checklist items and write the flow's evidence file. */
  async finish(): Promise<{ results: ItemResult[]; traffic: Exchange[] }> {
    if (!this.record.endedAt) this.record.endedAt = this.now();
    await this.o.control.clearFaults(this.label).catch(() => undefined);
    const traffic = await this.collectTraffic();
    const results = evaluateFlow(this.o.flow.checklist, { traffic, flows: [this.record], profile: profileFacts(this.o.profile) });
    const dir = join(this.o.config.runDir, 'flows');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${this.o.suite.suite}__${this.o.flow.id}.json`),
      // Observations hold page text and error messages: they pass the Redactor like everything written.
      JSON.stringify({ record: this.redactor.value(this.record), results: this.redactor.value(results), merchantTraffic: this.merchantTraffic.map((e) => this.redactor.exchange(e)) }, null, 2),
    );
    return { results, traffic };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.context?.close(), ...this.extraContexts.map((c) => c.close()), this.merchant.close()]);
    await this.attachVideos().catch(() => undefined);
  }

  // --- evidence for the report (per-step traffic, videos) ---------------------------------

  /** Sequence number of the last sandbox exchange already attached to a step. */
  private trafficCursor = 0;
  private readonly videoPages: { page: Page; label: string }[] = [];

  private contextOptions(): BrowserContextOptions {
    return this.o.recordVideo ? { recordVideo: this.o.recordVideo } : {};
  }

  /**
   * The exchanges logged since the previous step that belong to this flow (its payments, its
   * refused creates, token and webhook-API calls, its merchant-actor calls), handed to
   * hooks.stepTraffic. Bounded: a few small queries per step, each after the last cursor.
   */
  private async attachStepTraffic(step: string, merchantFrom: number): Promise<void> {
    if (!this.o.hooks.stepTraffic) return;
    try {
      const afterSeq = this.trafficCursor;
      const limit = 200;
      const queries = [
        this.o.control.traffic({ afterSeq, api: ['access-token', 'webhooks'], kind: 'api', limit }),
        this.o.control.traffic({ afterSeq, operation: 'createPayment', msn: this.msn, limit }),
        ...this.record.references.map((reference) => this.o.control.traffic({ afterSeq, reference, limit })),
      ];
      const answers = await Promise.all(queries);
      // Only up to what every answer covers (the log grows meanwhile, and a full answer may have
      // left some out): the rest goes to the next step.
      const upTo = Math.min(...answers.map((a) => (a.exchanges.length >= limit ? a.exchanges[a.exchanges.length - 1].seq : a.lastSeq)));
      const bySeq = new Map<number, Exchange>();
      answers.forEach((a, i) => {
        for (const e of a.exchanges) {
          if (e.seq > upTo) continue;
          if (i === 1 && (e.request.body as any)?.amount?.value !== this.flowAmount && !this.record.references.includes(e.reference ?? '')) continue;
          bySeq.set(e.seq, e);
        }
      });
      this.trafficCursor = Math.max(afterSeq, upTo);
      const merchant = this.merchantTraffic.slice(merchantFrom).map((e) => this.redactor.exchange(e));
      const exchanges = [...bySeq.values(), ...merchant].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
      if (exchanges.length) await this.o.hooks.stepTraffic(exchanges, { step, flowStartedAt: this.record.startedAt });
    } catch (err) {
      await this.o.hooks.attach('traffic-unavailable.txt', `golive could not read this step's traffic from the sandbox: ${firstLine(err)}`, 'text/plain').catch(() => undefined);
    }
  }

  private async attachVideos(): Promise<void> {
    if (!this.o.recordVideo) return;
    for (const [i, { page, label }] of this.videoPages.entries()) {
      const path = await page.video()?.path().catch(() => undefined);
      if (!path || !existsSync(path)) continue;
      const name = `video ${i + 1} (${label}).webm`;
      if (this.o.hooks.attachFile) await this.o.hooks.attachFile(name, path, 'video/webm');
      else await this.o.hooks.attach(name, readFileSync(path), 'video/webm');
    }
  }

  /** Facts for the run's JSON and the report. */
  get currentOrder(): Order | undefined {
    return this.current;
  }
}

export function profileFacts(profile: ResolvedProfile): ProfileFacts {
  return {
    id: profile.profile,
    kind: profile.kind,
    msn: profile.merchant.msn,
    capabilities: profile.capabilities as ProfileFacts['capabilities'],
    system: profile.system,
  };
}

function landingToken(page: Page): string | undefined {
  for (const url of [page.url(), ...page.frames().map((f) => f.url())]) {
    try {
      const u = new URL(url);
      if (u.pathname.endsWith('/landing') && u.searchParams.get('token')) return u.searchParams.get('token')!;
    } catch {
      /* about:blank etc. */
    }
  }
  return undefined;
}

export function stepTitle(step: SuiteStep): string {
  const args = Object.entries(step.args ?? {})
    // Leave out what says nothing: unset args, empty objects, and the default `expectError: false`.
    .filter(([k, v]) => v !== undefined && !(k === 'expectError' && v === false) && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return args ? `${step.name} { ${args} }` : step.name;
}

function describeFault(f: any): string {
  const e = f.effect ?? {};
  const what = e.type === 'status' ? `HTTP ${e.status}${e.code ? ` (code ${e.code})` : ''}` : e.type;
  const where = [f.match?.operation, f.match?.reference ? `reference ${f.match.reference}` : f.match?.amount ? `amount ${f.match.amount}` : undefined].filter(Boolean).join(', ');
  return `${what}${where ? ` on ${where}` : ''}${f.times ? `, ${f.times}×` : ''}`;
}

function summariseAggregate(agg: any): string {
  if (!agg) return 'no aggregate';
  return AGGREGATE_KEYS.map((k) => `${k} ${agg[k]?.value ?? '?'}`).join(', ');
}
