/**
 * A PSP mode as a process: read the environment (a bad one stops it with one clear line), start,
 * say where it listens, and stop within 1.5 s on SIGTERM or SIGINT.
 */
export async function runPspProcess<C extends { msn: string; faults: ReadonlySet<string> }>(options: {
  name: string;
  /** How the running process names itself (default: `name`), e.g. with its API version. */
  title?: (config: C) => string;
  load: () => C;
  start: (config: C) => Promise<{ url: string; stop(): Promise<void> }>;
}): Promise<void> {
  let config: C;
  try {
    config = options.load();
  } catch (err) {
    // A bad environment (missing key, unknown fault switch, bad version) stops the PSP with one clear line.
    process.stderr.write(`${options.name}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const running = await options.start(config);
  const faults = [...config.faults];
  const title = options.title?.(config) ?? options.name;
  process.stdout.write(`${title} listening on ${running.url} for MSN ${config.msn}${faults.length ? ` (faults: ${faults.join(', ')})` : ''}\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.race([running.stop(), new Promise((r) => setTimeout(r, 1500))]);
    process.stdout.write(`${title} stopped (${signal})\n`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
