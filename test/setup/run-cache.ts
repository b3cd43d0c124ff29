import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder for golive runs several test files judge (test/helpers/shared-run.ts), gone after the test run. */
    runCache: string;
  }
}

/** vitest global setup: one cache folder per `npm test`, removed when it ends. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'golive-run-cache-'));
  project.provide('runCache', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
