import type { Exchange, TrafficQuery } from './types.ts';

export const asSet = <T>(v: T | T[] | undefined): Set<T> | undefined =>
  v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]);

export function compileQuery(q: TrafficQuery): (e: Exchange) => boolean {
  const kinds = asSet(q.kind);
  const apis = asSet(q.api);
  const operations = asSet(q.operation);
  return (e) =>
    (kinds === undefined || kinds.has(e.kind)) &&
    (apis === undefined || apis.has(e.api)) &&
    (operations === undefined || (e.operation !== undefined && operations.has(e.operation))) &&
    (q.msn === undefined || e.msn === q.msn) &&
    (q.reference === undefined || e.reference === q.reference) &&
    (q.flowId === undefined || e.flowId === q.flowId) &&
    (q.afterSeq === undefined || e.seq > q.afterSeq) &&
    (q.since === undefined || e.startedAt >= q.since);
}

/** Case-insensitive header lookup that tolerates repeated headers. */
export function header(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key in headers) {
    if (key.toLowerCase() === wanted) {
      const v = headers[key];
      return Array.isArray(v) ? v[0] : v;
    }
  }
  return undefined;
}
