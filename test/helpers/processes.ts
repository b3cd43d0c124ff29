import { readdirSync, readFileSync } from 'node:fs';

/**
 * Live processes (zombies aside: they are dead, only not yet reaped) whose environment carries
 * `name=value` — golive sets GOLIVE_RUN_ID=<run id> on everything a run starts.
 */
export function processesWithEnv(name: string, value: string): { pid: number; cmd: string }[] {
  const wanted = `${name}=${value}`;
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(wanted)) continue;
      found.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

/** Wait (bounded) until no such process is left; returns what is still there. */
export async function settle(name: string, value: string, ms = 5000): Promise<{ pid: number; cmd: string }[]> {
  const deadline = Date.now() + ms;
  let left = processesWithEnv(name, value);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWithEnv(name, value);
  }
  return left;
}
