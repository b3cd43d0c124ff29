import { existsSync, readFileSync } from 'node:fs';
import { PAYMENT_OPERATIONS } from '../contract/operations.ts';
import { join } from 'node:path';
import { ActionError, firstLine } from '../actors/merchant.ts';
import { evaluateFlow, type ItemResult } from '../checks/index.ts';
import type { ProfileFacts } from '../checks/types.ts';
import { ControlError } from '../sandbox/client.ts';
import { EnvironmentProblem, foreignFailureKind, GoliveError, IntegrationDefect } from '../shared/errors.ts';
import { environmentProblemOf } from '../traffic/environment.ts';
import { upstreamProblem, withoutEnvironmentBlame } from './test-api-verdicts.ts';
import { installationRef, resolveStep, type ResolvedProfile, type SuiteStep } from '../suite/index.ts';
import { exchangesOfFlow, NON_PAYMENT_APIS, type FlowTrafficScope } from '../traffic/flow-scope.ts';
import { qrIdsOf } from '../checks/support/payments.ts';
import type { Exchange } from '../traffic/types.ts';
import { FlowContext, sleep, type FlowContextOptions, type Order } from './flow-context.ts';
import { awaitFaultsMet } from './fault-wait.ts';
import { writeFlowEvidence } from './flow-evidence.ts';
import { describeExit, INTEGRATION_EXIT_FILE, type IntegrationExit } from './run-config.ts';
import { runStep } from './steps/index.ts';

export { StepFailure, type FlowHooks, type Order } from './flow-context.ts';
export type FlowRunnerOptions = FlowContextOptions;

/**
 * When the integration process died during the run, a flow's failure is about that, not about
 * the step that noticed it: say so, with its exit code and last output (global setup records them).
 * An error of no known kind becomes the integration's defect: its process is gone.
 */
async function explainIntegrationExit(err: unknown, runDir: string): Promise<unknown> {
  const file = join(runDir, INTEGRATION_EXIT_FILE);
  if (!(err instanceof Error)) return err;
  // The crash and the flow's failed request race: global setup (another process) records the exit
  // a moment after the connection broke, so a connection failure waits briefly for the record.
  if (err instanceof ActionError && /connection/.test(err.message)) {
    for (let i = 0; i < 20 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (!existsSync(file)) return err;
  let exit: IntegrationExit;
  try {
    exit = JSON.parse(readFileSync(file, 'utf8')) as IntegrationExit;
  } catch {
    return err; // a half-written file: the step's own message stands
  }
  const last = exit.lastOutput.slice(-5).join(' ⏎ ');
  const message = `the integration process exited (${describeExit(exit)}) at ${exit.at} during the run${last ? `; its last output: ${last}` : ''} — ${err.message}`;
  if (err instanceof GoliveError || err instanceof ControlError || foreignFailureKind(err) !== 'golive error') {
    err.message = message;
    return err;
  }
  return new IntegrationDefect(message, { cause: err });
}

/**
 * Runs one suite flow against the integration — its lifecycle: start (sandbox clock, the flow's
 * faults), each step through its handler (steps/), per-step traffic for the report, finish (the
 * flow's traffic judged by the checks it lists, its evidence file written), close.
 */
export class FlowRunner {
  private readonly ctx: FlowContext;
  private currentStep: string | undefined;
  /** Set by finish() when the test environment failed under the flow (--target test-api). */
  environmentProblem: EnvironmentProblem | undefined;
  private stepProblem: EnvironmentProblem | undefined;
  /** Sequence number of the last sandbox exchange already attached to a step. */
  private trafficCursor = 0;

  constructor(private readonly o: FlowRunnerOptions) {
    this.ctx = new FlowContext(o);
  }

  get record() {
    return this.ctx.record;
  }
  get merchantTraffic(): Exchange[] {
    return this.ctx.merchantTraffic;
  }
  get flowAmount(): number {
    return this.ctx.flowAmount;
  }
  get currentOrder(): Order | undefined {
    return this.ctx.current;
  }

  /** Run every step; a failing step ends the flow (recorded as step-failed) and is rethrown. */
  async run(): Promise<void> {
    const ctx = this.ctx;
    try {
      ctx.clockOffset = (await ctx.control.clock()).offsetMs;
      ctx.record.startedAt = ctx.now();
      await ctx.control.startFlowTags({ label: ctx.label, flowId: ctx.record.id, msn: ctx.msn, amount: ctx.flowAmount });
      for (const fault of this.o.flow.sandbox.faults) await ctx.addFault(fault);
      if (this.o.hooks.stepTraffic) this.trafficCursor = (await ctx.control.traffic({ afterSeq: Number.MAX_SAFE_INTEGER, limit: 1 })).lastSeq;
      for (const step of this.o.flow.steps) {
        const title = stepTitle(step);
        await this.o.hooks.step(title, async () => {
          const merchantFrom = ctx.merchantTraffic.length;
          try {
            this.currentStep = `${step.name} (line ${step.line})`;
            await runStep(ctx, resolveStep(step, ctx.scope));
          } finally {
            await this.attachStepTraffic(title, merchantFrom);
          }
        });
      }
    } catch (caught) {
      const err = await explainIntegrationExit(caught, this.o.config.runDir);
      // Against the test API a step's environment problem (no card callback after force approve, say) blames nothing on the integration.
      if (this.o.config.target === 'test-api' && err instanceof EnvironmentProblem) this.stepProblem = err;
      ctx.record.outcome = 'step-failed';
      ctx.record.error = firstLine(err);
      ctx.observe({ type: 'step-error', at: ctx.now(), step: this.currentStep ?? 'setup', message: firstLine(err) });
      await ctx.screenshot('failure'); // evidence only: screenshot() gives none for a page that cannot be shot
      throw err;
    } finally {
      ctx.record.endedAt = ctx.now();
    }
  }

  private scopeOfTraffic(): FlowTrafficScope {
    return { ...this.ctx.record, msn: this.ctx.msn, amount: this.ctx.flowAmount, flowId: this.ctx.record.id, qrIds: qrIdsOf(this.ctx.record) };
  }

  /**
   * Sandbox exchanges that may belong to the flow (its payments, creates for its MSN, the calls
   * that name no payment: token, Webhooks, QR and Userinfo APIs): a few narrow queries, so a long run's log is never read whole; which of
   * them belong to the flow is `exchangesOfFlow`'s to say.
   */
  private async candidates(query: { afterSeq?: number; since?: number }, limit: number) {
    const { control, msn, record } = this.ctx;
    return Promise.all([
      control.traffic({ ...query, api: [...NON_PAYMENT_APIS], kind: 'api', limit }),
      control.traffic({ ...query, operation: [...PAYMENT_OPERATIONS.create], msn, limit }),
      ...record.references.map((reference) => control.traffic({ ...query, reference, limit })),
    ]);
  }

  /** The flow's traffic (redacted merchant-side calls included), as the checks judge it. */
  async collectTraffic(): Promise<Exchange[]> {
    const answers = await this.candidates({ since: this.ctx.record.startedAt }, 10_000);
    const own = this.ctx.merchantTraffic.map((e) => this.ctx.redactor.exchange(e));
    return exchangesOfFlow(answers.flatMap((a) => a.exchanges), this.scopeOfTraffic(), own, this.ctx.now());
  }

  /** Judge the flow's checklist items and write the flow's evidence file. */
  async finish(): Promise<{ results: ItemResult[]; traffic: Exchange[] }> {
    const { record } = this.ctx;
    if (!record.endedAt) record.endedAt = this.ctx.now();
    // A completed flow's faults stay until the integration met them (bounded by its polling pace).
    if (record.outcome === 'completed') {
      await awaitFaultsMet(this.ctx.control, record.observations, profileFacts(this.o.profile).polling, () => this.ctx.now());
      record.endedAt = this.ctx.now(); // the integration's reaction belongs to the flow
    }
    const testApi = this.o.config.testApi;
    if (testApi && this.o.config.target === 'test-api') {
      // The proxy records an exchange when its answer is done, and its rate limit queues calls:
      // the integration's reaction to the last step (a GET after a cancel) may still be in
      // flight. A few request slots of grace, so it is judged, not missed.
      await sleep(Math.ceil((2 * 1000) / testApi.requestsPerSecond) + 500);
      record.endedAt = this.ctx.now();
    }
    await this.ctx.control.clearFaults(this.ctx.label);
    await this.ctx.control.endFlowTags(this.ctx.label); // later creates of its amount are no longer its; its payments stay tagged
    const all = await this.collectTraffic();
    // Upstream failures the proxy marked are the test environment's: judged on the rest, the flow ends as an environment problem.
    const upstream = upstreamProblem(all);
    this.environmentProblem = upstream ?? this.stepProblem;
    const traffic = all.filter((e) => !environmentProblemOf(e));
    if (this.environmentProblem) {
      record.outcome = 'step-failed';
      record.environmentProblem = true;
      if (upstream) record.error = upstream.message;
    }
    const facts = profileFacts(this.o.profile);
    const installation = this.o.installation ? { id: this.o.installation.id, msn: this.o.installation.msn, title: this.o.installation.title } : undefined;
    const judged = evaluateFlow(this.o.flow.checklist, { traffic, flows: [record], profile: installation ? { ...facts, installation } : facts });
    const results = this.environmentProblem ? withoutEnvironmentBlame(judged, this.environmentProblem) : judged;
    writeFlowEvidence(this.o.config.runDir, { record, results, merchantTraffic: this.ctx.merchantTraffic }, this.ctx.redactor);
    return { results, traffic };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.ctx.contexts.map((c) => c.close()), this.ctx.merchant.close()]);
    await this.attachVideos().catch((err) => this.o.hooks.attach('video-unavailable.txt', `golive could not attach this flow's video: ${firstLine(err)}`, 'text/plain'));
  }

  /**
   * The exchanges logged since the previous step that belong to this flow, handed to
   * hooks.stepTraffic. Bounded: a few small queries per step, each after the last cursor.
   */
  private async attachStepTraffic(step: string, merchantFrom: number): Promise<void> {
    if (!this.o.hooks.stepTraffic) return;
    try {
      const limit = 200;
      const answers = await this.candidates({ afterSeq: this.trafficCursor }, limit);
      // Only up to what every answer covers (the log grows meanwhile, and a full answer may have
      // left some out): the rest goes to the next step.
      const upTo = Math.min(...answers.map((a) => (a.exchanges.length >= limit ? a.exchanges[a.exchanges.length - 1].seq : a.lastSeq)));
      this.trafficCursor = Math.max(this.trafficCursor, upTo);
      const logged = answers.flatMap((a) => a.exchanges).filter((e) => e.seq <= upTo);
      const own = this.ctx.merchantTraffic.slice(merchantFrom).map((e) => this.ctx.redactor.exchange(e));
      const exchanges = exchangesOfFlow(logged, this.scopeOfTraffic(), own, this.ctx.now());
      if (exchanges.length) await this.o.hooks.stepTraffic(exchanges, { step, flowStartedAt: this.ctx.record.startedAt });
    } catch (err) {
      // Per-step traffic is report evidence: without it the step still stands, and the report says why.
      await this.o.hooks.attach('traffic-unavailable.txt', `golive could not read this step's traffic from the sandbox: ${firstLine(err)}`, 'text/plain');
    }
  }

  private async attachVideos(): Promise<void> {
    if (!this.o.recordVideo) return;
    for (const [i, { page, label }] of this.ctx.videoPages.entries()) {
      // A page whose context never opened has no video file: nothing to attach.
      const path = await page.video()?.path().catch(() => undefined);
      if (!path || !existsSync(path)) continue;
      const name = `video ${i + 1} (${label}).webm`;
      if (this.o.hooks.attachFile) await this.o.hooks.attachFile(name, path, 'video/webm');
      else await this.o.hooks.attach(name, readFileSync(path), 'video/webm');
    }
  }
}

export function profileFacts(profile: ResolvedProfile): ProfileFacts {
  return {
    id: profile.profile,
    kind: profile.kind,
    api: profile.api,
    msn: profile.merchant.msn,
    capabilities: profile.capabilities as ProfileFacts['capabilities'],
    ...(profile.polling ? { polling: { firstAfterMs: profile.polling.firstAfter, intervalMs: profile.polling.interval } } : {}),
    system: profile.system,
    ...(profile.customer?.phoneNumber ? { customerPhoneNumber: profile.customer.phoneNumber } : {}),
    ...cardErrorIds(profile),
    ...(profile.installations?.length ? { installations: profile.installations.map((i) => installationRef(profile, i)) } : {}),
  };
}

/** The errorIds a PSP declares for its PSP API test cards, by card name. */
function cardErrorIds(profile: ResolvedProfile): Pick<ProfileFacts, 'cardErrorIds'> {
  const ids = Object.entries(profile.pspApi?.cards ?? {}).flatMap(([name, c]) => (c.errorId !== undefined ? [[name, c.errorId] as const] : []));
  return ids.length > 0 ? { cardErrorIds: Object.fromEntries(ids) } : {};
}

export function stepTitle(step: SuiteStep): string {
  const args = Object.entries(step.args ?? {})
    // Leave out what says nothing: unset args, empty objects, and the default `expectError: false`.
    .filter(([k, v]) => v !== undefined && !(k === 'expectError' && v === false) && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return args ? `${step.name} { ${args} }` : step.name;
}
