import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process started in its own process group, stopped as a group — like Playwright's webServer.
 * A shell command (`npm start`, `node app.js &`) forks children that a plain `child.kill()` would
 * leave running with parent PID 1; signalling the group (`kill(-pgid)`) reaches all of them.
 */
export interface ProcessGroup {
  readonly child: ChildProcess;
  /** The group id (= the leader's PID). */
  readonly pgid: number;
  /** Resolves when the leader has exited (code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the whole group, SIGKILL to what is left after `graceMs`; resolves when the group is gone. */
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_GRACE_MS = 5000;

export function spawnGroup(command: string, options: Omit<SpawnOptions, 'detached' | 'shell'> & { shell?: boolean; args?: string[] }): ProcessGroup {
  const { args, shell = true, ...rest } = options;
  const child = shell ? spawn(command, { ...rest, shell: true, detached: true }) : spawn(command, args ?? [], { ...rest, detached: true });
  if (child.pid === undefined) {
    // spawn failed synchronously (e.g. ENOENT without a shell): report through `exited`.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('error', () => resolve({ code: 127, signal: null })));
    return { child, pgid: -1, exited, stop: async () => undefined };
  }
  const pgid = child.pid;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, pgid, exited, stop: (graceMs = DEFAULT_GRACE_MS) => stopGroup(pgid, graceMs) };
}

/**
 * Whether any process of group `pgid` is still alive. Zombies do not count: they are dead, and
 * where PID 1 never reaps orphans (many containers) `kill(-pgid, 0)` would see them for ever.
 */
export function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return livingMembers(pgid) !== 0;
}

/** Non-zombie members of the group from /proc (Linux); -1 where /proc cannot tell. */
function livingMembers(pgid: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return -1;
  }
  let living = 0;
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') living++;
    } catch {
      /* exited meanwhile */
    }
  }
  return living;
}

/** Send `signal` to every process of the group; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs` for the group to empty, then SIGKILL and wait (bounded) again. */
export async function stopGroup(pgid: number, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGone(pgid, 2000);
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
