import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { request } from 'undici';
import { interpolate } from '../suite/template.ts';
import { loadProfile, resolveSecrets, type ResolvedProfile } from '../suite/index.ts';
import { createSandbox, DEFAULT_TEST_MERCHANT, type Sandbox } from '../sandbox/index.ts';
import { Redactor } from '../traffic/redact.ts';
import type { RunConfig } from './run-config.ts';

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
  sandboxUrl: string;
  integration?: ChildProcess;
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
  if (config.sandbox.mode === 'embedded') {
    const isDefault =
      m.msn === DEFAULT_TEST_MERCHANT.msn &&
      m.clientId === DEFAULT_TEST_MERCHANT.clientId &&
      m.clientSecret === DEFAULT_TEST_MERCHANT.clientSecret &&
      DEFAULT_TEST_MERCHANT.subscriptionKeys.includes(m.subscriptionKey);
    // The profile's own keys win: with the default test MSN but other keys, they replace the default merchant.
    const takesDefaultMsn = m.msn === DEFAULT_TEST_MERCHANT.msn;
    sandbox = await createSandbox({
      merchants: isDefault
        ? []
        : [{ msn: m.msn, name: profile.name ?? profile.profile, clientId: m.clientId, clientSecret: m.clientSecret, subscriptionKeys: [m.subscriptionKey], pspId: m.pspId }],
      includeDefaultMerchant: isDefault || !takesDefaultMsn,
    });
    for (const secret of profile.secretValues) sandbox.redactor.addSecret(secret);
    sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  }
  if (!sandboxUrl) throw new Error('no sandbox URL: use the embedded sandbox or pass --sandbox-url');

  const output: string[] = [];
  const outputRedactor = new Redactor();
  profile.secretValues.forEach((v) => outputRedactor.addSecret(v));
  let child: ChildProcess | undefined;
  const environment: Environment = {
    profile,
    sandbox,
    sandboxUrl,
    integrationOutput: output,
    async close() {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        const exited = await Promise.race([new Promise((r) => child!.once('exit', r)), new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
        if (exited === 'timeout') child.kill('SIGKILL');
      }
      await sandbox?.close();
    },
  };

  const start = profile.start;
  if (start) {
    const scope = { env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>, sandbox: { url: sandboxUrl } };
    const url = String(interpolate(start.url, scope));
    if (start.reuseExisting && (await answers(url))) return environment;
    const extraEnv = Object.fromEntries(Object.entries(start.env ?? {}).map(([k, v]) => [k, String(interpolate(v, scope))]));
    child = spawn(String(interpolate(start.command, scope)), {
      shell: true,
      // A relative cwd is relative to the profile file, like Playwright's webServer.cwd.
      cwd: start.cwd ? resolve(dirname(config.profileFile), start.cwd) : process.cwd(),
      env: { ...env, ...extraEnv, ...config.integrationEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    environment.integration = child;
    const keep = (chunk: Buffer) => {
      // The integration's own output may print its credentials: it is kept (and shown) redacted.
      output.push(...outputRedactor.text(chunk.toString('utf8')).split('\n').filter(Boolean));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + start.timeout;
    while (!(await answers(url))) {
      if (child.exitCode !== null) {
        await environment.close();
        throw new Error(`the integration exited (code ${child.exitCode}) before ${url} answered:\n${output.slice(-20).join('\n')}`);
      }
      if (Date.now() > deadline) {
        await environment.close();
        throw new Error(`the integration did not answer at ${url} within ${start.timeout} ms:\n${output.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return environment;
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
