import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What `golive run` hands to Playwright (via GOLIVE_RUN_CONFIG, a JSON file in the run folder):
 * which suites and profile, where the run's outputs go, and how to reach the Vipps side.
 */
export const RunConfigSchema = z.object({
  runId: z.string(),
  /** reports/<run-id> */
  runDir: z.string(),
  /** Run start (ISO), stated in the evidence summary. */
  startedAt: z.string(),
  profileFile: z.string(),
  suiteFiles: z.array(z.string()).min(1),
  /** `embedded`: golive starts its sandbox; `external`: use a running sandbox at `sandboxUrl`. */
  sandbox: z.object({ mode: z.enum(['embedded', 'external']).default('embedded'), url: z.string().optional() }).prefault({}),
  /** Upper bound for any single step's wait, so a hanging integration fails its flow in time. */
  stepTimeoutMs: z.number().int().positive().default(60_000),
  /** Per-request timeout for actor calls to the integration (profile timeouts.action, or --action-timeout). */
  actionTimeoutMs: z.number().int().positive().default(15_000),
  /** Default `within` of expect steps (profile timeouts.status, or --status-timeout). */
  statusTimeoutMs: z.number().int().positive().default(15_000),
  /** Extra environment for the integration (e.g. fault switches in self-tests). */
  integrationEnv: z.record(z.string(), z.string()).default({}),
  golivVersion: z.string().optional(),
  /** What the integration talks to: golive's sandbox, or the real test API through the recording proxy. */
  target: z.enum(['sandbox', 'test-api']).default('sandbox'),
  /** --target test-api: where the proxy forwards to, its request rate, and who approves as the customer. */
  testApi: z
    .object({
      upstream: z.string(),
      requestsPerSecond: z.number().positive(),
      customer: z.enum(['force-approve', 'interactive']),
      /** How long an interactive customer may take (ms). */
      customerTimeoutMs: z.number().int().positive().default(300_000),
      /** The delivery relay (profile testApi.relay). */
      relay: z.object({ publicUrl: z.string().optional(), port: z.number().int().optional() }).default({}),
    })
    .optional(),
  /** `i/n` for a --shard run. */
  shard: z.string().optional(),
  /** A platform's installations the run covers (`--installations`; absent: all the profile's). */
  installations: z.array(z.string()).min(1).optional(),
});
export type RunConfig = z.output<typeof RunConfigSchema>;

export const RUN_CONFIG_ENV = 'GOLIVE_RUN_CONFIG';

export function readRunConfig(file = process.env[RUN_CONFIG_ENV]): RunConfig {
  if (!file) throw new Error(`${RUN_CONFIG_ENV} is not set: start flows with \`golive run\`, not with playwright directly`);
  return RunConfigSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Runtime facts global setup learns and passes to workers through the environment. */
export const RUNTIME_ENV = {
  sandboxUrl: 'GOLIVE_SANDBOX_URL',
  /** Where workers read traffic and tag flows: the sandbox, or with --target test-api golive's run-control server. */
  controlUrl: 'GOLIVE_CONTROL_URL',
  integrationPort: 'GOLIVE_INTEGRATION_PORT',
  /** --target test-api: golive's own rate-limited lane to the upstream (src/runner/test-api-side.ts). */
  testApiLane: 'GOLIVE_TEST_API_LANE',
} as const;

/** Set in the integration's environment: finds every process a run started (tests look for leftovers by it). */
export const RUN_MARKER_ENV = 'GOLIVE_RUN_ID';
/** Written into the run folder when the integration dies during the run; flows that then fail cite it. */
export const INTEGRATION_EXIT_FILE = 'integration-exit.json';

export interface IntegrationExit {
  code: number | null;
  signal: string | null;
  at: string;
  /** The integration's last output lines, redacted. */
  lastOutput: string[];
}

export function describeExit(e: { code: number | null; signal: string | null }): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}
