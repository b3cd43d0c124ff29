// The self-test of issue 4: the whole suite against the reference merchant, healthy and with each
// fault switch on, and the detection matrix asserted row by row (expected-detections.ts).
//
// It starts 16 golive runs (each a Playwright run with a browser and a child-process shop), so it
// takes minutes and both cores: run it with GOLIVE_SELF_TEST=1 (optionally
// GOLIVE_SELF_TEST_CONCURRENCY, default 3; GOLIVE_SELF_TEST_SHOP=sdk-shop|all for the SDK shop's
// rows, default reference-merchant). `npm test` skips it and instead replays the recorded
// runs in milliseconds (test/checks/recorded.test.ts). The same matrix as a table:
// `node bin/run-ts.mjs scripts/detection-matrix.ts`.
import { describe, expect, it } from 'vitest';
import type { Shop } from './expected-detections.ts';
import { formatMatrix, rowLabel, runMatrix, verdictLine } from './matrix.ts';

const enabled = process.env.GOLIVE_SELF_TEST === '1';

describe.skipIf(!enabled)('detection matrix (GOLIVE_SELF_TEST=1)', () => {
  it(
    'each fault switch fails exactly its items; the healthy merchant fails none',
    async () => {
      const result = await runMatrix({
        shop: (process.env.GOLIVE_SELF_TEST_SHOP ?? 'reference-merchant') as Shop | 'all',
        concurrency: Number(process.env.GOLIVE_SELF_TEST_CONCURRENCY ?? 3),
        log: (line) => console.log(line),
      });
      console.log(`\n${formatMatrix(result)}`);
      expect(result.rows.map((r) => `${rowLabel(r)}: ${verdictLine(r)}`)).toEqual(result.rows.map((r) => `${rowLabel(r)}: as expected`));
    },
    // Measured: 10.5–13 min on 2 busy cores (other runs alongside); ~6–7 min when idle.
    20 * 60_000,
  );
});
