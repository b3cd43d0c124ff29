import type { RunOptions } from './run.ts';
import type { Suite } from '../suite/index.ts';
import { RUN_TARGETS, type Profile, type RunTarget } from '../suite/profile.ts';
import { DEFAULT_UPSTREAM } from '../proxy/index.ts';
import { DURATION_EXPECTATION, parseDuration } from '../suite/duration.ts';
import { InstallationSelectionError, selectInstallations } from '../suite/profile-platform.ts';

/** A usage or configuration problem: one line, exit 2, nothing written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Check the command-line values before anything starts; throws UsageError with one line. */
export interface ParsedRunOptions {
  workers?: string;
  shard?: string;
  /** The platform installations picked by --installations (absent: all). */
  installations?: string[];
  actionTimeoutMs: number;
  statusTimeoutMs: number;
  target: RunTarget;
  testApi?: { upstream: string; requestsPerSecond: number; customer: 'force-approve' | 'interactive' };
}

/** Requests per second golive sends the shared test API by default: well below what it tolerates. */
export const DEFAULT_RATE_LIMIT = 10;

export function parseRunOptions(options: RunOptions, profile?: Profile): ParsedRunOptions {
  const out: ParsedRunOptions = {
    target: profile?.target ?? 'sandbox',
    actionTimeoutMs: profile?.timeouts.action ?? 15_000,
    statusTimeoutMs: profile?.timeouts.status ?? 15_000,
  };
  if (options.workers !== undefined) {
    const w = String(options.workers).trim();
    if (!/^[1-9]\d*$/.test(w) && !/^(?:[1-9]\d?|100)%$/.test(w)) throw new UsageError(`--workers ${JSON.stringify(options.workers)}: expected a whole number ≥ 1 or a percentage of the cores such as 50%`);
    out.workers = w;
  }
  parseTarget(options, profile, out);
  if (options.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(options.shard).trim());
    if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard ${JSON.stringify(options.shard)}: expected i/n with 1 ≤ i ≤ n, e.g. 1/2`);
    out.shard = `${Number(m[1])}/${Number(m[2])}`;
  }
  const duration = (flag: string, v: string | number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    let ms: number;
    try {
      ms = parseDuration(typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v);
    } catch {
      throw new UsageError(`${flag} ${JSON.stringify(v)}: ${DURATION_EXPECTATION}`);
    }
    if (ms < 1) throw new UsageError(`${flag} ${JSON.stringify(v)}: must be longer than 0 ms`);
    return ms;
  };
  out.actionTimeoutMs = duration('--action-timeout', options.actionTimeout, out.actionTimeoutMs);
  out.statusTimeoutMs = duration('--status-timeout', options.statusTimeout, out.statusTimeoutMs);
  if (options.installations !== undefined) {
    const ids = String(options.installations).split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new UsageError(`--installations ${JSON.stringify(options.installations)}: expected installation ids, comma-separated`);
    if (profile) {
      try {
        selectInstallations(profile, ids);
      } catch (err) {
        if (err instanceof InstallationSelectionError) throw new UsageError(err.message);
        throw err;
      }
    }
    out.installations = [...new Set(ids)];
  }
  if (options.grep !== undefined) {
    try {
      new RegExp(options.grep);
    } catch (err) {
      throw new UsageError(`--grep ${JSON.stringify(options.grep)}: not a regular expression (${(err as Error).message})`);
    }
  }
  return out;
}

/** --target, --upstream, --rate-limit, --interactive; the test API's worker cap (profile testApi.maxWorkers). */
function parseTarget(options: RunOptions, profile: Profile | undefined, out: ParsedRunOptions): void {
  if (options.target !== undefined) {
    if (!(RUN_TARGETS as readonly string[]).includes(options.target)) throw new UsageError(`--target ${JSON.stringify(options.target)}: expected ${RUN_TARGETS.join(' or ')}`);
    out.target = options.target as RunTarget;
  }
  const testApiOnly = (['upstream', 'rateLimit', 'interactive'] as const).find((k) => options[k] !== undefined && options[k] !== false);
  if (out.target !== 'test-api') {
    if (testApiOnly) throw new UsageError(`--${testApiOnly === 'rateLimit' ? 'rate-limit' : testApiOnly} applies to --target test-api only`);
    return;
  }
  if (options.sandboxUrl) throw new UsageError('--sandbox-url and --target test-api exclude each other (use --upstream to forward to a sandbox)');
  const upstream = options.upstream ?? DEFAULT_UPSTREAM;
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new UsageError(`--upstream ${JSON.stringify(upstream)}: expected an http(s) URL such as ${DEFAULT_UPSTREAM}`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`--upstream ${JSON.stringify(upstream)}: expected an http(s) URL`);
  const rps = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : Number(options.rateLimit);
  if (!(rps > 0) || !Number.isFinite(rps)) throw new UsageError(`--rate-limit ${JSON.stringify(options.rateLimit)}: expected requests per second > 0, e.g. 10`);
  const customer = options.interactive ? 'interactive' : (profile?.testApi.customer ?? 'force-approve');
  if (customer === 'interactive' && profile?.api === 'ecom-v2') throw new UsageError('--interactive supports ePayment and PSP API integrations; eCom runs with force approve');
  out.testApi = { upstream: url.href.replace(/\/+$/, ''), requestsPerSecond: rps, customer };
  // No more parallel flows than the profile allows against the shared test API.
  const max = profile?.testApi.maxWorkers ?? 1;
  if (out.workers === undefined || out.workers.endsWith('%') || Number(out.workers) > max) out.workers = String(max);
}

/**
 * Whether Playwright's --grep selects this flow: the same matching as Playwright's (a /re/flags
 * literal or a case-insensitive pattern over "file describe title tags", see src/runner/flows.spec.ts).
 */
export function grepMatches(grep: string, suite: Suite, flow: Suite['flows'][number], installations: readonly string[] = []): boolean {
  const literal = /^\/(.*)\/([gi]*)$/.exec(grep);
  const re = literal ? new RegExp(literal[1], literal[2]) : new RegExp(grep, 'i');
  const items = flow.checklist.map((id) => `@${id}`);
  // A platform's flow runs once per installation, tagged @<flow>@<installation> and @installation-<id>.
  if (installations.length) return installations.some((i) => re.test(['flows.spec.ts', suite.title, flow.title, `@${suite.suite}`, `@${flow.id}@${i}`, ...items, `@installation-${i}`].join(' ')));
  return re.test(['flows.spec.ts', suite.title, flow.title, `@${suite.suite}`, `@${flow.id}`, ...items].join(' '));
}

