import { readFile } from 'node:fs/promises';
import type { FaultSpec } from '../contract/faults.ts';
import { checklistItem } from './checklist.ts';
import { SuiteError, YamlSource, type Diagnostic, type DocPath } from './diagnostics.ts';
import type { Profile } from './profile.ts';
import { SuiteDocumentSchema, type Flow, type Requirement, type Suite } from './schema.ts';
import { ORDER_STEPS, STATES_OF_API, STEP_NAMES, stepNeedsBrowser, type StepName, type SuiteStep } from './steps.ts';

import { validateDocument, asArray, CHECKOUT_CAPTURES, checkTemplates, describeRoots, fixedRoots, hasErrors, isObj, Reporter, RUN_ROOTS, type FileKind, type LoadOptions, type ParseResult } from './checking.ts';
import { parseProfile } from './profile-loader.ts';
import { expandPaths } from './paths.ts';

export { ACTION_SCOPES, type FileKind, type LoadOptions, type ParseResult } from './checking.ts';
export { parseProfile } from './profile-loader.ts';
export { expandPaths, globToRegExp } from './paths.ts';
/**
 * Loading suites and profiles: YAML (with positions) → zod → checks across fields.
 * Every problem becomes a Diagnostic with file, line, column and document path; the
 * loaders collect them all and throw one SuiteError.
 */

// --- suites -----------------------------------------------------------------------------------

/** Validate suite text; never throws for content problems. */
export function parseSuite(text: string, file: string): ParseResult<Suite> {
  const { source, value: doc, diagnostics } = validateDocument(text, file, SuiteDocumentSchema, checkSuite);
  if (!doc) return { diagnostics };

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
  return { value: suite, diagnostics };
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
    if (api && api in STATES_OF_API) checkStateWords(r, flow, base, STATES_OF_API[api as keyof typeof STATES_OF_API], api);
  });
}

/** `expect.payment.state` must be a state word of the suite's API (the schema takes every API's). */
function checkStateWords(r: Reporter, flow: Record<string, unknown>, base: DocPath, states: readonly string[], api: string) {
  asArray(flow.steps).forEach((step, j) => {
    const args = isObj(step) && isObj(step['expect.payment']) ? step['expect.payment'] : undefined;
    const words = Array.isArray(args?.state) ? args.state : [args?.state];
    words.forEach((state, k) => {
      // A word of no API at all is the schema's to report; here, a word of another API.
      const known = Object.values(STATES_OF_API).some((list) => (list as readonly string[]).includes(String(state)));
      const at = Array.isArray(args?.state) ? [k] : [];
      if (typeof state === 'string' && known && !states.includes(state))
        r.error([...base, 'steps', j, 'expect.payment', 'state', ...at], `${state} is not a ${api} payment state; expected one of ${states.join(', ')}`);
    });
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
      // The flow's customer phone is always there; a QR's target and id once a step made them (empty before).
      if (root === 'phoneNumber' || root === 'qrTarget' || root === 'qrId') return rest.length > 0 ? `{{${root}}} has no properties (in {{${expr}}})` : undefined;
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
    if (name === 'customer.scanQr' && typeof args.as === 'string') aliases.set(args.as, QR_SCAN_CAPTURES);
  });

  if (flow.browser === false && usesBrowser) {
    r.error([...base, 'browser'], 'browser is false, but steps of this flow need a browser page (returnPage, orderPage, openLanding, expect.page, or approve/reject via landing or with redirect)');
  }
}

/** What `customer.scanQr { as }` stores. */
const QR_SCAN_CAPTURES = ['kind', 'qrId', 'reference', 'target', 'status'];

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

