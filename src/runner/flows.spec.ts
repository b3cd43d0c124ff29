import { test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowApplicability, flowNeedsBrowser, loadProfile, loadSuite, resolveSecrets } from '../suite/index.ts';
import { ControlClient } from './control-client.ts';
import { FlowRunner } from './flow-runner.ts';
import { readRunConfig, RUNTIME_ENV } from './run-config.ts';

/**
 * Every flow of every suite becomes one Playwright test; every step a test.step. The file is
 * evaluated identically in each worker, so the flow ordinals (which give each flow its own
 * payment amount) agree everywhere.
 */
const config = readRunConfig();
const profile = resolveSecrets(await loadProfile(config.profileFile));
const suites = await Promise.all(config.suiteFiles.map((f) => loadSuite(f)));
let ordinal = 0;

for (const suite of suites) {
  test.describe(suite.title, () => {
    for (const flow of suite.flows) {
      const flowOrdinal = ++ordinal;
      test(flow.title, { tag: [`@${suite.suite}`, `@${flow.id}`, ...flow.checklist.map((id) => `@${id}`)] }, async ({ browser }, testInfo) => {
        testInfo.annotations.push({ type: 'flow', description: `${suite.suite}/${flow.id}` }, ...flow.checklist.map((id) => ({ type: 'checklist', description: id })));
        const applicability = flowApplicability(flow, profile);
        if (!applicability.applicable) {
          const dir = join(config.runDir, 'flows');
          mkdirSync(dir, { recursive: true });
          const record = { suite: suite.suite, id: flow.id, title: flow.title, checklist: flow.checklist, references: [], observations: [], startedAt: Date.now(), endedAt: Date.now(), outcome: 'not-applicable', error: applicability.reasons.join('; ') };
          const results = flow.checklist.map((item) => ({ item, verdict: 'NOT_APPLICABLE', findings: [{ item, verdict: 'NOT_APPLICABLE', message: `Not applicable: ${applicability.reasons.join('; ')}.`, flowId: flow.id }] }));
          writeFileSync(join(dir, `${suite.suite}__${flow.id}.json`), JSON.stringify({ record, results, merchantTraffic: [] }, null, 2));
          test.skip(true, `not applicable to profile ${profile.profile}: ${applicability.reasons.join('; ')}`);
          return;
        }
        test.setTimeout(flow.timeout + 30_000);
        const runner = new FlowRunner({
          config,
          suite,
          flow,
          profile,
          control: new ControlClient(process.env[RUNTIME_ENV.sandboxUrl]!),
          sandboxUrl: process.env[RUNTIME_ENV.sandboxUrl]!,
          ordinal: flowOrdinal,
          browser: flowNeedsBrowser(flow, profile) ? browser : undefined,
          hooks: {
            step: (title, body) => test.step(title, body),
            attach: (name, body, contentType) => testInfo.attach(name, { body, contentType }),
          },
        });
        let stepError: unknown;
        try {
          await runner.run();
        } catch (err) {
          stepError = err;
        }
        try {
          const { results } = await test.step('checklist verdicts', async () => runner.finish());
          await testInfo.attach('findings.json', { body: JSON.stringify(results, null, 2), contentType: 'application/json' });
          for (const r of results) testInfo.annotations.push({ type: `verdict:${r.verdict}`, description: `${r.item}: ${r.findings.map((f) => f.message).join(' | ')}` });
          if (stepError) throw stepError;
          const failed = results.filter((r) => r.verdict === 'FAILED');
          if (failed.length > 0) {
            throw new Error(`checklist items failed:\n${failed.map((r) => `  ${r.item}: ${r.findings.filter((f) => f.verdict === 'FAILED').map((f) => f.message).join(' | ')}`).join('\n')}`);
          }
        } finally {
          await runner.close();
        }
      });
    }
  });
}
