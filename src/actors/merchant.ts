import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { Page, Request } from 'playwright-core';
import { evalJsonPath } from '../suite/jsonpath.ts';
import { interpolate, type Scope } from '../suite/template.ts';
import type { Action, HttpAction, ResolvedProfile } from '../suite/index.ts';
import type { ExchangeInput } from '../traffic/types.ts';
import { foreignFailureKind, IntegrationDefect, type FailureKind } from '../shared/errors.ts';

/**
 * An action failed in a way the flow must report (bad status, timeout, missing value): the
 * integration's doing — unless what broke underneath was the environment (a closed browser, a
 * refused local port), which then decides the kind.
 */
export class ActionError extends IntegrationDefect {
  constructor(readonly action: string, message: string, options?: { cause?: unknown }) {
    super(`merchant action ${action}: ${message}`, options);
  }

  override get kind(): FailureKind {
    return this.cause !== undefined && foreignFailureKind(this.cause) === 'environment problem' ? 'environment problem' : 'integration defect';
  }
}

export interface ActionResult {
  /** Values named by the action's `extract` (reference, redirectUrl, status, …). */
  extracted: Record<string, unknown>;
  status?: number;
  body?: unknown;
}

/**
 * The merchant actor drives the integration from the outside, exactly as its profile says:
 * each action is an HTTP request or a short browser script. Every HTTP exchange it makes, and
 * every form a browser action submits, is handed to `record` (the flow's traffic, kind `merchant`).
 */
export class MerchantActor {
  private readonly follow: Dispatcher;
  private readonly noFollow: Dispatcher;

  constructor(
    readonly profile: ResolvedProfile,
    private readonly options: { timeoutMs: number; record: (e: ExchangeInput) => void; now?: () => number },
  ) {
    this.noFollow = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    this.follow = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }).compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  has(name: string): boolean {
    return Boolean(this.profile.actions[name]);
  }

  action(name: string): Action {
    const action = this.profile.actions[name] as Action | undefined;
    if (!action) throw new ActionError(name, `the profile ${this.profile.profile} defines no action "${name}"`);
    return action;
  }

  /** Run a profile action; browser actions need `page`. */
  async run(name: string, scope: Scope, page?: Page): Promise<ActionResult> {
    const action = this.action(name);
    if (action.http) return this.http(name, action.http, scope);
    if (!page) throw new ActionError(name, 'is a browser action but the flow has no browser page');
    return this.browser(name, action.browser ?? [], scope, page);
  }

  private async http(name: string, spec: HttpAction, scope: Scope): Promise<ActionResult> {
    const url = String(interpolate(spec.url, scope));
    const headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), String(interpolate(v, scope))]));
    let body: string | undefined;
    let sentBody: unknown;
    if (spec.form) {
      sentBody = interpolate(spec.form, scope);
      body = new URLSearchParams(Object.entries(sentBody as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (spec.body !== undefined) {
      sentBody = interpolate(spec.body, scope);
      body = typeof sentBody === 'string' ? sentBody : JSON.stringify(sentBody);
      headers['content-type'] ??= 'application/json';
    }
    const started = Date.now();
    const exchange: ExchangeInput = {
      kind: 'merchant',
      api: 'merchant',
      operation: name,
      reference: typeof scope.reference === 'string' ? scope.reference : undefined,
      request: { method: spec.method, url, path: safePath(url), headers, body: sentBody },
      startedAt: this.options.now?.() ?? started,
      durationMs: 0,
    };
    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(url, { method: spec.method, headers, body, dispatcher: spec.followRedirects ? this.follow : this.noFollow });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      exchange.error = describeNetworkError(err, this.options.timeoutMs);
      exchange.durationMs = Date.now() - started;
      this.options.record(exchange);
      throw new ActionError(name, `${spec.method} ${url} failed: ${exchange.error}`, { cause: new Error(exchange.error) });
    }
    const parsed = parseBody(text, responseHeaders['content-type']);
    exchange.durationMs = Date.now() - started;
    exchange.response = { status, headers: responseHeaders, body: parsed };
    this.options.record(exchange);

    const okStatuses = spec.expectStatus === undefined ? undefined : Array.isArray(spec.expectStatus) ? spec.expectStatus : [spec.expectStatus];
    const ok = okStatuses ? okStatuses.includes(status) : status >= 200 && status < (spec.followRedirects ? 300 : 400);
    if (!ok) throw new ActionError(name, `${spec.method} ${url} answered ${status}${summarise(parsed)}`);
    const extracted: Record<string, unknown> = {};
    for (const [key, path] of Object.entries(spec.extract)) {
      const value = path.startsWith('header:') ? headerOf(responseHeaders, path.slice(7)) : evalJsonPath(parsed, path);
      if (value === undefined) throw new ActionError(name, `could not extract ${key} (${path}) from the answer of ${spec.method} ${url}${summarise(parsed)}`);
      extracted[key] = value;
    }
    return { extracted, status, body: parsed };
  }

  /** Browser steps that are not a profile action of their own (e.g. a PSP's 3-D Secure page), run like one. */
  browserSteps(name: string, ops: NonNullable<Action['browser']>, scope: Scope, page: Page): Promise<ActionResult> {
    return this.browser(name, ops, scope, page);
  }

  private async browser(name: string, ops: NonNullable<Action['browser']>, scope: Scope, page: Page): Promise<ActionResult> {
    const recordNavigations = this.watchNavigations(name, scope, page);
    try {
      return await this.browserOps(name, ops, scope, page);
    } finally {
      await recordNavigations();
    }
  }

  /**
   * A form the browser action submits (any non-GET page navigation: "Pay", "Ship", "Refund" …) is
   * golive acting on the integration just as an HTTP action is, so it is recorded the same way
   * (kind `merchant`): checks tell a capture staff asked for from one the integration made on its
   * own by these. Call the returned function when the action is over to record them.
   */
  private watchNavigations(name: string, scope: Scope, page: Page): () => Promise<void> {
    const seen: { req: Request; seenAt: number }[] = [];
    const onRequest = (req: Request) => {
      if (req.method() !== 'GET' && req.isNavigationRequest()) seen.push({ req, seenAt: Date.now() });
    };
    page.on('request', onRequest);
    return async () => {
      page.off('request', onRequest);
      // The 'request' event reaches us after the browser sent it — under load after the
      // integration has already acted on it — so its time comes from the browser's own timing,
      // moved onto the clock `now` keeps (the sandbox clock).
      const offset = (this.options.now?.() ?? Date.now()) - Date.now();
      for (const { req, seenAt } of seen) {
        const res = await req.response().catch(() => null);
        const url = req.url();
        const form = req.headers()['content-type']?.includes('application/x-www-form-urlencoded');
        const data = req.postData() ?? undefined;
        const { startTime, responseEnd } = req.timing();
        const sentAt = startTime > 0 ? startTime : seenAt;
        const exchange: ExchangeInput = {
          kind: 'merchant',
          api: 'merchant',
          operation: name,
          reference: typeof scope.reference === 'string' ? scope.reference : undefined,
          request: { method: req.method(), url, path: safePath(url), headers: req.headers(), body: form && data !== undefined ? Object.fromEntries(new URLSearchParams(data)) : data },
          startedAt: sentAt + offset,
          durationMs: responseEnd >= 0 ? responseEnd : 0,
        };
        if (res) exchange.response = { status: res.status(), headers: res.headers() };
        else exchange.error = req.failure()?.errorText ?? 'no answer';
        this.options.record(exchange);
      }
    };
  }

  private async browserOps(name: string, ops: NonNullable<Action['browser']>, scope: Scope, page: Page): Promise<ActionResult> {
    const timeout = this.options.timeoutMs;
    const extracted: Record<string, unknown> = {};
    for (const op of ops) {
      const [kind, raw] = Object.entries(op)[0] as [string, unknown];
      const arg = interpolate(raw, { ...scope, ...extracted });
      try {
        switch (kind) {
          case 'goto':
            await page.goto(String(arg), { timeout, waitUntil: 'domcontentloaded' });
            break;
          case 'click':
            await page.locator(String(arg)).first().click({ timeout });
            break;
          case 'fill': {
            const { selector, value } = arg as { selector: string; value: string | number };
            await page.locator(selector).first().fill(String(value), { timeout });
            break;
          }
          case 'expectText':
            await page.getByText(String(arg)).first().waitFor({ state: 'visible', timeout });
            break;
          case 'waitForURL': {
            const pattern = String(arg);
            const re = /^\/(.*)\/$/.exec(pattern);
            await page.waitForURL(re ? new RegExp(re[1]) : pattern, { timeout, waitUntil: 'domcontentloaded' });
            break;
          }
          case 'waitFor':
            await page.locator(String(arg)).first().waitFor({ state: 'visible', timeout });
            break;
          case 'extract': {
            const { name: key, from, selector, pattern } = arg as { name: string; from: 'url' | 'text'; selector?: string; pattern: string };
            const source = from === 'url' ? page.url() : await (selector ? page.locator(selector).first() : page.locator('body')).innerText({ timeout });
            const m = new RegExp(pattern).exec(source);
            if (!m) throw new Error(`pattern /${pattern}/ did not match the ${from === 'url' ? `URL ${page.url()}` : 'page text'}`);
            extracted[key] = m[1] ?? m[0];
            break;
          }
          default:
            throw new Error(`unknown browser operation ${kind}`);
        }
      } catch (err) {
        throw new ActionError(name, `${kind} ${JSON.stringify(arg)} failed on ${page.url()}: ${firstLine(err)}`, { cause: err });
      }
    }
    return { extracted };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.follow.close(), this.noFollow.close()]);
  }
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  if (text && (ct?.includes('json') || /^[[{]/.test(text.trim()))) {
    try {
      return JSON.parse(text);
    } catch {
      /* fall through */
    }
  }
  return text;
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function summarise(body: unknown): string {
  if (body === undefined || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${timeoutMs} ms (timeout)`;
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the integration running?)';
  if (e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET') return 'the connection was closed before an answer (did the integration crash?)';
  // undici's redirect error carries a page of advice; the fact is enough.
  if (e.code === 'UND_ERR_MAX_REDIRECTIONS' || /max(imum)? redirect/i.test(e.message ?? '')) return 'too many redirects (a redirect loop?)';
  const text = e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
