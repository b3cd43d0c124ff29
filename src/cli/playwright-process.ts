import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERRUPTED_FILE } from '../runner/finish.ts';
import { signalGroup, stopGroup } from '../runner/process-group.ts';

/**
 * Playwright in its own process group, so a terminal's Ctrl+C reaches golive only and golive
 * forwards exactly one SIGINT: Playwright then stops its workers and browsers and runs the global
 * teardown (summary, integration stop). A second signal forces: the Playwright group and the
 * integration's group (from environment.json) are killed.
 */
export async function runPlaywright(args: string[], env: NodeJS.ProcessEnv, runDir: string, quiet?: boolean): Promise<{ exitCode: number; interrupted?: NodeJS.Signals }> {
  const child = spawn(process.execPath, args, { env, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'], detached: true });
  const pgid = child.pid ?? -1;
  let interrupted: NodeJS.Signals | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const force = () => {
    signalGroup(pgid, 'SIGKILL');
    const integration = integrationPgid(runDir);
    if (integration) signalGroup(integration, 'SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      console.error('golive: stopping now (forced)');
      force();
      return;
    }
    interrupted = signal;
    // Global teardown reads it: flows cut short by the interruption are "not run", not failures.
    writeFileSync(join(runDir, INTERRUPTED_FILE), JSON.stringify({ signal, at: Date.now() }));
    console.error(`\ngolive: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} — stopping the flows, browsers and the integration, then writing what exists (${signal === 'SIGINT' ? 'Ctrl+C' : 'signal'} again to stop at once)`);
    signalGroup(pgid, 'SIGINT');
    // Playwright's own teardown is bounded; past this, nothing is left to wait for.
    forceTimer = setTimeout(force, 60_000);
    forceTimer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // If golive itself dies, its Playwright group must not run on alone.
  const onExit = () => signalGroup(pgid, 'SIGKILL');
  process.once('exit', onExit);
  try {
    const exitCode = await new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1))));
    // Anything of the group still alive after Playwright (a stuck worker or browser) is ended too.
    await stopGroup(pgid, 2000);
    return { exitCode, interrupted };
  } finally {
    if (forceTimer) clearTimeout(forceTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

function integrationPgid(runDir: string): number | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'environment.json'), 'utf8')).integrationPgid;
  } catch {
    return undefined;
  }
}

