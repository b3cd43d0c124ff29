import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunSummary } from '../../src/report/run-summary.ts';

const root = resolve(import.meta.dirname, '../..');

export type FlowFile = { record: { id: string; outcome: string; error?: string } };

export interface GoliveRun {
  code: number;
  stdout: string;
  runDir: string;
  flows: FlowFile[];
  summary: RunSummary;
}

/** `golive run --out <fresh dir> --workers 2 <args>` from the golive folder: exit code, output and the run folder's files. */
export async function goliveRun(args: readonly string[], env: NodeJS.ProcessEnv, o: { prefix?: string; timeoutMs?: number } = {}): Promise<GoliveRun> {
  const out = mkdtempSync(join(tmpdir(), o.prefix ?? 'golive-run-'));
  const result = await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--workers', '2', ...args], { cwd: root, env, timeout: o.timeoutMs ?? 240_000, maxBuffer: 32 * 2 ** 20 })
    .then((r) => ({ code: 0, stdout: r.stdout }))
    .catch((err) => ({ code: Number(err.code), stdout: `${err.stdout}\n${err.stderr}` }));
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  return { ...result, runDir, flows: flowFiles(runDir), summary: JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary };
}

export const flowFiles = (runDir: string): FlowFile[] => readdirSync(join(runDir, 'flows')).map((f) => JSON.parse(readFileSync(join(runDir, 'flows', f), 'utf8')) as FlowFile);

/** NOT APPLICABLE flows and why. */
export const notApplicableFlows = (flows: readonly FlowFile[]) => new Map(flows.filter((f) => f.record.outcome === 'not-applicable').map((f) => [f.record.id, f.record.error ?? '']));

const filesOf = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesOf(join(d, n)) : [join(d, n)]));

/** Text files of the run folder holding any of these secrets (binary media aside). */
export const secretLeaks = (runDir: string, secrets: readonly string[]): string[] =>
  filesOf(runDir).filter((f) => !/\.(png|webm|zip)$/.test(f) && secrets.some((k) => readFileSync(f, 'utf8').includes(k)));

/**
 * Items a test-api run proved (environment test-api, listed by no NOT APPLICABLE flow) and those
 * whose verdict differs from the sandbox run's: the test-api mode must judge as the sandbox does.
 */
export function verdictsAgainstSandbox(testApi: GoliveRun, sandbox: RunSummary): { comparable: string[]; differences: string[] } {
  const na = notApplicableFlows(testApi.flows);
  const sandboxVerdict = new Map(sandbox.items.map((i) => [i.id, i.verdict]));
  const listedByNa = new Set(testApi.summary.flows.filter((f) => na.has(f.id)).flatMap((f) => f.checklist));
  const comparable = testApi.summary.items.filter((i) => i.environment === 'test-api' && !listedByNa.has(i.id));
  return {
    comparable: comparable.map((i) => i.id),
    differences: comparable.filter((i) => i.verdict !== sandboxVerdict.get(i.id)).map((i) => `${i.id}: test-api ${i.verdict}, sandbox ${sandboxVerdict.get(i.id)}`),
  };
}
