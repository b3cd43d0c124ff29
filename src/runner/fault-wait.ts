import type { Observation } from '../checks/types.ts';
import { pollingBoundMs, reactionMs, type PollingPace } from '../contract/polling.ts';
import type { Fault } from '../contract/faults.ts';
import type { SandboxControl } from './control.ts';

type FaultObservation = Extract<Observation, { type: 'fault' }>;

/**
 * A flow's steps may end before an integration polling at its documented pace meets the flow's
 * fault (a first GET 5 s after create): clearing the fault then would judge a path that never ran.
 * So before the flow's faults are cleared, wait — per fault, bounded by the pace — until it fired
 * and the integration had time to react (its retry, its next poll), then record on each fault
 * observation whether and when it fired, for the rules ("not exercised" is never a pass).
 */
export async function awaitFaultsMet(
  control: Pick<SandboxControl, 'fault'>,
  observations: Observation[],
  pace: PollingPace | undefined,
  now: () => number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const faults = observations.filter((o): o is FaultObservation => o.type === 'fault' && typeof idOf(o) === 'string');
  if (faults.length === 0) return;
  const bound = pollingBoundMs(pace);
  const react = reactionMs(pace);
  const pending = new Set(faults);
  for (;;) {
    for (const o of [...pending]) {
      const f = await control.fault(idOf(o)!);
      if (f) record(o, f);
      const t = now();
      // Gone (a step cleared it), met and reacted to, or never met within the bound: stop waiting.
      // A fault the integration keeps meeting (a stale GET polled past its final state, every
      // webhook dropped) is met for good once it has fired for a whole polling window.
      const done = !f || (f.hits > 0 ? t >= (f.lastFiredAt ?? 0) + react || t >= (f.firstFiredAt ?? 0) + bound : t >= o.at + bound);
      if (done) pending.delete(o);
    }
    if (pending.size === 0) return;
    await sleep(250);
  }
}

const idOf = (o: FaultObservation): string | undefined => (o.spec as { id?: unknown } | undefined)?.id as string | undefined;

function record(o: FaultObservation, f: Fault): void {
  o.fired = f.hits;
  if (f.firstFiredAt !== undefined) o.firedAt = f.firstFiredAt;
}
