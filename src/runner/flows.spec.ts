import { escapeHtml } from '../shared/escape.ts';
import { expect, test } from '@playwright/test';
import * as allure from 'allure-js-commons';
import { IntegrationDefect } from '../shared/errors.ts';
import { classifyError, failureKind, flowAllureMetadata, quietName } from '../report/allure.ts';
import { verdictsHtml } from '../report/allure-flow-page.ts';
import { attachStepExchanges } from '../report/exchange-attachments.ts';
import { sequenceDiagramSvg } from '../report/sequence-diagram.ts';
import { videoSupport } from '../report/video.ts';
import { flowApplicability, flowNeedsBrowser, pspApiVersionOf, installationProfile, installationRef, loadProfile, loadSuite, resolveSecrets, selectInstallations } from '../suite/index.ts';
import { ControlClient } from '../sandbox/client.ts';
import { SandboxControl } from './control.ts';
import { notApplicableEvidence, writeFlowEvidence } from './flow-evidence.ts';
import { FlowRunner } from './flow-runner.ts';
import { readRunConfig, RUNTIME_ENV } from './run-config.ts';

/**
 * Every flow of every suite becomes one Playwright test — for a platform, one per flow and
 * installation (flow id `<flow>@<installation>`, grouped by installation) — every step a test.step. The file is
 * evaluated identically in each worker, so the flow ordinals (which give each flow its own
 * payment amount) agree everywhere.
 *
 * Report evidence (Allure via allure-playwright, see src/report/allure.ts): labels per flow;
 * inside each step the HTTP exchanges it caused (JSON + curl, webhook signature verdicts) and
 * its screenshots; per flow its verdicts, sequence diagram (SVG) and, for browser flows, a video.
 */
const config = readRunConfig();
const platformProfile = resolveSecrets(await loadProfile(config.profileFile));
const installations = selectInstallations(platformProfile, config.installations);
const suites = await Promise.all(config.suiteFiles.map((f) => loadSuite(f)));
const video = videoSupport();
let ordinal = 0;

for (const installation of installations) {
  // The flows of one installation see the profile as that sales unit's: its MSN, its baseUrl.
  const profile = installationProfile(platformProfile, installation);
  const ref = installation ? installationRef(platformProfile, installation) : undefined;
  const describeInstallation = (body: () => void) => (ref ? test.describe(`${ref.title} (MSN ${ref.msn})`, body) : body());
  describeInstallation(() => {
    for (const suite of suites) {
      test.describe(suite.title, () => {
        for (const flow of suite.flows) {
          const flowOrdinal = ++ordinal;
          const flowId = ref ? `${flow.id}@${ref.id}` : flow.id;
          const tags = [`@${suite.suite}`, `@${flowId}`, ...flow.checklist.map((id) => `@${id}`), ...(ref ? [`@installation-${ref.id}`] : [])];
          test(flow.title, { tag: tags }, async ({ browser }, testInfo) => {
            testInfo.annotations.push({ type: 'flow', description: `${suite.suite}/${flowId}` }, ...flow.checklist.map((id) => ({ type: 'checklist', description: id })));
            const needsBrowser = flowNeedsBrowser(flow, profile);
            const meta = flowAllureMetadata({ suite, flow, profile: { profile: profile.profile, name: profile.name, msn: profile.merchant.msn }, browser: needsBrowser, ...(ref ? { installation: ref } : {}) });
            await allure.labels(...meta.labels);
            await allure.links(...meta.links);
            for (const p of meta.parameters) await allure.parameter(p.name, p.value, { excluded: p.excluded });
            if (flow.description) await allure.description(flow.description);
            const applicability = flowApplicability(flow, profile, { target: config.target, customer: config.testApi?.customer, api: suite.api, pspVersion: pspApiVersionOf(profile) });
            if (!applicability.applicable) {
              writeFlowEvidence(config.runDir, notApplicableEvidence(suite, flow, applicability.reasons, ref));
              test.skip(true, `not applicable ${config.target === 'test-api' ? 'against the test API' : `to profile ${profile.profile}`}: ${applicability.reasons.join('; ')}`);
              return;
            }
            // A person at the MT app (--interactive) may take up to the profile's customerTimeout per decision.
            const decisions = config.testApi?.customer === 'interactive' ? flow.steps.filter((st) => st.name === 'customer.approve' || st.name === 'customer.reject').length : 0;
            test.setTimeout(flow.timeout + 30_000 + decisions * (config.testApi?.customerTimeoutMs ?? 0));
            // A low frame rate keeps the encoding cheap next to the flows (pages change in steps, not continuously).
            const recordVideo = needsBrowser && video.enabled ? { dir: testInfo.outputPath('video'), size: { width: 800, height: 450 }, fps: 8 } : undefined;
            const runner = new FlowRunner({
              config,
              suite,
              flow,
              profile,
              control: new SandboxControl(new ControlClient(process.env[RUNTIME_ENV.controlUrl] ?? process.env[RUNTIME_ENV.sandboxUrl]!)),
              sandboxUrl: process.env[RUNTIME_ENV.sandboxUrl]!,
              ordinal: flowOrdinal,
              ...(installation && ref ? { installation: { ...ref, env: installation.env } } : {}),
              browser: needsBrowser ? browser : undefined,
              recordVideo,
              hooks: {
                step: (title, body) => test.step(title, body),
                attach: (name, body, contentType) => testInfo.attach(name, { body, contentType }),
                attachFile: (name, path, contentType) => testInfo.attach(name, { path, contentType }),
                // Quiet names for the text ones: Playwright would print every curl script of a failed flow.
                stepTraffic: (exchanges, info) =>
                  attachStepExchanges(
                    {
                      step: (title, body) => test.step(title, body),
                      attach: (name, body, contentType) => testInfo.attach(contentType.startsWith('text/') ? quietName(name) : name, { body, contentType }),
                    },
                    exchanges,
                    { flowStartedAt: info.flowStartedAt },
                  ),
              },
            });
            await allure.parameter('amount', `${(runner.flowAmount / 100).toFixed(2)} (${runner.flowAmount} minor units)`, { excluded: true });
            if (needsBrowser && !video.enabled) await testInfo.attach('video-unavailable.txt', { body: `No video of this browser-driven flow — video recording is ${video.note}.`, contentType: 'text/plain' });
            let stepError: unknown;
            try {
              await runner.run();
            } catch (err) {
              stepError = err;
            }
            try {
              const { results, traffic } = await test.step('checklist verdicts', async () => runner.finish());
              await testInfo.attach('findings.json', { body: JSON.stringify(results, null, 2), contentType: 'application/json' });
              for (const r of results) testInfo.annotations.push({ type: `verdict:${r.verdict}`, description: `${r.item}: ${r.findings.map((f) => f.message).join(' | ')}` });
              // Report extras never decide a flow; if one breaks, the report says so.
              await reportFlow(runner, results, traffic).catch((err) => testInfo.attach('report-error.txt', { body: `golive could not add its report extras: ${(err as Error)?.stack ?? err}`, contentType: 'text/plain' }));
              // An upstream failure explains whatever the step saw: the flow is broken, not failed.
              if (runner.environmentProblem) throw runner.environmentProblem;
              if (stepError) throw stepError;
              const failed = results.filter((r) => r.verdict === 'FAILED');
              if (failed.length > 0) {
                throw new IntegrationDefect(`checklist items failed:\n${failed.map((r) => `  ${r.item}: ${r.findings.filter((f) => f.verdict === 'FAILED').map((f) => f.message).join(' | ')}`).join('\n')}`);
              }
            } catch (err) {
              failFlow(err);
            } finally {
              await runner.close();
            }

            /** The flow's Allure extras: references, verdict table, sequence diagram. */
            async function reportFlow(r: FlowRunner, results: Awaited<ReturnType<FlowRunner['finish']>>['results'], traffic: Awaited<ReturnType<FlowRunner['finish']>>['traffic']): Promise<void> {
              for (const reference of r.record.references) await allure.parameter(r.record.references.length > 1 ? `reference ${r.record.references.indexOf(reference) + 1}` : 'reference', reference, { excluded: true });
              const runScoped = flow.checklist.filter((id) => !results.some((res) => res.item === id));
              await allure.descriptionHtml(`${flow.description ? `<p>${escapeHtml(flow.description)}</p>` : ''}${verdictsHtml(results, runScoped)}`);
              const svg = sequenceDiagramSvg({ exchanges: traffic, observations: r.record.observations, title: `${suite.suite}/${flowId} — ${flow.title}`, startedAt: r.record.startedAt });
              await testInfo.attach('sequence-diagram.svg', { body: svg, contentType: 'image/svg+xml' });
            }
          });
        }
      });
    }
  });
}

/**
 * End a failed flow, its message prefixed with the failure kind (Allure's categories sort by it).
 * An integration defect is reported as a failed assertion — JUnit <failure>: the code under test
 * did something wrong; an environment problem or golive error stays an error — JUnit <error>: the
 * test could not do its job.
 */
function failFlow(err: unknown): never {
  const classified = classifyError(err);
  if (failureKind(classified) !== 'integration defect' || !(classified instanceof Error)) throw classified;
  expect('failed', classified.message).toBe('passed');
  throw classified;
}
