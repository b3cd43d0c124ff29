/**
 * Recorded-traffic fixtures for the check tests, and mutators that break one rule at a time.
 *
 * `good()` / `sloppy()` load test/checks/fixtures/{good,sloppy}-run.json: the traffic of a whole
 * go-live suite (exchanges exactly as `GET /_sandbox/v1/traffic` returns them — redacted, secrets
 * as `[REDACTED:<8 hex>]` fingerprints) plus the runner's flow records with their observations.
 * Every call returns a fresh deep copy, so mutators may change it in place.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckInput, FlowRecord, Observation, ProfileFacts } from '../../src/checks/types.ts';
import { trafficOfFlow } from '../../src/checks/support/payments.ts';
import { operationOf, referenceOf } from '../../src/checks/support/traffic.ts';
import type { Exchange, Headers } from '../../src/traffic/types.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Run {
  profile: ProfileFacts;
  flows: FlowRecord[];
  traffic: Exchange[];
}

const cache = new Map<string, string>();
function load(name: string): Run {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(HERE, 'fixtures', `${name}-run.json`), 'utf8');
    cache.set(name, text);
  }
  return JSON.parse(text) as Run;
}

/** A well-behaved integration through the whole suite. */
export const good = (): Run => load('good');
/** The same suite from an integration that breaks many rules. */
export const sloppy = (): Run => load('sloppy');

export const runInput = (run: Run): CheckInput => ({ traffic: run.traffic, flows: run.flows, profile: run.profile });

/** One flow's input, as the runner builds it at the end of the flow. */
export function flowInput(run: Run, flowId: string): CheckInput {
  const flow = run.flows.find((f) => f.id === flowId);
  if (!flow) throw new Error(`no flow ${flowId} in the fixture`);
  return { traffic: trafficOfFlow(runInput(run), flow), flows: [flow], profile: run.profile };
}

export const flow = (run: Run, flowId: string): FlowRecord => {
  const f = run.flows.find((x) => x.id === flowId);
  if (!f) throw new Error(`no flow ${flowId} in the fixture`);
  return f;
};

// --- selecting exchanges -----------------------------------------------------------------------

export type Where = (e: Exchange) => boolean;
export const api: Where = (e) => e.kind === 'api';
export const op =
  (operation: string, reference?: string): Where =>
  (e) =>
    e.kind === 'api' && operationOf(e) === operation && (reference === undefined || referenceOf(e) === reference);
export const webhook =
  (reference?: string, name?: string): Where =>
  (e) =>
    e.kind === 'webhook' && (reference === undefined || referenceOf(e) === reference) && (name === undefined || (e.request.body as { name?: string })?.name === name);
export const seq =
  (...seqs: number[]): Where =>
  (e) =>
    seqs.includes(e.seq);

export const find = (run: Run, where: Where): Exchange[] => run.traffic.filter(where);
export function one(run: Run, where: Where): Exchange {
  const hits = find(run, where);
  if (hits.length === 0) throw new Error('no exchange matches');
  return hits[0];
}

// --- mutators --------------------------------------------------------------------------------

const setHeaderValue = (headers: Headers, name: string, value: string | undefined) => {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== undefined) headers[name.toLowerCase()] = value;
};

/** Remove a request header from the matching exchanges (default: every API call). */
export function withoutHeader(run: Run, name: string, where: Where = api): Run {
  for (const e of run.traffic.filter(where)) setHeaderValue(e.request.headers, name, undefined);
  if (name.toLowerCase() === 'idempotency-key') for (const e of run.traffic.filter(where)) delete e.idempotencyKey;
  return run;
}

/** Set a request header on the matching exchanges (default: every API call). */
export function withHeader(run: Run, name: string, value: string, where: Where = api): Run {
  for (const e of run.traffic.filter(where)) setHeaderValue(e.request.headers, name, value);
  if (name.toLowerCase() === 'idempotency-key') for (const e of run.traffic.filter(where)) e.idempotencyKey = value;
  return run;
}

export function mapExchanges(run: Run, where: Where, fn: (e: Exchange) => void): Run {
  for (const e of run.traffic.filter(where)) fn(e);
  return run;
}

export function removeExchanges(run: Run, where: Where): Run {
  run.traffic = run.traffic.filter((e) => !where(e));
  return run;
}

/** Insert exchanges and renumber seq in time order (as a fresh recording would). */
export function insertExchanges(run: Run, extra: Exchange[]): Run {
  run.traffic = [...run.traffic, ...extra].sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  run.traffic.forEach((e, i) => (e.seq = i + 1));
  return run;
}

/** Shift the start time of the matching exchanges by `ms`. */
export const shift = (run: Run, where: Where, ms: number): Run => mapExchanges(run, where, (e) => (e.startedAt += ms));

let fingerprint = 0x5eed0000;
export const freshFingerprint = (): string => `[REDACTED:${(fingerprint++).toString(16).padStart(8, '0')}]`;

/**
 * A token per request: before every API call, a token request whose access_token (fingerprint)
 * that one call then uses — the anti-pattern EP-TOKEN-CACHE looks for.
 */
export function newTokenPerRequest(run: Run): Run {
  const template = run.traffic.find((e) => operationOf(e) === 'fetchAuthorizationTokenUsingPost');
  if (!template) throw new Error('fixture has no token request');
  const extra: Exchange[] = [];
  for (const e of run.traffic.filter((x) => x.kind === 'api' && operationOf(x) !== 'fetchAuthorizationTokenUsingPost')) {
    const fp = freshFingerprint();
    const t = structuredClone(template);
    t.startedAt = e.startedAt - 1;
    t.seq = e.seq - 0.5;
    t.id = `${e.id}-token`;
    t.flowId = e.flowId;
    (t.response!.body as Record<string, unknown>).access_token = fp;
    extra.push(t);
    setHeaderValue(e.request.headers, 'authorization', `Bearer ${fp}`);
  }
  return insertExchanges(run, extra);
}

export function observationsOf(run: Run, flowId: string): Observation[] {
  return flow(run, flowId).observations;
}

/** Change the observations of a flow (map, or return undefined to drop one). */
export function mapObservations(run: Run, flowId: string, fn: (o: Observation) => Observation | undefined): Run {
  const f = flow(run, flowId);
  f.observations = f.observations.map(fn).filter((o): o is Observation => o !== undefined);
  return run;
}

export function addObservation(run: Run, flowId: string, o: Observation): Run {
  const f = flow(run, flowId);
  f.observations = [...f.observations, o].sort((a, b) => a.at - b.at);
  return run;
}

/** Set the merchant order status of the observations of `reference` (optionally from time `from`). */
export function orderStatus(run: Run, flowId: string, reference: string, status: string, pick: 'all' | 'last' = 'all'): Run {
  const f = flow(run, flowId);
  const mine = f.observations.filter((o): o is Extract<Observation, { type: 'merchant-order' }> => o.type === 'merchant-order' && o.reference === reference);
  for (const o of pick === 'last' ? mine.slice(-1) : mine) o.status = status;
  return run;
}

export const withProfile = (run: Run, change: Partial<ProfileFacts> & { capabilities?: ProfileFacts['capabilities'] }): Run => {
  run.profile = { ...run.profile, ...change, capabilities: { ...run.profile.capabilities, ...(change.capabilities ?? {}) } };
  return run;
};

/** The first reference of a flow. */
export const refOf = (run: Run, flowId: string): string => flow(run, flowId).references[0];
