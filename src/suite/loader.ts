import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { FaultSpec } from '../contract/faults.ts';
import { checklistItem, closest } from './checklist.ts';
import { formatPath, issuesToDiagnostics, sortDiagnostics, SuiteError, YamlSource, type Diagnostic, type DocPath, type Severity } from './diagnostics.ts';
import { ENV_REF_ANY_RE, extractedNames, isSensitiveProfilePath, KNOWN_ACTIONS, ProfileSchema, type Action, type Profile } from './profile.ts';
import { SuiteDocumentSchema, type Flow, type Requirement, type Suite } from './schema.ts';
import { ORDER_STEPS, STATUS_CLASSES, STEP_NAMES, stepNeedsBrowser, type CanonicalStatus, type StepName, type SuiteStep } from './steps.ts';
import { stringsIn, templateExpressions, TemplateSyntaxError } from './template.ts';

/**
 * Loading suites and profiles: YAML (with positions) → zod → checks across fields.
 * Every problem becomes a Diagnostic with file, line, column and document path; the
 * loaders collect them all and throw one SuiteError.
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

const hasErrors = (list: Diagnostic[]) => list.some((d) => d.severity === 'error');

class Reporter {
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

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// --- templates ------------------------------------------------------------------------------

/** Decides whether a template variable can be defined where it is used; returns an error message or undefined. */
type VariableRule = (expr: string) => string | undefined;

function checkTemplates(r: Reporter, value: unknown, path: DocPath, rule: VariableRule) {
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

const fixedRoots = (expr: string, roots: Record<string, readonly string[] | 'any' | 'leaf'>, where: string): string | undefined => {
  const [root, ...rest] = expr.split('.');
  const spec = roots[root];
  if (spec === undefined) return `unknown variable {{${expr}}}; ${where} can use ${describeRoots(roots)}`;
  if (spec === 'leaf') return rest.length === 0 ? undefined : `{{${root}}} has no properties (in {{${expr}}})`;
  if (rest.length === 0) return `{{${root}}} needs a property, e.g. {{${root}.${spec === 'any' ? 'NAME' : spec[0]}}}`;
  if (spec !== 'any' && !spec.includes(rest[0])) return `unknown variable {{${expr}}}; {{${root}.…}} has ${spec.map((s) => `${root}.${s}`).join(', ')}`;
  return undefined;
};

function describeRoots(roots: Record<string, readonly string[] | 'any' | 'leaf'>): string {
  return Object.entries(roots)
    .map(([k, v]) => (v === 'leaf' ? `{{${k}}}` : v === 'any' ? `{{${k}.*}}` : v.map((s) => `{{${k}.${s}}}`).join(', ')))
    .join(', ');
}

const ENV_AND_SANDBOX = { env: 'any', sandbox: ['url'] } as const;
const RUN_ROOTS = { ...ENV_AND_SANDBOX, baseUrl: 'leaf', msn: 'leaf', flow: ['id', 'title'], suite: ['id', 'title'] } as const;
/**
 * What each profile action may use: exactly what the runner fills in when it calls that action
 * (src/runner), so a template that validates never fails at run time for an unknown variable.
 * `amount` outside checkout/capture/refund is the flow's own amount (its default payment amount).
 */
const VARS = { vars: 'any' } as const;
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
  custom: { ...RUN_ROOTS, ...VARS, reference: 'leaf', amount: 'leaf', params: 'any' },
} as const satisfies Record<(typeof KNOWN_ACTIONS)[number] | 'custom', Record<string, readonly string[] | 'any' | 'leaf'>>;

const CHECKOUT_CAPTURES = ['reference', 'redirectUrl', 'amount'];

// --- suites -----------------------------------------------------------------------------------

/** Validate suite text; never throws for content problems. */
export function parseSuite(text: string, file: string): ParseResult<Suite> {
  const source = new YamlSource(file, text);
  if (source.hasSyntaxErrors) return { diagnostics: source.syntax };
  const data = source.toJS();
  const r = new Reporter(source);
  const diagnostics: Diagnostic[] = [...source.syntax];
  const parsed = SuiteDocumentSchema.safeParse(data);
  if (!parsed.success) diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { source, value: data, schema: SuiteDocumentSchema }));
  if (isObj(data)) checkSuite(r, data);
  diagnostics.push(...r.list);
  if (!parsed.success || hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };

  const doc = parsed.data;
  const flows: Flow[] = doc.flows.map((f, i) => {
    const pos = source.locate(['flows', i]);
    const steps: SuiteStep[] = f.steps.map((s, j) => {
      const at = source.locate(['flows', i, 'steps', j]);
      return { name: s.key, args: s.value as Record<string, unknown>, index: j, line: at.line, col: at.col };
    });
    return {
      id: f.id,
      title: f.title,
      ...(f.description !== undefined ? { description: f.description } : {}),
      checklist: f.checklist,
      requires: f.requires as Requirement[],
      browser: f.browser ?? steps.some((s) => stepNeedsBrowser(s.name, s.args)),
      timeout: f.timeout,
      vars: f.vars,
      sandbox: { faults: f.sandbox.faults as FaultSpec[] },
      steps,
      line: pos.line,
      col: pos.col,
    };
  });
  const suite: Suite = {
    suite: doc.suite,
    title: doc.title,
    api: doc.api,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    vars: doc.vars,
    flows,
    file,
  };
  return { value: suite, diagnostics: sortDiagnostics(diagnostics) };
}

function checkSuite(r: Reporter, data: Record<string, unknown>) {
  const suiteVars = isObj(data.vars) ? Object.keys(data.vars) : [];
  checkTemplates(r, data.vars, ['vars'], (e) => fixedRoots(e, RUN_ROOTS, 'suite vars'));
  const api = typeof data.api === 'string' ? data.api : undefined;
  const firstAt = new Map<string, number>();
  asArray(data.flows).forEach((flow, i) => {
    if (!isObj(flow)) return;
    const base = ['flows', i];
    if (typeof flow.id === 'string') {
      const prev = firstAt.get(flow.id);
      if (prev !== undefined) r.error([...base, 'id'], `duplicate flow id "${flow.id}" (also flows[${prev}])`);
      else firstAt.set(flow.id, i);
    }
    asArray(flow.checklist).forEach((id, k) => {
      const item = typeof id === 'string' ? checklistItem(id) : undefined;
      if (item && api && !(item.apis as readonly string[]).includes(api)) {
        r.warn([...base, 'checklist', k], `${id} is a checklist item for ${item.apis.join('/')}, but this suite tests ${api}`);
      }
    });
    checkFlowSteps(r, flow, base, suiteVars);
  });
}

function checkFlowSteps(r: Reporter, flow: Record<string, unknown>, base: DocPath, suiteVars: string[]) {
  const flowVars = isObj(flow.vars) ? Object.keys(flow.vars) : [];
  checkTemplates(r, flow.vars, [...base, 'vars'], (e) => fixedRoots(e, RUN_ROOTS, 'flow vars'));
  checkTemplates(r, isObj(flow.sandbox) ? flow.sandbox.faults : undefined, [...base, 'sandbox', 'faults'], (e) =>
    fixedRoots(e, { ...RUN_ROOTS, vars: 'any' }, 'flow faults (set before the first step)'),
  );

  const steps = asArray(flow.steps);
  // Where each variable gets set, to tell "used before set" from "never set".
  const setAt = new Map<string, number>();
  steps.forEach((step, j) => {
    if (!isObj(step)) return;
    const [name] = Object.keys(step);
    if (name === 'set' && isObj(step.set)) for (const k of Object.keys(step.set)) if (!setAt.has(k)) setAt.set(k, j);
  });

  const vars = new Set([...suiteVars, ...flowVars]);
  /** alias → what it holds ('any' for a custom action's extracts). */
  const aliases = new Map<string, string[] | 'any'>();
  let orderFrom: string | undefined;
  let usesBrowser = false;

  steps.forEach((step, j) => {
    if (!isObj(step)) return;
    const keys = Object.keys(step);
    if (keys.length !== 1) return;
    const name = keys[0];
    if (!(STEP_NAMES as string[]).includes(name)) return;
    const stepName = name as StepName;
    const args = isObj(step[name]) ? step[name] : {};
    const path = [...base, 'steps', j];

    if (ORDER_STEPS.has(stepName) && orderFrom === undefined && args.reference === undefined) {
      r.error([...path, name], `${name} needs an order, but no merchant.checkout (or merchant.action) comes before it in this flow; add one or give reference`, {
        key: true,
      });
    }
    if (stepNeedsBrowser(stepName, args)) usesBrowser = true;

    checkTemplates(r, step[name], [...path, name], (expr) => {
      const [root, ...rest] = expr.split('.');
      if (root === 'vars') {
        const v = rest[0];
        if (v === undefined) return `{{vars}} needs a name, e.g. {{vars.amount}}`;
        if (vars.has(v)) return undefined;
        const later = setAt.get(v);
        if (later !== undefined && later >= j) return `{{${expr}}} is used before it is set (by the set step at steps[${later}])`;
        return `unknown variable {{${expr}}}: "${v}" is not in the suite's or flow's vars, and no set step before this one defines it`;
      }
      if (root === 'reference' || root === 'redirectUrl' || root === 'amount') {
        if (rest.length > 0) return `{{${root}}} has no properties (in {{${expr}}})`;
        return orderFrom === undefined ? `{{${expr}}} is not defined yet: no merchant.checkout (or merchant.action) comes before this step` : undefined;
      }
      const alias = aliases.get(root);
      if (alias !== undefined) {
        if (rest.length === 0) return `{{${root}}} needs a property, e.g. {{${root}.reference}}`;
        if (alias !== 'any' && !alias.includes(rest[0])) return `unknown variable {{${expr}}}; ${root} holds ${alias.map((a) => `${root}.${a}`).join(', ')}`;
        return undefined;
      }
      if (root in RUN_ROOTS) return fixedRoots(expr, RUN_ROOTS, 'steps');
      const laterAlias = steps.findIndex((s, k) => k >= j && isObj(s) && Object.values(s).some((a) => isObj(a) && a.as === root));
      if (laterAlias >= 0) return `{{${expr}}} is used before steps[${laterAlias}] captures "${root}"`;
      return `unknown variable {{${expr}}}; steps can use {{vars.*}}, {{reference}}, {{redirectUrl}}, {{amount}}, captured {{<as>.reference}}, ${describeRoots(RUN_ROOTS)}`;
    });

    if (name === 'set' && isObj(step.set)) for (const k of Object.keys(step.set)) vars.add(k);
    if (name === 'merchant.checkout' || name === 'merchant.action') {
      orderFrom = name;
      if (typeof args.as === 'string') aliases.set(args.as, name === 'merchant.checkout' ? CHECKOUT_CAPTURES : 'any');
    }
  });

  if (flow.browser === false && usesBrowser) {
    r.error([...base, 'browser'], 'browser is false, but steps of this flow need a browser page (returnPage, orderPage, openLanding, expect.page, or approve/reject via landing or with redirect)');
  }
}

// --- profiles -----------------------------------------------------------------------------------

/**
 * A role names one action, and only a custom one: a known action already has its meaning (and
 * its scope), and two actions for one role would leave golive guessing which the shop means.
 */
function checkRoles(r: Reporter, actions: Record<string, unknown>) {
  const byRole = new Map<string, string>();
  for (const [name, action] of Object.entries(actions)) {
    if (!isObj(action) || typeof action.role !== 'string') continue;
    const path = ['actions', name, 'role'];
    if ((KNOWN_ACTIONS as readonly string[]).includes(name)) {
      r.error(path, `actions.${name} already has its meaning to golive; declare role: ${action.role} on a custom action (e.g. actions.${action.role})`);
      continue;
    }
    const first = byRole.get(action.role);
    if (first) r.error(path, `role ${action.role} is already declared by actions.${first}; a role names one action`);
    else byRole.set(action.role, name);
  }
}

/** Validate profile text; never throws for content problems. */
export function parseProfile(text: string, file: string): ParseResult<Profile> {
  const source = new YamlSource(file, text);
  if (source.hasSyntaxErrors) return { diagnostics: source.syntax };
  const data = source.toJS();
  const r = new Reporter(source);
  const diagnostics: Diagnostic[] = [...source.syntax];
  const parsed = ProfileSchema.safeParse(data);
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { source, value: data, schema: ProfileSchema, sensitive: isSensitiveProfilePath }));
  }
  if (isObj(data)) checkProfile(r, data);
  diagnostics.push(...r.list);
  const sorted = sortDiagnostics(diagnostics);
  if (!parsed.success || hasErrors(diagnostics)) return { diagnostics: sorted };
  return { value: parsed.data as Profile, diagnostics: sorted };
}

const CAPABILITY_ACTIONS: Record<string, string> = { capture: 'capture', refund: 'refund', cancel: 'cancel', eventLog: 'eventLog' };
const CAPABILITY_DEFAULTS: Record<string, boolean> = { capture: true, refund: true, cancel: true, eventLog: false };
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'cookie', 'ocp-apim-subscription-key', 'client_secret', 'client-secret', 'proxy-authorization']);

function checkProfile(r: Reporter, data: Record<string, unknown>) {
  const caps = isObj(data.capabilities) ? data.capabilities : {};
  const cap = (k: string) => (typeof caps[k] === 'boolean' ? (caps[k] as boolean) : CAPABILITY_DEFAULTS[k]);
  const actions = isObj(data.actions) ? data.actions : undefined;

  if (actions) {
    for (const [capability, action] of Object.entries(CAPABILITY_ACTIONS)) {
      if (cap(capability) && actions[action] === undefined) {
        const explicit = caps[capability] !== undefined;
        r.error(
          explicit ? ['capabilities', capability] : ['actions'],
          `capabilities.${capability} is ${explicit ? 'true' : 'true by default'}, but there is no actions.${action}; add the action or set capabilities.${capability}: false`,
          { key: explicit },
        );
      }
    }
  }
  for (const [partial, whole] of [
    ['partialCapture', 'capture'],
    ['partialRefund', 'refund'],
  ] as const) {
    if (caps[partial] === true && !cap(whole)) r.error(['capabilities', partial], `${partial} needs ${whole}: true`, { key: true });
  }
  if (actions) {
    for (const [name, action] of Object.entries(actions)) {
      const path = ['actions', name];
      if (!(KNOWN_ACTIONS as readonly string[]).includes(name)) {
        if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) r.error(path, `custom action name "${name}" must be letters, digits, - and _`, { key: true });
        const hint = closest(name, KNOWN_ACTIONS);
        if (hint) r.warn(path, `"${name}" is taken as a custom action; did you mean "${hint}"?`, { key: true });
      }
      if (!isObj(action)) continue;
      const known = (KNOWN_ACTIONS as readonly string[]).includes(name);
      const roots = ACTION_SCOPES[(known ? name : 'custom') as keyof typeof ACTION_SCOPES];
      checkTemplates(r, action, path, (e) => fixedRoots(e, roots, known ? `actions.${name}` : 'a custom action'));
      if (isObj(action.http) && isObj(action.http.headers)) {
        for (const [h, v] of Object.entries(action.http.headers)) {
          if (SECRET_HEADERS.has(h.toLowerCase()) && typeof v === 'string' && !v.includes('${env:')) {
            r.warn([...path, 'http', 'headers', h], `header ${h} holds a literal credential; write \${env:NAME} so it stays out of the profile and is redacted`);
          }
        }
      }
    }
    checkRoles(r, actions);
    const orderStatus = actions.orderStatus;
    if (isObj(orderStatus) && (isObj(orderStatus.http) || Array.isArray(orderStatus.browser))) {
      const names = extractedNames({
        http: isObj(orderStatus.http) ? ({ extract: isObj(orderStatus.http.extract) ? orderStatus.http.extract : {} } as Action['http']) : undefined,
        browser: Array.isArray(orderStatus.browser) ? (orderStatus.browser.filter(isObj) as Action['browser']) : undefined,
      });
      if (!names.includes('status')) {
        r.error(['actions', 'orderStatus'], `orderStatus must extract status (http: extract: { status: $.status } or browser: - extract: { name: status, … })`, { key: true });
      }
    }
  }

  if (isObj(data.statusMapping)) {
    // One word may stand for several statuses of one class (STATUS_CLASSES); across classes, warn.
    const owners = new Map<string, string[]>();
    for (const [canonical, v] of Object.entries(data.statusMapping)) {
      const list = Array.isArray(v) ? v : [v];
      list.forEach((s, k) => {
        if (typeof s !== 'string') return;
        const key = s.toLowerCase();
        const prev = owners.get(key) ?? [];
        const at = Array.isArray(v) ? ['statusMapping', canonical, k] : ['statusMapping', canonical];
        const clash = prev.find((p) => STATUS_CLASSES[p as CanonicalStatus] !== STATUS_CLASSES[canonical as CanonicalStatus]);
        if (clash) r.warn(at, `"${s}" is mapped to both ${clash} and ${canonical}, which the checklist tells apart; golive will accept "${s}" for either`);
        owners.set(key, [...prev, canonical]);
      });
    }
  }

  // Templates and ${env:…} outside actions.
  checkTemplates(r, data.baseUrl, ['baseUrl'], (e) => fixedRoots(e, ENV_AND_SANDBOX, 'baseUrl'));
  checkTemplates(r, data.webhookUrl, ['webhookUrl'], (e) => fixedRoots(e, { ...ENV_AND_SANDBOX, baseUrl: 'leaf' }, 'webhookUrl'));
  if (isObj(data.start)) checkTemplates(r, data.start, ['start'], (e) => fixedRoots(e, { ...ENV_AND_SANDBOX, baseUrl: 'leaf', msn: 'leaf' }, 'start'));
  for (const s of stringsIn(data)) {
    const malformed = s.value.replace(ENV_REF_ANY_RE, '').includes('${');
    if (malformed) r.error(s.path, `malformed \${…}: expected \${env:NAME} with NAME of letters, digits and _`);
  }
  if (data.kind === 'psp' && isObj(data.merchant) && data.merchant.pspId === undefined) {
    r.warn(['merchant'], 'kind is psp but merchant.pspId is not set');
  }
}

// --- files --------------------------------------------------------------------------------------

/**
 * `*.profile.yaml` and documents with a top-level `profile:` (and no `suite:`) are profiles;
 * documents with a top-level `suite:` are suites; anything else is undefined (e.g. a sandbox config).
 */
export function detectKind(file: string, text: string): FileKind | undefined {
  if (/\.profile\.ya?ml$/i.test(file)) return 'profile';
  const suite = /^suite\s*:/m.test(text);
  if (/^profile\s*:/m.test(text) && !suite) return 'profile';
  return suite ? 'suite' : undefined;
}

export interface ValidatedFile {
  file: string;
  kind: FileKind;
  diagnostics: Diagnostic[];
  suite?: Suite;
  profile?: Profile;
}

/** Read and validate one file of either kind. I/O errors become a diagnostic at 1:1. */
export async function validateFile(file: string, kind?: FileKind): Promise<ValidatedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { file, kind: kind ?? 'suite', diagnostics: [{ file, line: 1, col: 1, path: '', message: `cannot read: ${(err as Error).message}`, severity: 'error' }] };
  }
  const k = kind ?? detectKind(file, text) ?? 'suite';
  if (k === 'profile') {
    const res = parseProfile(text, file);
    return { file, kind: k, diagnostics: res.diagnostics, profile: res.value };
  }
  const res = parseSuite(text, file);
  return { file, kind: k, diagnostics: res.diagnostics, suite: res.value };
}

async function loadOne<T>(file: string, parse: (text: string, file: string) => ParseResult<T>, opts: LoadOptions): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SuiteError([{ file, line: 1, col: 1, path: '', message: `cannot read: ${(err as Error).message}`, severity: 'error' }]);
  }
  const res = parse(text, file);
  if (!res.value) throw new SuiteError(res.diagnostics);
  for (const d of res.diagnostics) if (d.severity === 'warning') opts.onWarning?.(d);
  return res.value;
}

/** Load one suite; throws SuiteError listing every problem. */
export function loadSuite(file: string, opts: LoadOptions = {}): Promise<Suite> {
  return loadOne(file, parseSuite, opts);
}

/** Load one merchant profile (credentials still `${env:…}`; see resolveSecrets). Throws SuiteError. */
export function loadProfile(file: string, opts: LoadOptions = {}): Promise<Profile> {
  return loadOne(file, parseProfile, opts);
}

/**
 * Load every suite in a directory (recursively, `*.yaml`/`*.yml`, profiles excluded), a glob
 * (`suites/**\/*.yaml`) or a single file. Throws one SuiteError with the problems of all
 * files, including suite ids used twice.
 */
export async function loadSuites(dirOrGlob: string, opts: LoadOptions = {}): Promise<Suite[]> {
  const files = (await expandPaths([dirOrGlob])).filter((f) => !/\.profile\.ya?ml$/i.test(f));
  if (files.length === 0) throw new SuiteError([{ file: dirOrGlob, line: 1, col: 1, path: '', message: 'no suite files found', severity: 'error' }]);
  const suites: Suite[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const res = await validateFile(file, 'suite');
    diagnostics.push(...res.diagnostics);
    if (res.suite) suites.push(res.suite);
  }
  const seen = new Map<string, string>();
  for (const s of suites) {
    const prev = seen.get(s.suite);
    if (prev) {
      const text = await readFile(s.file, 'utf8');
      const pos = new YamlSource(s.file, text).locate(['suite']);
      diagnostics.push({ file: s.file, line: pos.line, col: pos.col, path: 'suite', message: `duplicate suite id "${s.suite}" (also in ${prev})`, severity: 'error' });
    } else seen.set(s.suite, s.file);
  }
  if (hasErrors(diagnostics)) throw new SuiteError(diagnostics);
  for (const d of diagnostics) opts.onWarning?.(d);
  return suites;
}

// --- paths and globs ------------------------------------------------------------------------------

const GLOB_CHARS = /[*?[{]/;
const YAML_FILE = /\.ya?ml$/i;

/** Glob → RegExp over '/'-separated relative paths: `**`, `*`, `?`, `{a,b}`, `[abc]`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((p) => p.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += glob.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Files named by `patterns`: a file as is; a directory → its YAML files (recursively);
 * a glob → the matching files. Missing paths are returned as they are (reading reports them).
 */
export async function expandPaths(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (GLOB_CHARS.test(p)) {
      const parts = p.split(/[\\/]/);
      const firstGlob = parts.findIndex((s) => GLOB_CHARS.test(s));
      const base = parts.slice(0, firstGlob).join('/') || '.';
      const re = globToRegExp(parts.slice(firstGlob).join('/'));
      for (const f of await walk(base)) if (re.test(relative(base, f).split(sep).join('/'))) out.push(f);
      continue;
    }
    const st = await stat(p).catch(() => undefined);
    if (st?.isDirectory()) out.push(...(await walk(p)).filter((f) => YAML_FILE.test(f)));
    else out.push(p);
  }
  return [...new Set(out.map((f) => resolve(f)))].map((f) => relative(process.cwd(), f) || f);
}
