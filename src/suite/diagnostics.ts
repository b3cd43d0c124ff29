import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { closest } from './checklist.ts';

export type Severity = 'error' | 'warning';
export type DocPath = readonly (string | number)[];

/*
 * Over 300 lines: positions (YAML node → line:col), zod issues → readable messages and the
 * formatter are one job — telling a user exactly where and what is wrong in a file.
 */

/** One problem in a suite or profile file, with the position of the offending YAML node. */
export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Path in the document, e.g. `flows[2].steps[1].expect.payment.state` ('' for the whole document). */
  path: string;
  message: string;
  severity: Severity;
}

/** `['flows', 2, 'steps', 1, 'expect.payment', 'state']` → `flows[2].steps[1].expect.payment.state` */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** `file:line:col: [warning: ]path: message` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.path ? `${d.path}: ` : ''}${d.message}`;
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1));
}

/** Thrown by the loaders when a file has errors; carries every diagnostic, not just the first. */
export class SuiteError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `${errors.length} error${errors.length === 1 ? '' : 's'} in ${[...new Set(errors.map((d) => d.file))].join(', ') || 'input'}:\n` +
        sortDiagnostics(diagnostics)
          .map(formatDiagnostic)
          .join('\n'),
    );
    this.name = 'SuiteError';
  }

  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }

  /** One `file:line:col: message` line per diagnostic, in file order. */
  format(): string {
    return sortDiagnostics(this.diagnostics).map(formatDiagnostic).join('\n');
  }
}

/** Larger suites and profiles are refused before parsing (a profile is a few KB; a big suite ~100 KB). */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Alias expansions allowed while building the document (a "billion laughs" bomb needs millions). */
export const MAX_YAML_ALIASES = 1000;

/** A parsed YAML file that can say where a path of its document is. */
export class YamlSource {
  readonly doc: Document.Parsed;
  readonly lineCounter = new LineCounter();
  /** YAML syntax errors and warnings. */
  readonly syntax: Diagnostic[] = [];

  private js: { value: unknown } | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_YAML_BYTES) {
      this.doc = parseDocument('');
      this.syntax.push({ file, line: 1, col: 1, path: '', message: `file is ${bytes} bytes; at most ${MAX_YAML_BYTES} bytes (1 MiB) are read`, severity: 'error' });
      return;
    }
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
    for (const [list, severity] of [
      [this.doc.errors, 'error'],
      [this.doc.warnings, 'warning'],
    ] as const) {
      for (const e of list) {
        const { line, col } = this.lineCounter.linePos(e.pos[0]);
        this.syntax.push({ file, line, col, path: '', message: `YAML: ${e.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')}`, severity });
      }
    }
    if (!this.hasSyntaxErrors) this.expand();
  }

  get hasSyntaxErrors(): boolean {
    return this.syntax.some((d) => d.severity === 'error');
  }

  /** Build the plain value once; an alias bomb becomes a positioned error instead of a crash. */
  private expand(): void {
    try {
      this.js = { value: this.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
    } catch (err) {
      if (!(err instanceof ReferenceError) && !(err instanceof RangeError)) throw err;
      let at = 0;
      visit(this.doc, {
        Alias: (_key, node) => {
          at = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
      const { line, col } = this.lineCounter.linePos(at);
      const message = /alias/i.test(err.message) ? `too many aliases (their expansion exceeds ${MAX_YAML_ALIASES} nodes)` : `YAML: ${err.message}`;
      this.syntax.push({ file: this.file, line, col, path: '', message, severity: 'error' });
    }
  }

  toJS(): unknown {
    if (!this.js) this.expand();
    return this.js?.value;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /**
   * Position of the node at `path` — of its key when `key` is set and the last segment is
   * a mapping key. When the path does not exist, the nearest existing ancestor's position,
   * with `found: false` and how many trailing segments were missing.
   */
  locate(path: DocPath, opts: { key?: boolean } = {}): { line: number; col: number; found: boolean; missing: number } {
    let node: unknown = this.resolve(this.doc.contents);
    let offset = rangeStart(node) ?? 0;
    let depth = 0;
    for (const seg of path) {
      node = this.resolve(node);
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(seg));
        if (pair) {
          keyNode = pair.key;
          next = pair.value ?? undefined;
          if (next === undefined || next === null) next = pair.key;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined) break;
      depth++;
      const isLast = depth === path.length;
      const at = isLast && opts.key && keyNode !== undefined ? rangeStart(keyNode) : rangeStart(this.resolve(next));
      if (at !== undefined) offset = at;
      node = next;
    }
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col, found: depth === path.length, missing: path.length - depth };
  }
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as Node | undefined)?.range;
  return r ? r[0] : undefined;
}

// ---------------------------------------------------------------------------------------
// zod issues → diagnostics

/** A one-key-map schema (steps, browser ops): its key → schema, so errors can name valid keys. */
export const ONE_KEY_VARIANTS = new WeakMap<object, Record<string, z.ZodType>>();

export function valueAt(value: unknown, path: DocPath): unknown {
  let cur = value;
  for (const seg of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'an empty value',
  date: 'a date',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

const quote = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

// -- a small walk over zod's internals, to name the properties an object accepts ----------
type AnySchema = { _zod: { def: any } };

function unwrap(s: AnySchema | undefined): AnySchema | undefined {
  let cur = s;
  for (let i = 0; i < 20 && cur; i++) {
    if (ONE_KEY_VARIANTS.has(cur)) return cur;
    const def = cur._zod.def;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else if (def.type === 'lazy') cur = def.getter();
    else return cur;
  }
  return cur;
}

function objectOptions(s: AnySchema | undefined, value: unknown): AnySchema[] {
  const u = unwrap(s);
  if (!u) return [];
  const def = u._zod.def;
  if (def.type === 'object') return [u];
  if (def.type === 'union') {
    const all = (def.options as AnySchema[]).flatMap((o) => objectOptions(o, value));
    // Prefer the options whose literal fields (discriminators) agree with the value.
    const fitting = all.filter((o) =>
      Object.entries(o._zod.def.shape as Record<string, AnySchema>).every(([k, f]) => {
        const fd = unwrap(f)?._zod.def;
        if (fd?.type !== 'literal') return true;
        return (fd.values as unknown[]).includes((value as Record<string, unknown> | undefined)?.[k]);
      }),
    );
    return fitting.length > 0 ? fitting : all;
  }
  return [];
}

/** The schema at `path` below `root` (undefined where it cannot be followed). */
export function schemaAt(root: z.ZodType, path: DocPath, value: unknown): AnySchema | undefined {
  let s: AnySchema | undefined = root as unknown as AnySchema;
  for (let i = 0; i < path.length && s; i++) {
    const seg = path[i];
    s = unwrap(s);
    if (!s) return undefined;
    const variants = ONE_KEY_VARIANTS.get(s);
    if (variants) {
      s = variants[String(seg)] as unknown as AnySchema | undefined;
      continue;
    }
    const def = s._zod.def;
    if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else {
      const here = valueAt(value, path.slice(0, i));
      const options = objectOptions(s, here);
      s = options.map((o) => o._zod.def.shape[seg] ?? (o._zod.def.catchall?._zod.def.type === 'never' ? undefined : o._zod.def.catchall)).find(Boolean);
    }
  }
  return s;
}

function keysAt(root: z.ZodType, path: DocPath, value: unknown): string[] {
  const s = unwrap(schemaAt(root, path, value));
  if (!s) return [];
  const variants = ONE_KEY_VARIANTS.get(s);
  if (variants) return Object.keys(variants);
  if (s._zod.def.type === 'record') return acceptedValues(s._zod.def.keyType);
  const keys = objectOptions(s, valueAt(value, path)).flatMap((o) => Object.keys(o._zod.def.shape));
  return [...new Set(keys)];
}

export interface IssueContext {
  source: YamlSource;
  /** The document as plain data (what zod saw). */
  value: unknown;
  /** The schema the value was checked against (to name accepted properties). */
  schema: z.ZodType;
  /** Paths whose values must never be echoed in a message (secrets). */
  sensitive?: (path: DocPath) => boolean;
}

/** Every zod issue as a diagnostic pointing at the node it is about. */
export function issuesToDiagnostics(issues: readonly z.core.$ZodIssue[], ctx: IssueContext, base: DocPath = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) out.push(...issueToDiagnostics(issue, ctx, base));
  // The same node can be reported twice through unions; keep one of each.
  const seen = new Set<string>();
  return out.filter((d) => {
    const k = `${d.line}:${d.col}:${d.path}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Enum and literal values accepted at a schema position (for "did you mean"). */
function acceptedValues(s: AnySchema | undefined, depth = 0): string[] {
  const u = unwrap(s);
  if (!u || depth > 4) return [];
  const def = u._zod.def;
  if (def.type === 'enum') return Object.values(def.entries as Record<string, string>).map(String);
  if (def.type === 'literal') return (def.values as unknown[]).map(String);
  if (def.type === 'union') return (def.options as AnySchema[]).flatMap((o) => acceptedValues(o, depth + 1));
  return [];
}

function issueToDiagnostics(issue: z.core.$ZodIssue, ctx: IssueContext, base: DocPath): Diagnostic[] {
  const path: DocPath = [...base, ...(issue.path as (string | number)[])];
  const value = valueAt(ctx.value, path);
  const hidden = ctx.sensitive?.(path) ?? false;
  const got = hidden ? '' : `, got ${show(value)}`;
  const parent = valueAt(ctx.value, path.slice(0, -1));
  const missing = value === undefined && path.length > 0 && parent !== null && typeof parent === 'object' && !Array.isArray(parent);
  const at = (p: DocPath, message: string, opts: { key?: boolean } = {}): Diagnostic => {
    const pos = ctx.source.locate(p, opts);
    return { file: ctx.source.file, line: pos.line, col: pos.col, path: formatPath(p), message, severity: 'error' };
  };
  /** A value-level expectation: "expected X, got Y (did you mean Z?)", or "missing property" when absent. */
  const expectation = (expected: string, candidates?: readonly string[]): Diagnostic[] => {
    if (missing) return [at(path, `missing property "${path[path.length - 1]}" (${expected})`)];
    const pool = candidates ?? acceptedValues(schemaAt(ctx.schema, path, ctx.value));
    const hint = typeof value === 'string' && !hidden && pool.length > 0 ? closest(value, pool) : undefined;
    // A refinement over a whole mapping ("expected at least one of …") gains nothing from "got a mapping".
    const gotScalar = issue.code === 'custom' && value !== null && typeof value === 'object' ? '' : got;
    return [at(path, `${expected}${gotScalar}${hint && hint !== value ? ` (did you mean ${hint}?)` : ''}`)];
  };
  const own = (msg: string) => msg.startsWith('expected ');

  switch (issue.code) {
    case 'invalid_type':
      return expectation(own(issue.message) ? issue.message : `expected ${typeName(issue.expected)}`, []);
    case 'invalid_value': {
      const values = issue.values.map(quote);
      return expectation(values.length === 1 ? `expected ${values[0]}` : `expected one of ${values.join(', ')}`, issue.values.map(String));
    }
    case 'invalid_format': {
      if (own(issue.message)) return expectation(issue.message);
      const f = issue as z.core.$ZodIssueInvalidStringFormat;
      const what =
        f.format === 'regex' ? `a string matching ${f.pattern}` : f.format === 'url' ? 'a URL' : f.format === 'starts_with' ? `a string starting with ${JSON.stringify((f as any).prefix)}` : `a valid ${f.format}`;
      return expectation(`expected ${what}`);
    }
    case 'too_small':
    case 'too_big': {
      if (own(issue.message)) return expectation(issue.message, []);
      const small = issue.code === 'too_small';
      const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
      const inclusive = issue.inclusive !== false;
      const origin = issue.origin;
      let what: string;
      if (origin === 'string') what = small && Number(bound) === 1 ? 'a non-empty string' : `${small ? 'at least' : 'at most'} ${bound} characters`;
      else if (origin === 'array' || origin === 'set') what = `${small ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
      else what = `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${bound}`;
      const gotLen = (origin === 'array' && Array.isArray(value)) || (origin === 'string' && typeof value === 'string' && !hidden) ? `, got ${value.length}` : got;
      return [at(path, `expected ${what}${gotLen}`)];
    }
    case 'not_multiple_of':
      return expectation(`expected a multiple of ${issue.divisor}`, []);
    case 'unrecognized_keys': {
      const allowed = keysAt(ctx.schema, path, ctx.value);
      return issue.keys.map((k) => {
        const hint = closest(k, allowed);
        const list = allowed.length > 0 ? `; expected one of: ${allowed.join(', ')}` : '';
        return at([...path, k], `unknown property "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}${list}`, { key: true });
      });
    }
    case 'invalid_key':
      return issuesToDiagnostics(issue.issues, ctx, path).map((d) => ({ ...d, message: `invalid key: ${d.message}` }));
    case 'invalid_element':
      return issuesToDiagnostics(issue.issues, ctx, [...path, issue.key as string | number]);
    case 'invalid_union': {
      const u = issue as z.core.$ZodIssueInvalidUnion & { note?: string; discriminator?: string; options?: unknown[] };
      if (u.note === 'No matching discriminator' && u.options) {
        return expectation(`expected one of ${u.options.map(quote).join(', ')}`, u.options.map(String));
      }
      if (own(issue.message)) return expectation(issue.message);
      const branches = u.errors;
      const rootTypeOnly = (b: readonly z.core.$ZodIssue[]) => b.length === 1 && b[0].path.length === 0 && b[0].code === 'invalid_type';
      if (branches.length > 0 && branches.every(rootTypeOnly)) {
        const names = [...new Set(branches.map((b) => typeName((b[0] as z.core.$ZodIssueInvalidType).expected)))];
        return expectation(`expected ${names.join(' or ')}`);
      }
      // Report the branch that got furthest: fewest issues, not failing on the type at the root.
      const candidates = branches.filter((b) => !rootTypeOnly(b));
      const best = [...(candidates.length > 0 ? candidates : branches)].sort((a, b) => a.length - b.length)[0] ?? [];
      if (best.length === 0) return [at(path, `invalid value${got}`)];
      return issuesToDiagnostics(best, ctx, path);
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { at?: 'key' };
      if (own(issue.message) && !issue.message.includes(', got')) return expectation(issue.message);
      return [at(path, issue.message, { key: params.at === 'key' })];
    }
    default:
      return [at(path, (issue as z.core.$ZodIssue).message)];
  }
}
