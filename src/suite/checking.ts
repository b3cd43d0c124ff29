import type { z } from 'zod';
import { formatPath, issuesToDiagnostics, sortDiagnostics, YamlSource, type Diagnostic, type DocPath, type IssueContext, type Severity } from './diagnostics.ts';
import { KNOWN_ACTIONS } from './profile.ts';
import { stringsIn, templateExpressions, TemplateSyntaxError } from './template.ts';

/**
 * What the suite and profile loaders share: the diagnostics reporter and the template-variable
 * checks with each field's scope (ACTION_SCOPES: exactly what the runner fills in per action).
 */

export type FileKind = 'suite' | 'profile';

export interface ParseResult<T> {
  /** Present when there are no errors (warnings allowed). */
  value?: T;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Called with each warning of a file that loaded. */
  onWarning?: (d: Diagnostic) => void;
}

export const hasErrors = (list: Diagnostic[]) => list.some((d) => d.severity === 'error');

export class Reporter {
  readonly list: Diagnostic[] = [];
  constructor(private readonly source: YamlSource) {}
  add(severity: Severity, path: DocPath, message: string, opts: { key?: boolean } = {}) {
    const pos = this.source.locate(path, opts);
    this.list.push({ file: this.source.file, line: pos.line, col: pos.col, path: formatPath(path), message, severity });
  }
  error(path: DocPath, message: string, opts?: { key?: boolean }) {
    this.add('error', path, message, opts);
  }
  warn(path: DocPath, message: string, opts?: { key?: boolean }) {
    this.add('warning', path, message, opts);
  }
}

export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// --- templates ------------------------------------------------------------------------------

/** Decides whether a template variable can be defined where it is used; returns an error message or undefined. */
type VariableRule = (expr: string) => string | undefined;

export function checkTemplates(r: Reporter, value: unknown, path: DocPath, rule: VariableRule) {
  for (const s of stringsIn(value, [...path])) {
    if (!s.value.includes('{{') && !s.value.includes('}}') && !s.value.includes('${env:')) continue;
    let exprs: string[];
    try {
      exprs = templateExpressions(s.value);
    } catch (err) {
      if (err instanceof TemplateSyntaxError) {
        r.error(s.path, err.message);
        continue;
      }
      throw err;
    }
    for (const expr of exprs) {
      const problem = rule(expr);
      if (problem) r.error(s.path, problem);
    }
  }
}

export const fixedRoots = (expr: string, roots: Record<string, readonly string[] | 'any' | 'leaf'>, where: string): string | undefined => {
  const [root, ...rest] = expr.split('.');
  const spec = roots[root];
  if (spec === undefined) return `unknown variable {{${expr}}}; ${where} can use ${describeRoots(roots)}`;
  if (spec === 'leaf') return rest.length === 0 ? undefined : `{{${root}}} has no properties (in {{${expr}}})`;
  if (rest.length === 0) return `{{${root}}} needs a property, e.g. {{${root}.${spec === 'any' ? 'NAME' : spec[0]}}}`;
  if (spec !== 'any' && !spec.includes(rest[0])) return `unknown variable {{${expr}}}; {{${root}.…}} has ${spec.map((s) => `${root}.${s}`).join(', ')}`;
  return undefined;
};

export function describeRoots(roots: Record<string, readonly string[] | 'any' | 'leaf'>): string {
  return Object.entries(roots)
    .map(([k, v]) => (v === 'leaf' ? `{{${k}}}` : v === 'any' ? `{{${k}.*}}` : v.map((s) => `{{${k}.${s}}}`).join(', ')))
    .join(', ');
}

export const ENV_AND_SANDBOX = { env: 'any', sandbox: ['url'] } as const;
/** `installation`: the sales unit the flow runs for (a platform's installation; else the merchant itself, src/suite/profile-platform.ts). */
export const INSTALLATION_ROOT = { installation: ['id', 'msn', 'title'] } as const;
export const RUN_ROOTS = { ...ENV_AND_SANDBOX, baseUrl: 'leaf', msn: 'leaf', flow: ['id', 'title'], suite: ['id', 'title'], ...INSTALLATION_ROOT } as const;
/**
 * What each profile action may use: exactly what the runner fills in when it calls that action
 * (src/runner), so a template that validates never fails at run time for an unknown variable.
 * `amount` outside checkout/capture/refund is the current order's amount (the flow's own amount
 * before it has an order). A custom action's `reference` exists once the flow has an order, its
 * `params.*` are the ones its `merchant.action` step passes; otherwise the step fails saying so
 * (test/runner/merchant-action-scope.test.ts).
 */
export const VARS = { vars: 'any' } as const;
/**
 * What in-person role actions (IN_PERSON_ROLES) are told besides a custom action's scope: the
 * customer's phone, the current amount in major units, a description, and the page a scanned
 * merchant-redirect QR opened ('' when the flow scanned none).
 */
export const IN_PERSON_SCOPE = { phoneNumber: 'leaf', amountMajor: 'leaf', description: 'leaf', qrTarget: 'leaf' } as const;
export const ACTION_SCOPES = {
  checkout: { ...RUN_ROOTS, ...VARS, amount: 'leaf', amountMajor: 'leaf', description: 'leaf' },
  capture: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf', amountMajor: 'leaf' },
  refund: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf', amountMajor: 'leaf' },
  cancel: { ...RUN_ROOTS, ...VARS, reference: 'leaf' },
  orderStatus: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf' },
  returnPage: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf' },
  orderPage: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf' },
  eventLog: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf' },
  /** Custom actions (merchant.action): their params, and the flow's current order when it has one. */
  custom: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf', params: 'any', ...IN_PERSON_SCOPE },
} as const satisfies Record<(typeof KNOWN_ACTIONS)[number] | 'custom', Record<string, readonly string[] | 'any' | 'leaf'>>;

export const CHECKOUT_CAPTURES = ['reference', 'redirectUrl', 'amount'];


/**
 * The pipeline both loaders run: YAML (with positions) → the zod schema → the cross-field
 * `check`; every problem collected and sorted. `value` is set only when nothing is an error.
 */
export function validateDocument<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  check: (r: Reporter, data: Record<string, unknown>) => void,
  sensitive?: IssueContext['sensitive'],
): { source: YamlSource; value?: z.output<S>; diagnostics: Diagnostic[] } {
  const source = new YamlSource(file, text);
  if (source.hasSyntaxErrors) return { source, diagnostics: source.syntax };
  const data = source.toJS();
  const r = new Reporter(source);
  const diagnostics: Diagnostic[] = [...source.syntax];
  const parsed = schema.safeParse(data);
  if (!parsed.success) diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { source, value: data, schema, ...(sensitive ? { sensitive } : {}) }));
  if (isObj(data)) check(r, data);
  diagnostics.push(...r.list);
  const sorted = sortDiagnostics(diagnostics);
  return !parsed.success || hasErrors(diagnostics) ? { source, diagnostics: sorted } : { source, value: parsed.data, diagnostics: sorted };
}
