import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { CustomerActor } from '../actors/customer.ts';
import { firstLine, MerchantActor } from '../actors/merchant.ts';
import { pageText } from '../actors/page-text.ts';
import type { FlowRecord, Observation } from '../checks/types.ts';
import type { Fault, FaultSpecInput } from '../contract/faults.ts';
import { IntegrationDefect } from '../shared/errors.ts';
import { flowScope, type Flow, type InstallationRef, type ResolvedProfile, type Suite } from '../suite/index.ts';
import type { Scope } from '../suite/template.ts';
import { SCREENSHOTS_DIR } from '../report/screenshots.ts';
import { Redactor } from '../traffic/redact.ts';
import type { Exchange } from '../traffic/types.ts';
import { goliveSeq } from '../traffic/exchange-number.ts';
import type { SandboxControl } from './control.ts';
import { driverFor, type TestApiDriverOptions } from './drivers/index.ts';
import { TestApiClient } from './drivers/test-api-client.ts';
import type { ApiDriver } from './drivers/types.ts';
import { readOrder, type OrderReading } from './order-status.ts';
import { RUNTIME_ENV, type RunConfig } from './run-config.ts';

/** A step's expectation was not met (the flow fails with this message). */
export class StepFailure extends IntegrationDefect {}

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

export interface FlowContextOptions {
  config: RunConfig;
  suite: Suite;
  flow: Flow;
  profile: ResolvedProfile;
  control: SandboxControl;
  sandboxUrl: string;
  /** Unique within the run; used to give each flow its own payment amount. */
  ordinal: number;
  browser?: Browser;
  hooks: FlowHooks;
  /** Record a video of every browser context the flow opens (Playwright's recordVideo). */
  recordVideo?: BrowserContextOptions['recordVideo'];
  /** A platform's installation the flow runs for (`profile` is then that installation's view, installationProfile). */
  installation?: InstallationRef & { env?: Record<string, string> };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A flow's state, as every step handler sees it: its scope and orders, its browser pages, what it
 * observed, the actors and the API driver, the sandbox control client, the run's config and the
 * report hooks.
 */
export class FlowContext {
  readonly record: FlowRecord;
  readonly merchantTraffic: Exchange[] = [];
  readonly merchant: MerchantActor;
  readonly customer: CustomerActor;
  readonly driver: ApiDriver;
  readonly scope: Scope;
  readonly flowAmount: number;
  /** Labels the flow's sandbox faults, so they can be removed together. */
  readonly label: string;
  readonly redactor = new Redactor();
  readonly orders = new Map<string, Order>();
  current: Order | undefined;
  /** The checkout browser's page, and the page a step looked at last. */
  page: Page | undefined;
  lastPage: Page | undefined;
  readonly contexts: BrowserContext[] = [];
  readonly videoPages: { page: Page; label: string }[] = [];
  /** Offset of the sandbox clock from this process's clock (observations use sandbox time, like exchanges). */
  clockOffset = 0;

  constructor(readonly o: FlowContextOptions) {
    // One flow runs once per installation: the id names both, so tags, evidence and verdicts stay apart.
    const id = o.installation ? `${o.flow.id}@${o.installation.id}` : o.flow.id;
    this.label = `${o.suite.suite}/${id}/${process.pid}-${Date.now()}`;
    this.record = {
      suite: o.suite.suite,
      id,
      ...(o.installation ? { installation: o.installation.id } : {}),
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
      // Tagged with the flow's id: a run-wide judgement tells the flows' own actions apart by it.
      record: (e) => this.merchantTraffic.push({ ...e, flowId: id, seq: goliveSeq(this.merchantTraffic.length), id: `merchant-${this.merchantTraffic.length}` }),
    });
    this.driver = driverFor(o.suite.api, o.control, o.profile.merchant.msn, testApiOptions(o));
    this.customer = new CustomerActor(this.driver);
    this.scope = flowScope({ suite: o.suite, flow: o.flow, profile: o.profile, sandboxUrl: o.sandboxUrl, ...(o.installation ? { installation: o.installation } : {}) });
    // Each flow pays a distinct amount, so sandbox faults scoped to it never touch other flows.
    const base = Number((this.scope.vars as Record<string, unknown>).amount ?? 10_000);
    this.flowAmount = base + o.ordinal;
    this.scope.amount = this.flowAmount;
    // What ties the flow's refused creates to it, for the checks as for the runner (src/traffic/flow-scope.ts).
    this.record.msn = this.msn;
    this.record.amount = this.flowAmount;
  }

  get msn(): string {
    return this.o.profile.merchant.msn;
  }
  get control(): SandboxControl {
    return this.o.control;
  }
  get config(): RunConfig {
    return this.o.config;
  }
  get hooks(): FlowHooks {
    return this.o.hooks;
  }
  get hasBrowser(): boolean {
    return this.o.browser !== undefined;
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  observe(o: Observation): void {
    this.record.observations.push(o);
  }

  /** The named order, or the current one. */
  order(reference?: string): Order {
    if (reference) return this.orders.get(reference) ?? { reference, amount: this.flowAmount };
    if (!this.current) throw new StepFailure('no order yet: a merchant.checkout step must come first');
    return this.current;
  }

  /** A new order of this flow becomes the current one. */
  addOrder(order: Order): void {
    this.orders.set(order.reference, order);
    this.current = order;
    this.record.references.push(order.reference);
  }

  contextOptions(): BrowserContextOptions {
    return this.o.recordVideo ? { recordVideo: this.o.recordVideo } : {};
  }

  /** The checkout browser's page, opened on first use. */
  async ensurePage(): Promise<Page> {
    if (!this.o.browser) throw new StepFailure('this step needs a browser, but the run has none');
    if (!this.page) {
      const context = await this.o.browser.newContext(this.contextOptions());
      this.contexts.push(context);
      this.page = await context.newPage();
      this.videoPages.push({ page: this.page, label: 'checkout browser' });
    }
    this.lastPage = this.page;
    return this.page;
  }

  /** A page in a new browser context: no cookies, no storage, as when the app opens the default browser. */
  async freshPage(step: string): Promise<Page> {
    if (!this.o.browser) throw new StepFailure(`${step} needs a browser`);
    const context = await this.o.browser.newContext(this.contextOptions());
    this.contexts.push(context);
    const page = await context.newPage();
    this.videoPages.push({ page, label: 'fresh browser' });
    this.lastPage = page;
    return page;
  }

  /** Scope a fault to this flow: its MSN and its payment (by reference once known, else by its amount). */
  async addFault(spec: FaultSpecInput): Promise<void> {
    const match = { ...(spec.match ?? {}) };
    match.msn ??= this.msn;
    if (match.reference === undefined && match.amount === undefined) {
      if (this.current) match.reference = this.current.reference;
      else match.amount = this.flowAmount;
    }
    const fault = await this.control.addFault({ ...spec, match, label: this.label });
    this.observe({ type: 'fault', at: this.now(), description: describeFault(fault), spec: fault });
  }

  /** The integration's order status for a reference, mapped to golive's canonical statuses (the first the word may mean). */
  async merchantStatus(reference: string, record: 'on-change' | 'always' = 'on-change'): Promise<string | undefined> {
    return (await this.merchantOrder(reference, record)).statuses[0];
  }

  /** The integration's order, read by meaning (every status its word may mean, its amounts); recorded as evidence. */
  async merchantOrder(reference: string, record: 'on-change' | 'always' = 'on-change'): Promise<OrderReading> {
    const result = await this.merchant.run('orderStatus', { ...this.scope, reference });
    const reading = readOrder(this.o.profile, result.extracted, this.orders.get(reference)?.amount);
    const status = reading.statuses[0];
    const lastSeen = [...this.record.observations].reverse().find((o) => o.type === 'merchant-order' && o.reference === reference) as
      | Extract<Observation, { type: 'merchant-order' }>
      | undefined;
    const cardType = typeof result.extracted.cardType === 'string' ? { cardType: result.extracted.cardType } : {};
    if (record === 'always' || lastSeen?.status !== status || (cardType.cardType && lastSeen?.cardType !== cardType.cardType))
      this.observe({ type: 'merchant-order', at: this.now(), reference, status, raw: reading.raw, ...cardType });
    return reading;
  }

  /** Probe until it holds or `withinMs` passed (capped by the step timeout); the last probe's error, if it threw, explains a miss. */
  async until(withinMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<boolean> {
    const deadline = Date.now() + Math.min(withinMs, this.config.stepTimeoutMs);
    for (;;) {
      let failure: { err: unknown } | undefined;
      try {
        if (await probe()) return true;
      } catch (err) {
        failure = { err }; // retried until the deadline: a flaky read is not yet a verdict
      }
      if (Date.now() >= deadline) {
        if (failure) throw failure.err;
        return false;
      }
      await sleep(intervalMs);
    }
  }

  /** What the integration showed when it refused an action (expectError): its page, or its HTTP answer. */
  async recordRefusal(action: string, err: unknown, page: Page | undefined): Promise<void> {
    if (page) {
      // A page that never settles is recorded as it is: what it shows is the evidence.
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
      answer: true,
    });
  }

  async recordPage(name: string, page: Page, freshBrowser: boolean, reference?: string, status?: number): Promise<void> {
    const text = await pageText(page, 5000);
    const shot = await this.screenshot(name, page);
    this.observe({ type: 'page', at: this.now(), name, url: this.redactor.text(page.url()), status, text, freshBrowser, reference, screenshot: shot });
  }

  /**
   * A screenshot attached to the current step; evidence only, so a page that cannot be shot gives
   * none. Its name is its path in the run folder (`screenshots/<suite>__<flow>/<name>-<n>.png`, a
   * link to the report's copy: src/report/screenshots.ts), unique over the run, as findings cite it.
   */
  async screenshot(name: string, page = this.lastPage): Promise<string | undefined> {
    if (!page || page.isClosed()) return undefined;
    const png = await page.screenshot({ fullPage: true, timeout: 5000 }).catch(() => undefined);
    if (!png) return undefined;
    const file = `${SCREENSHOTS_DIR}/${this.record.suite}__${this.record.id}/${name}-${this.record.observations.length}.png`;
    await this.hooks.attach(file, png, 'image/png');
    return file;
  }
}

/** The test-api driver's client and customer, from the run config and the profile (undefined against the sandbox). */
function testApiOptions(o: FlowContextOptions): TestApiDriverOptions | undefined {
  const t = o.config.testApi;
  if (o.config.target !== 'test-api' || !t) return undefined;
  const m = o.profile.merchant;
  return {
    // golive's own calls take the rate-limited lane when the run has one (workers of a run always do).
    client: new TestApiClient(process.env[RUNTIME_ENV.testApiLane] ?? t.upstream, { msn: m.msn, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKey: m.subscriptionKey, pspId: m.pspId }, o.config.actionTimeoutMs),
    customer: { mode: t.customer, phoneNumber: o.profile.testApi?.phoneNumber, timeoutMs: t.customerTimeoutMs },
  };
}

function describeFault(f: Fault): string {
  const e = f.effect;
  const what = e.type === 'status' ? `HTTP ${e.status}${e.code ? ` (code ${e.code})` : ''}` : e.type;
  const where = [f.match?.operation, f.match?.reference ? `reference ${f.match.reference}` : f.match?.amount ? `amount ${f.match.amount}` : undefined].filter(Boolean).join(', ');
  return `${what}${where ? ` on ${where}` : ''}${f.times ? `, ${f.times}×` : ''}`;
}
