/**
 * `{{…}}` interpolation for suites and profiles.
 *
 * - `{{reference}}`, `{{vars.amount}}`, `{{env.NAME}}`, `{{sandbox.url}}`, `{{baseUrl}}`,
 *   `{{order.reference}}` (values a step captured under `as: order`): a dotted path into the scope.
 * - A string that is exactly one `{{x}}` becomes the value itself, keeping its type
 *   (`"{{vars.amount}}"` → 49900, a number). Inside longer text values are stringified
 *   (objects as JSON, null as the empty string).
 * - `{{env.NAME:-default}}`: the variable, or `default` when it is unset or empty (as in a shell).
 * - Unknown variables are errors naming every one of them; nothing is silently left empty.
 *
 * Credentials use a different syntax, `${env:NAME}`, resolved once by `resolveSecrets`
 * (profile.ts), so that secrets never pass through templates that end up in reports.
 */

export type Scope = Record<string, unknown>;

const EXPR_RE = /\{\{([^{}]*)\}\}/g;
const WHOLE_RE = /^\{\{([^{}]*)\}\}$/;
const SEGMENT_RE = /^(?:[A-Za-z_$][A-Za-z0-9_$-]*|\d+)$/;

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export class InterpolationError extends Error {
  constructor(
    message: string,
    /** Every variable that could not be resolved, e.g. `vars.amount`, `env.SHOP_URL`. */
    readonly unknown: string[],
  ) {
    super(message);
    this.name = 'InterpolationError';
  }
}

export function hasTemplate(s: string): boolean {
  return s.includes('{{');
}

/**
 * The variable paths in a string, e.g. `"{{baseUrl}}/o/{{ order.reference }}"` → `['baseUrl', 'order.reference']`.
 * Throws TemplateSyntaxError for `{{` without `}}`, empty `{{}}` and malformed names.
 */
export function templateExpressions(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(EXPR_RE)) {
    const { name: expr, fallback } = splitDefault(m[1]);
    if (expr === '') throw new TemplateSyntaxError(`empty {{}} in ${JSON.stringify(s)}`);
    if (fallback !== undefined && !expr.startsWith('env.')) throw new TemplateSyntaxError(`a default (:-) is for environment variables only, not {{${expr}}} in ${JSON.stringify(s)}`);
    const segments = expr.split('.');
    if (!segments.every((seg) => SEGMENT_RE.test(seg))) {
      throw new TemplateSyntaxError(`invalid variable name ${JSON.stringify(expr)} in ${JSON.stringify(s)} (expected a dotted name such as vars.amount)`);
    }
    out.push(expr);
  }
  const rest = s.replace(EXPR_RE, '');
  if (rest.includes('{{')) throw new TemplateSyntaxError(`unterminated {{ in ${JSON.stringify(s)}`);
  if (rest.includes('}}')) throw new TemplateSyntaxError(`}} without {{ in ${JSON.stringify(s)}`);
  return out;
}

const MISSING = Symbol('missing');

/** `env.NAME:-default` → name and default; anything else → the trimmed name alone. */
export function splitDefault(raw: string): { name: string; fallback?: string } {
  const at = raw.indexOf(':-');
  if (at < 0) return { name: raw.trim() };
  return { name: raw.slice(0, at).trim(), fallback: raw.slice(at + 2) };
}

/** The value of `raw` (a `{{…}}` body) in `scope`, its default applied; MISSING when unresolved. */
function resolveExpr(scope: Scope, raw: string): unknown {
  const { name, fallback } = splitDefault(raw);
  const v = lookup(scope, name);
  if (fallback !== undefined && (v === MISSING || v === '')) return fallback;
  return v;
}

function lookup(scope: Scope, expr: string): unknown {
  let cur: unknown = scope;
  for (const seg of expr.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return MISSING;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return MISSING;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur === undefined ? MISSING : cur;
}

function stringify(v: unknown): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Every path of `scope` that a template could name (for "known variables" hints). */
export function scopeNames(scope: Scope, prefix = '', depth = 0): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(scope)) {
    if (v === undefined) continue;
    const name = prefix + k;
    if (k === 'env' && depth === 0) {
      out.push('env.*');
      continue;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 2) out.push(...scopeNames(v as Scope, `${name}.`, depth + 1));
    else out.push(name);
  }
  return out;
}

/**
 * Replace every `{{x}}` in `value` (a string, or strings anywhere inside arrays and objects)
 * with its value in `scope`. Throws InterpolationError naming all unknown variables.
 */
export function interpolate(value: unknown, scope: Scope): unknown {
  const unknown = new Set<string>();
  const out = walk(value, scope, unknown);
  if (unknown.size > 0) {
    const names = [...unknown];
    const envs = names.filter((n) => n.startsWith('env.')).map((n) => n.slice(4));
    const others = names.filter((n) => !n.startsWith('env.'));
    const parts: string[] = [];
    if (others.length > 0) {
      const known = scopeNames(scope);
      parts.push(
        `unknown variable${others.length > 1 ? 's' : ''} ${others.map((n) => `{{${n}}}`).join(', ')}` +
          (known.length > 0 ? ` (known: ${known.join(', ')})` : ''),
      );
    }
    if (envs.length > 0) parts.push(`environment variable${envs.length > 1 ? 's' : ''} ${envs.join(', ')} not set`);
    throw new InterpolationError(parts.join('; '), names);
  }
  return out;
}

function walk(value: unknown, scope: Scope, unknown: Set<string>): unknown {
  if (typeof value === 'string') return interpolateString(value, scope, unknown);
  if (Array.isArray(value)) return value.map((v) => walk(v, scope, unknown));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, scope, unknown);
    return out;
  }
  return value;
}

function interpolateString(s: string, scope: Scope, unknown: Set<string>): unknown {
  if (!hasTemplate(s)) return s;
  const exprs = templateExpressions(s);
  const whole = WHOLE_RE.exec(s);
  if (whole && exprs.length === 1) {
    const v = resolveExpr(scope, whole[1]);
    if (v === MISSING) {
      unknown.add(exprs[0]);
      return s;
    }
    return v;
  }
  return s.replace(EXPR_RE, (match, raw: string) => {
    const v = resolveExpr(scope, raw);
    if (v === MISSING) {
      unknown.add(splitDefault(raw).name);
      return match;
    }
    return stringify(v);
  });
}

/** Every string inside `value` with its path, for static checks of templates. */
export function* stringsIn(value: unknown, path: (string | number)[] = []): Generator<{ path: (string | number)[]; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], [...path, i]);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}

/**
 * `{{env.NAME}}` references without a default whose variable `env` does not set, with where they
 * are — checked before a run starts, so an unset variable is a configuration error, not a crash.
 */
export function missingEnvironment(value: unknown, env: NodeJS.ProcessEnv): { name: string; paths: string[] }[] {
  const missing = new Map<string, string[]>();
  for (const s of stringsIn(value)) {
    if (!hasTemplate(s.value)) continue;
    for (const m of s.value.matchAll(EXPR_RE)) {
      const { name, fallback } = splitDefault(m[1]);
      if (!name.startsWith('env.') || fallback !== undefined) continue;
      const variable = name.slice(4);
      if (env[variable] !== undefined) continue;
      missing.set(variable, [...(missing.get(variable) ?? []), s.path.join('.')]);
    }
  }
  return [...missing].map(([name, paths]) => ({ name, paths }));
}
