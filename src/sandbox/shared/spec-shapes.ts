import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ExtraDetail } from '../problem.ts';
import requestSchemas from '../specs/request-schemas.json' with { type: 'json' };

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * Request shapes validated by the official specs, compiled once with ajv as Fastify compiles its
 * route schemas (src/sandbox/specs/request-schemas.json, written by
 * scripts/export-request-schemas.ts). Each API keeps by hand only its business rules and the
 * API's own error codes; `deferred` names the spec constraints the real API reports with such a
 * code instead of as a shape error (e.g. ePayment's 4070 for a phone number that misses the
 * pattern), so those are left to the hand-written rule.
 *
 * As the APIs do, `null` counts as absent: null for an optional property is no error, null for a
 * required one reads "required".
 */
export type SpecName = keyof typeof requestSchemas;

const REQUIRED = 'The property is required and cannot be null.';

// verbose: errors carry their parent schema (limits, branches). unicodeRegExp off: some spec patterns are not valid unicode-mode regexes; logger off: the
// specs use free-text `format`s (e.g. "IATA 3-digit accounting code (PAX)") ajv ignores.
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, verbose: true, unicodeRegExp: false, logger: false }));
const compiled = new Map<string, ValidateFunction>();

function validatorFor(spec: SpecName, operationId: string): ValidateFunction {
  const key = `${spec}#${operationId}`;
  let v = compiled.get(key);
  if (!v) {
    const schema = (requestSchemas[spec] as Record<string, object>)[operationId];
    if (!schema) throw new Error(`no request schema for ${key} in src/sandbox/specs/request-schemas.json`);
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/** The value at a JSON pointer (ajv's instancePath). */
function at(body: unknown, pointer: string): unknown {
  let v: any = body;
  for (const part of pointer.split('/').slice(1)) v = v?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

const fieldName = (pointer: string, child?: string): string => {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'body';
};

function reasonOf(e: ErrorObject): string {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return REQUIRED;
    case 'type':
      return `The value must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type).replace(',null', '')}.`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}.`;
    case 'pattern':
      return `must match ${p.pattern}`;
    case 'minLength':
    case 'maxLength': {
      const { minLength, maxLength } = (e.parentSchema ?? {}) as { minLength?: number; maxLength?: number };
      if (minLength !== undefined && maxLength !== undefined) return `The length must be between ${minLength} and ${maxLength}.`;
      return `The length must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${p.limit}.`;
    }
    case 'minimum':
    case 'maximum':
      return `must be ${e.keyword === 'minimum' ? '≥' : '≤'} ${p.limit}.`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}.`;
    case 'maxProperties':
      return `must have at most ${p.limit} properties.`;
    default:
      return e.message ?? 'is not valid';
  }
}

/** A spec error the API's own rule reports instead: its JSON pointer, keyword and the value there. */
export type Deferral = (path: string, keyword: string, value: unknown) => boolean;

export interface SpecShapeOptions {
  deferred?: Deferral;
}

/**
 * The spec's shape errors for a request body, as `{name, reason}` in the APIs' field-path style
 * (`amount.value`, `receipt.orderLines[0].totalAmount`), at most one per field.
 */
export function specShapeErrors(spec: SpecName, operationId: string, body: unknown, options: SpecShapeOptions = {}): ExtraDetail[] {
  const validate = validatorFor(spec, operationId);
  if (validate(body)) return [];
  const deferred = (e: ErrorObject) => options.deferred?.(e.instancePath, e.keyword, at(body, e.instancePath)) === true;
  const out = new Map<string, string>();
  for (const e of speakingErrors(validate.errors ?? [], deferred)) {
    if (deferred(e)) continue;
    if (e.keyword === 'type' && at(body, e.instancePath) === null) {
      // null = absent: an error only where the property is required.
      const cut = e.instancePath.lastIndexOf('/');
      const prop = e.instancePath.slice(cut + 1);
      if (requiredAt(validate.schema as object, e.schemaPath, prop)) out.set(fieldName(e.instancePath.slice(0, cut), prop), REQUIRED);
      continue;
    }
    const [name, reason] = COMBINATORS.has(e.keyword)
      ? combinatorError(e)
      : [e.keyword === 'required' ? fieldName(e.instancePath, (e.params as any).missingProperty) : fieldName(e.instancePath), reasonOf(e)];
    if (!out.has(name)) out.set(name, reason);
  }
  return [...out].map(([name, reason]) => ({ name, reason }));
}

/**
 * A oneOf/anyOf speaks for its branches. When a branch fails only on deferred rules the
 * combinator is satisfied (the API's own rule will judge); when exactly one oneOf branch has its
 * required properties (the one the client meant), that branch's errors stand for it; otherwise
 * the combinator's one error stands for all its branches'.
 */
function speakingErrors(errors: ErrorObject[], deferred: (e: ErrorObject) => boolean): ErrorObject[] {
  const combinators = errors.filter((e) => COMBINATORS.has(e.keyword));
  const inBranchOf = (e: ErrorObject, c: ErrorObject) => e !== c && e.schemaPath.startsWith(`${c.schemaPath}/`);
  const dropped = new Set<ErrorObject>();
  const kept: ErrorObject[] = [];
  for (const c of combinators) {
    const branchCount = ((c.parentSchema as any)?.[c.keyword] ?? []).length as number;
    const byBranch = new Map<number, ErrorObject[]>();
    for (const e of errors) {
      if (!inBranchOf(e, c)) continue;
      const k = Number(e.schemaPath.slice(c.schemaPath.length + 1).split('/')[0]);
      byBranch.set(k, [...(byBranch.get(k) ?? []), e]);
    }
    const passing = [...Array(branchCount).keys()].filter((k) => (byBranch.get(k) ?? []).every(deferred));
    if (c.keyword === 'anyOf' ? passing.length > 0 : passing.length === 1) {
      dropped.add(c);
      continue;
    }
    const meant = [...byBranch.values()].filter((es) => !es.some((e) => e.keyword === 'required' && e.instancePath === c.instancePath));
    if (c.keyword === 'oneOf' && meant.length === 1 && byBranch.size === branchCount) {
      dropped.add(c);
      kept.push(...meant[0]);
    }
  }
  return errors.filter((e) => !dropped.has(e) && !combinators.some((c) => inBranchOf(e, c))).concat(kept);
}

const COMBINATORS = new Set(['oneOf', 'anyOf']);

/** A oneOf/anyOf of `required`-only branches reads as "one of these properties". */
function combinatorError(e: ErrorObject): [string, string] {
  const props: string[] = ((e.parentSchema as any)?.[e.keyword] ?? []).flatMap((b: any) => b.required ?? []);
  if (props.length === 0) return [fieldName(e.instancePath), 'must match one of the allowed shapes.'];
  if (e.keyword === 'oneOf') return [fieldName(e.instancePath), `Exactly one of ${props.join(', ')} is required.`];
  return [fieldName(e.instancePath, props[0]), `${props[0]} (or ${props.slice(1).join(', ')}) is required.`];
}

/** Whether the schema holding the property at `schemaPath` (…/properties/<prop>/type) lists it as required. */
function requiredAt(root: object, schemaPath: string, prop: string): boolean {
  const parts = schemaPath.replace(/^#\//, '').split('/');
  const i = parts.lastIndexOf('properties');
  if (i < 0) return false;
  let node: any = root;
  for (const part of parts.slice(0, i)) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return Array.isArray(node?.required) && node.required.includes(prop);
}
