import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

export interface SharedRun {
  /** golive's exit code and output. */
  code: number;
  stdout: string;
  /** The run folder (`<out>/latest`). */
  runDir: string;
}

/**
 * A `golive run` with these arguments, run once per `npm test` and shared by every test file that
 * judges the same run (the main job's reference-merchant run is ~70 s on two cores): the first
 * caller runs it, later callers — in this file or another, even concurrently — read its folder.
 * Callers must only read the folder. Keys name the arguments; the same key with other arguments
 * is a mistake and throws.
 */
export async function sharedRun(key: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<SharedRun> {
  const dir = join(inject('runCache'), key);
  const done = join(dir, 'result.json');
  const signature = JSON.stringify(args);
  try {
    mkdirSync(dir);
  } catch {
    // Another caller runs it: wait for its result (bounded like the run itself).
    const until = Date.now() + 300_000;
    while (!existsSync(done)) {
      if (Date.now() > until) throw new Error(`shared run ${key}: no result after 300 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const cached = JSON.parse(readFileSync(done, 'utf8')) as SharedRun & { signature: string };
    if (cached.signature !== signature) throw new Error(`shared run ${key} was run with ${cached.signature}, not ${signature}`);
    return cached;
  }
  const out = join(dir, 'out');
  const result = await promisify(execFile)(process.execPath, ['bin/golive.mjs', 'run', '--out', out, ...args], { cwd: root, env, timeout: 240_000, maxBuffer: 32 * 2 ** 20 })
    .then((r) => ({ code: 0, stdout: r.stdout }))
    .catch((err) => ({ code: typeof err.code === 'number' ? err.code : -1, stdout: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }));
  const runDir = existsSync(join(out, 'latest')) ? join(out, readlinkSync(join(out, 'latest'))) : out;
  const shared = { ...result, runDir };
  writeFileSync(done, JSON.stringify({ ...shared, signature }));
  return shared;
}

/** The main job (`golive run`: the reference merchant, every default suite) with two workers. */
export const MAIN_RUN = { key: 'reference-merchant-main', args: ['--workers', '2'] } as const;
