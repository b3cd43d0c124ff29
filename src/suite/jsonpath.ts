/**
 * The small JSON-path subset profiles and suites use: `$`, `.name`, `[0]`, `['name']` / `["name"]`.
 * Examples: `$.reference`, `$.order.payments[0].status`, `$.request.headers['idempotency-key']`.
 */

export const JSON_PATH_PATTERN = `^\\$(?:\\.[A-Za-z_$][A-Za-z0-9_$-]*|\\[\\d+\\]|\\['[^']*'\\]|\\["[^"]*"\\])*$`;
const JSON_PATH_RE = new RegExp(JSON_PATH_PATTERN);
const SEGMENT_RE = /\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;

export function isJsonPath(path: string): boolean {
  return JSON_PATH_RE.test(path);
}

/** `$.a.b[0]['c-d']` → `['a', 'b', 0, 'c-d']`; throws on anything outside the subset. */
export function parseJsonPath(path: string): (string | number)[] {
  if (!isJsonPath(path)) throw new SyntaxError(`not a supported JSON path: ${JSON.stringify(path)} (expected e.g. $.a.b[0].c)`);
  const out: (string | number)[] = [];
  for (const m of path.slice(1).matchAll(SEGMENT_RE)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] ?? m[4]);
  }
  return out;
}

/** The value at `path` in `value`, or undefined when any step is missing. */
export function evalJsonPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const seg of parseJsonPath(path)) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (typeof seg === 'number' && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
