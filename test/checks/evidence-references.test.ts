import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceReferencesOf } from '../../src/checks/support/orders.ts';
import { readRecordedRun, replay, verdictsOf } from './recorded-fixture.ts';

const DIR = join(import.meta.dirname, 'fixtures/recorded');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json.gz')).sort();

/**
 * The evidence table of the summary and the EP-ORDER-* verdicts rest on one rule: on every
 * recorded run, an ending has references exactly when its item passes, and no reference is
 * listed under two endings (issue 16 found one under both CAPTURED and CANCELLED).
 */
describe('evidence references agree with the go-live order verdicts', () => {
  it.each(files)('%s', (file) => {
    const run = readRecordedRun(join(DIR, file));
    const traffic = [...run.traffic, ...run.flows.flatMap((f) => f.merchantTraffic)].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
    const refs = evidenceReferencesOf({ traffic, flows: run.flows.map((f) => f.record), profile: run.profile });
    const verdicts = verdictsOf(replay(run));
    for (const ending of ['CAPTURED', 'REFUNDED', 'CANCELLED'] as const) {
      const verdict = verdicts[`EP-ORDER-${ending}`];
      if (verdict === 'NOT_APPLICABLE') continue;
      expect(refs[ending].length > 0, `${ending}: ${verdict}, references ${refs[ending].join(', ')}`).toBe(verdict === 'PASSED');
    }
    const all = Object.values(refs).flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
