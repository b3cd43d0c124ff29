import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { request } from 'undici';
import { interpolate } from '../suite/template.ts';
import { installationRef } from '../suite/profile-platform.ts';
import { loadProfile, resolveSecrets, type ResolvedProfile } from '../suite/index.ts';
import { createSandbox, DEFAULT_TEST_MERCHANT, DEFAULT_TEST_PARTNER, DEFAULT_TEST_PSP, type Sandbox } from '../sandbox/index.ts';
import { ControlClient } from '../sandbox/client.ts';
import { Redactor } from '../traffic/redact.ts';
import { EnvironmentProblem } from '../shared/errors.ts';
import type { RunConfig } from './run-config.ts';
import { spawnGroup, type ProcessGroup } from './process-group.ts';
import { startTestApiSide, type TestApiSide } from './test-api-side.ts';
import { recordPhase } from './timings.ts';
import { describeExit, INTEGRATION_EXIT_FILE, RUN_MARKER_ENV, type IntegrationExit } from './run-config.ts';

/** The integration could not be started (port taken, crashed, never answered): an environment problem of the integration. */
export class IntegrationStartError extends EnvironmentProblem {
  override name = 'IntegrationStartError';
}

/** A free TCP port on 127.0.0.1 (for integrations whose profile uses {{env.GOLIVE_INTEGRATION_PORT}}). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Environment {
  profile: ResolvedProfile;
  sandbox?: Sandbox;
  /** The Vipps base URL the integration uses (`{{sandbox.url}}`): the sandbox, or the recording proxy. */
  sandboxUrl: string;
  /** Where the workers' control calls go (traffic, flow tags): the sandbox, or the run-control server. */
  controlUrl: string;
  /** --target test-api: the proxy and run-control server, and the upstream they forward to. */
  testApi?: TestApiSide;
  integration?: ProcessGroup;
  /** Lines the integration printed (tail), for diagnosing start-up failures. */
  integrationOutput: string[];
  close(): Promise<void>;
}

/**
 * Start what a run needs: the embedded sandbox (accepting the profile's test MSN and keys, so
 * the integration's own test configuration works unchanged) and, when the profile says how,
 * the integration itself — like Playwright's webServer: run a command, wait for a URL.
 */
export async function startEnvironment(config: RunConfig, env: NodeJS.ProcessEnv = process.env): Promise<Environment> {
  const profile = resolveSecrets(await loadProfile(config.profileFile), env);
  const m = profile.merchant;
  let sandbox: Sandbox | undefined;
  let sandboxUrl = config.sandbox.url ?? '';
  let testApi: TestApiSide | undefined;
  const envVars = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  // A platform's baseUrl names an installation: the first one's stands for the process.
  const baseUrlWith = (sandboxUrl: string) => String(interpolate(profile.baseUrl, { env: envVars, sandbox: { url: sandboxUrl }, installation: installationRef(profile, profile.installations?.[0]) }));
  if (config.target === 'test-api') {
    const t = config.testApi!;
    // The run's secrets are redacted from every proxied exchange as from the sandbox's.
    const redactor = new Redactor();
    profile.secretValues.forEach((v) => redactor.addSecret(v));
    const relay = { forwardTo: baseUrlWith(''), publicUrl: t.relay?.publicUrl, port: t.relay?.port };
    testApi = await startTestApiSide({ upstream: t.upstream, redactor, timeoutMs: config.actionTimeoutMs, requestsPerSecond: t.requestsPerSecond, relay });
    sandboxUrl = testApi.proxyUrl;
  } else if (config.sandbox.mode === 'embedded') {
    const isDefault =
      m.msn === DEFAULT_TEST_MERCHANT.msn &&
      m.clientId === DEFAULT_TEST_MERCHANT.clientId &&
      m.clientSecret === DEFAULT_TEST_MERCHANT.clientSecret &&
      DEFAULT_TEST_MERCHANT.subscriptionKeys.includes(m.subscriptionKey);
    // The profile's own keys win: with the default test MSN but other keys, they replace the default merchant.
    const takesDefaultMsn = m.msn === DEFAULT_TEST_MERCHANT.msn;
    const sandboxStart = Date.now();
    sandbox = await createSandbox(
      profile.kind === 'psp'
        ? pspSandboxOptions(profile)
        : profile.kind === 'partner' && profile.installations?.length
          ? partnerSandboxOptions(profile)
          : {
            merchants: isDefault
              ? []
              : [{ msn: m.msn, name: profile.name ?? profile.profile, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKeys: [m.subscriptionKey], pspId: m.pspId }],
            includeDefaultMerchant: isDefault || !takesDefaultMsn,
          },
    );
    for (const secret of profile.secretValues) sandbox.redactor.addSecret(secret);
    sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
    recordPhase(config.runDir, { phase: 'sandbox', start: sandboxStart, end: Date.now() });
  }
  if (!sandboxUrl) throw new Error('no sandbox URL: use the embedded sandbox or pass --sandbox-url');

  const output: string[] = [];
  const outputRedactor = new Redactor();
  profile.secretValues.forEach((v) => outputRedactor.addSecret(v));
  let group: ProcessGroup | undefined;
  let closing = false;
  const environment: Environment = {
    profile,
    sandbox,
    sandboxUrl,
    controlUrl: testApi?.controlUrl ?? sandboxUrl,
    testApi,
    integrationOutput: output,
    async close() {
      closing = true;
      await group?.stop();
      await Promise.allSettled([sandbox?.close(), testApi?.close()]);
    },
  };

  // What `golive validate` allows in start: (src/suite/loader.ts): env, sandbox, baseUrl, msn; pspApi.publicKey.url uses the same.
  // {{relay.url}}: where Vipps's deliveries go — the relay in test-api mode, the integration's own origin against the sandbox.
  const templateScope = () => {
    const baseUrl = baseUrlWith(sandboxUrl);
    return { env: envVars, sandbox: { url: sandboxUrl }, relay: { url: testApi?.relayUrl ?? new URL(baseUrl).origin }, baseUrl, msn: profile.merchant.msn };
  };
  const start = profile.start;
  if (start) {
    const scope = templateScope();
    const url = String(interpolate(start.url, scope));
    if (await answers(url)) {
      if (start.reuseExisting) return environment;
      await environment.close();
      throw new IntegrationStartError(`${portOf(url)} is already in use by another process (${url} answers before golive started the integration); stop it, or set start.reuseExisting: true to test that process`);
    }
    if (await portTaken(url)) {
      await environment.close();
      throw new IntegrationStartError(`${portOf(url)} is already in use by another process; stop it, or set start.reuseExisting: true`);
    }
    const integrationStart = Date.now();
    const extraEnv = Object.fromEntries(Object.entries(start.env ?? {}).map(([k, v]) => [k, String(interpolate(v, scope))]));
    group = spawnGroup(String(interpolate(start.command, scope)), {
      // A relative cwd is relative to the profile file, like Playwright's webServer.cwd.
      cwd: start.cwd ? resolve(dirname(config.profileFile), start.cwd) : process.cwd(),
      env: { ...env, ...extraEnv, ...config.integrationEnv, [RUN_MARKER_ENV]: config.runId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    environment.integration = group;
    const child = group.child;
    const keep = (chunk: Buffer) => {
      // The integration's own output may print its credentials: it is kept (and shown) redacted.
      output.push(...outputRedactor.text(chunk.toString('utf8')).split('\n').filter(Boolean));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void group.exited.then((e) => {
      exit = e;
      if (closing) return;
      // Died during the run: leave the facts where every flow (in other processes) can cite them.
      const record: IntegrationExit = { code: e.code, signal: e.signal, at: new Date().toISOString(), lastOutput: output.slice(-20) };
      try {
        writeFileSync(resolve(config.runDir, INTEGRATION_EXIT_FILE), JSON.stringify(record, null, 2));
      } catch {
        /* the run folder is gone: nobody is left to read it */
      }
    });
    const deadline = Date.now() + start.timeout;
    while (!(await answers(url))) {
      if (exit) {
        await environment.close();
        throw new IntegrationStartError(`the integration exited (${describeExit(exit)}) before ${url} answered:\n${output.slice(-20).join('\n')}`);
      }
      if (Date.now() > deadline) {
        await environment.close();
        throw new IntegrationStartError(`the integration did not answer at ${url} within ${start.timeout} ms:\n${output.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    recordPhase(config.runDir, { phase: 'integration', start: integrationStart, end: Date.now() });
  }
  // The real test API got the PSP's public key at onboarding: only the sandbox needs it handed over.
  if (profile.pspApi?.publicKey && !testApi) {
    try {
      await registerPspPublicKey(profile, new ControlClient(sandboxUrl), (s) => String(interpolate(s, templateScope())), config.profileFile);
    } catch (err) {
      await environment.close();
      throw new IntegrationStartError((err as Error).message);
    }
  }
  return environment;
}

const isDefaultPspKeys = (m: ResolvedProfile['merchant']) =>
  m.clientId === DEFAULT_TEST_PSP.clientId && m.clientSecret === DEFAULT_TEST_PSP.clientSecret && (DEFAULT_TEST_PSP.subscriptionKeys as readonly string[]).includes(m.subscriptionKey);

/** The Psp-Id the sandbox knows the profile's PSP by: its own, the test PSP's for the test keys, else one golive names. */
const pspIdOf = (profile: ResolvedProfile): string => profile.merchant.pspId ?? (isDefaultPspKeys(profile.merchant) ? DEFAULT_TEST_PSP.pspId : 'profile-psp');

/**
 * A PSP's profile: its keys are a PSP's, acting for the profile's MSN. The sandbox's default test
 * PSP when they are its public keys; otherwise a PSP of the profile's own, with a sales unit for
 * its MSN (merchant credentials of its own, generated: the PSP never uses them).
 */
function pspSandboxOptions(profile: ResolvedProfile): Parameters<typeof createSandbox>[0] {
  const m = profile.merchant;
  if (isDefaultPspKeys(m) && (DEFAULT_TEST_PSP.merchants as readonly string[]).includes(m.msn)) return {};
  const pspId = pspIdOf(profile);
  return {
    psps: [{ pspId, name: profile.name ?? profile.profile, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKeys: [m.subscriptionKey], merchants: [m.msn] }],
    merchants: [{ msn: m.msn, name: profile.name ?? profile.profile, clientId: randomUUID(), clientSecret: randomUUID(), subscriptionKeys: [randomUUID().replace(/-/g, '')], pspId }],
    includeDefaultMerchant: m.msn !== DEFAULT_TEST_MERCHANT.msn,
  };
}

/**
 * A platform's profile (kind: partner with installations; a plugin with merchant keys is a
 * merchant to the sandbox): its keys are partner keys acting for its installations' MSNs. The
 * default test partner for its public keys and units; otherwise a partner of the profile's own,
 * with a sales unit per MSN (merchant keys generated: the partner never uses them).
 */
function partnerSandboxOptions(profile: ResolvedProfile): Parameters<typeof createSandbox>[0] {
  const m = profile.merchant;
  const msns = [...new Set((profile.installations ?? []).map((i) => i.msn))];
  const defaultKeys = m.clientId === DEFAULT_TEST_PARTNER.clientId && m.clientSecret === DEFAULT_TEST_PARTNER.clientSecret && (DEFAULT_TEST_PARTNER.subscriptionKeys as readonly string[]).includes(m.subscriptionKey);
  if (defaultKeys && msns.every((msn) => (DEFAULT_TEST_PARTNER.salesUnits as readonly string[]).includes(msn))) return {};
  const name = profile.name ?? profile.profile;
  return {
    partners: [{ id: defaultKeys ? DEFAULT_TEST_PARTNER.id : 'profile-partner', name, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKeys: [m.subscriptionKey], salesUnits: msns }],
    merchants: msns.map((msn) => ({ msn, name: `${name} ${msn}`, clientId: randomUUID(), clientSecret: randomUUID(), subscriptionKeys: [randomUUID().replace(/-/g, '')] })),
    includeDefaultPartner: false,
    includeDefaultMerchant: !msns.includes(DEFAULT_TEST_MERCHANT.msn),
  };
}

/**
 * The PSP API v2 encrypts cardData with the PSP's RSA public key, which a PSP hands over at
 * onboarding: golive reads it from the profile (a file, or a URL of the started PSP) and gives
 * it to the sandbox before the first flow.
 */
async function registerPspPublicKey(profile: ResolvedProfile, control: ControlClient, resolveTemplate: (s: string) => string, profileFile: string): Promise<void> {
  const source = profile.pspApi!.publicKey!;
  let pem: string;
  if ('file' in source) pem = readFileSync(resolve(dirname(profileFile), source.file), 'utf8');
  else {
    const url = resolveTemplate(source.url);
    const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 }).catch((err: Error) => {
      throw new Error(`pspApi.publicKey: ${url} could not be read (${err.message})`);
    });
    pem = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`pspApi.publicKey: ${url} answered ${res.statusCode}, not a PEM public key`);
  }
  await control.setPspPublicKey(pspIdOf(profile), pem).catch((err: Error) => {
    throw new Error(`pspApi.publicKey: the sandbox refused the PSP's public key: ${err.message}`);
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 });
    await res.body.dump();
    return res.statusCode < 500;
  } catch {
    return false;
  }
}


function portOf(url: string): string {
  const u = new URL(url);
  return `port ${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

/** Something accepts TCP connections at the URL's host and port (even if it speaks no HTTP). */
function portTaken(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) });
    const finish = (taken: boolean) => {
      socket.destroy();
      done(taken);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
