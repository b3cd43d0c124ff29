import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';
import { startEnvironment } from '../../src/runner/environment.ts';
import { groupAlive, spawnGroup } from '../../src/runner/process-group.ts';
import { RUN_MARKER_ENV, type RunConfig } from '../../src/runner/run-config.ts';
import type { RunSummary } from '../../src/report/run-summary.ts';
import { processesWithEnv, settle } from '../helpers/processes.ts';
import { httpProfileYaml } from '../helpers/profiles.ts';

const root = resolve(import.meta.dirname, '../..');

const listen = (server: Server | ReturnType<typeof createHttpServer>) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));

const profileText = (o: { id: string; port: number; start?: string }) => httpProfileYaml({ id: o.id, baseUrl: `http://127.0.0.1:${o.port}`, start: o.start });

const ONE_FLOW_SUITE = `suite: lifecycle
title: Lifecycle
api: epayment-v1
flows:
  - id: checkout-once
    title: One checkout
    checklist: [EP-ENDPOINT-CREATE]
    steps:
      - merchant.checkout: {}
      - expect.merchantOrder: { status: paid, within: 2s }
`;

const testEnv = { GOLIVE_TEST_CLIENT_ID: 'ci-lifecycle', GOLIVE_TEST_CLIENT_SECRET: 'cs-lifecycle-0123456789', GOLIVE_TEST_SUBSCRIPTION_KEY: 'sk-lifecycle-0001' };

describe('process groups', () => {
  it('stops a shell command together with the children it forked', async () => {
    const marker = `pg-${process.pid}-${Date.now()}`;
    // The shell forks two sleepers and waits: a plain kill of the shell would orphan both.
    const group = spawnGroup('sleep 300 & sleep 300 & wait', { env: { ...process.env, [RUN_MARKER_ENV]: marker }, stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (processesWithEnv(RUN_MARKER_ENV, marker).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesWithEnv(RUN_MARKER_ENV, marker).length).toBe(3);
    await group.stop(2000);
    expect(groupAlive(group.pgid)).toBe(false);
    expect(await settle(RUN_MARKER_ENV, marker)).toEqual([]);
  });

  it('kills with SIGKILL what ignores SIGTERM, after the grace period', async () => {
    const marker = `pg-term-${process.pid}-${Date.now()}`;
    const group = spawnGroup(process.execPath, { shell: false, args: ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"], env: { ...process.env, [RUN_MARKER_ENV]: marker }, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => group.child.stdout!.once('data', r));
    const started = Date.now();
    await group.stop(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect((await group.exited).signal).toBe('SIGKILL');
    expect(await settle(RUN_MARKER_ENV, marker)).toEqual([]);
  });
});

describe('starting the integration when its port is taken', () => {
  const config = (dir: string, profileFile: string): RunConfig =>
    ({ runId: `taken-${Date.now()}`, runDir: dir, startedAt: new Date().toISOString(), profileFile, suiteFiles: ['x'], sandbox: { mode: 'embedded' }, stepTimeoutMs: 1000, actionTimeoutMs: 1000, statusTimeoutMs: 1000, integrationEnv: {} }) as RunConfig;

  it.each(['http', 'tcp'] as const)('refuses to start (another %s server holds the port) and names the port', async (kind) => {
    const sockets = new Set<import('node:net').Socket>();
    const server = kind === 'http' ? createHttpServer((_req, res) => res.end('stale shop')) : createTcpServer((socket) => sockets.add(socket));
    const port = await listen(server);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'golive-taken-'));
      const profileFile = join(dir, 'taken.profile.yaml');
      writeFileSync(profileFile, profileText({ id: 'taken', port, start: `start:\n  command: node -e "setTimeout(() => {}, 60000)"\n  url: http://127.0.0.1:${port}/health\n  timeout: 5s` }));
      const error = await startEnvironment(config(dir, profileFile), { ...process.env, ...testEnv }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.name).toBe('IntegrationStartError');
      expect(error?.message).toMatch(new RegExp(`^port ${port} is already in use by another process`));
    } finally {
      for (const socket of sockets) socket.destroy();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('golive run and the processes it starts', () => {
  it('reports an integration that crashes mid-run with its exit code and last output, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-crash-'));
    writeFileSync(
      join(dir, 'crashing-shop.mjs'),
      `import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  console.error('boom: the order database is gone');
  process.exit(7);
}).listen(Number(process.env.GOLIVE_INTEGRATION_PORT), '127.0.0.1');
`,
    );
    writeFileSync(join(dir, 'crash.suite.yaml'), ONE_FLOW_SUITE);
    const profileFile = join(dir, 'crash.profile.yaml');
    writeFileSync(
      profileFile,
      httpProfileYaml({
        id: 'crashing-shop',
        baseUrl: 'http://127.0.0.1:{{env.GOLIVE_INTEGRATION_PORT}}',
        start: 'start:\n  command: node crashing-shop.mjs\n  cwd: .\n  url: "http://127.0.0.1:{{env.GOLIVE_INTEGRATION_PORT}}/health"\n  timeout: 20s',
      }),
    );
    const outcome = await runCommand({ profile: profileFile, suite: [join(dir, 'crash.suite.yaml')], out: join(dir, 'reports'), quiet: true, workers: '1' });
    expect(outcome.exitCode).toBe(1);
    const flow = outcome.summary!.flows.find((f) => f.id === 'checkout-once')!;
    expect(flow.outcome).toBe('step-failed');
    expect(flow.error).toMatch(/^the integration process exited \(code 7\) at .* during the run; its last output: boom: the order database is gone/);
    expect(await settle(RUN_MARKER_ENV, basename(outcome.runDir!))).toEqual([]);
  }, 120_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops everything on ${signal} at a random moment, writes the summary, junit.xml and manifest, and exits ${signal === 'SIGINT' ? 130 : 143}`, async () => {
      const out = mkdtempSync(join(tmpdir(), `golive-${signal.toLowerCase()}-`));
      const child = spawn(process.execPath, ['bin/golive.mjs', 'run', '--out', out, '--workers', '2'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      // Some flows under way: interrupt between 1 and 9 s after the first flow started.
      const deadline = Date.now() + 60_000;
      while (!/Running \d+ flows/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const delay = 1000 + Math.floor(Math.random() * 8000);
      await new Promise((r) => setTimeout(r, delay));
      const runId = /golive: run (\S+)/.exec(stdout)?.[1];
      expect(runId, stdout).toBeDefined();
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000))]);
      expect(code, `${stdout}\n${stderr}`).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(stderr).toMatch(signal === 'SIGINT' ? /golive: interrupted \(SIGINT\)/ : /golive: terminated \(SIGTERM\)/);
      const runDir = join(out, readlinkSync(join(out, 'latest')));
      expect(basename(runDir)).toBe(runId);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
      expect(summary.interrupted).toBe(signal);
      expect(summary.partial?.reasons[0]).toBe(`interrupted by ${signal}`);
      // Flows the interruption cut short are "not run", never failures of the integration.
      expect(summary.items.filter((i) => i.verdict === 'FAILED').map((i) => i.id)).toEqual([]);
      expect(existsSync(join(runDir, 'junit.xml'))).toBe(true);
      expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toContain('<testsuite name="golive checklist"');
      expect(existsSync(join(runDir, 'manifest.json'))).toBe(true);
      expect(await settle(RUN_MARKER_ENV, runId!), `delay ${delay} ms`).toEqual([]);
    }, 180_000);
  }
});
