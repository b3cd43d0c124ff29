import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
import type { Exchange } from '../../src/traffic/types.ts';

/**
 * Contract validation against the official OpenAPI files in ../shared/reference/openapi/.
 * Tests call `specAvailable()` and skip with a clear message when that folder is absent.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const SPEC_DIR = process.env.GOLIVE_OPENAPI_DIR ?? resolve(here, '../../../shared/reference/openapi');
export const specAvailable = () => existsSync(resolve(SPEC_DIR, 'epayment-v1.yaml'));
export const SPEC_MISSING_MESSAGE = `official OpenAPI specs not found in ${SPEC_DIR} (set GOLIVE_OPENAPI_DIR); contract tests skipped`;

export type SpecName = 'epayment-v1' | 'webhooks-v1' | 'access-token' | 'order-management-v2' | 'ecom-v2' | 'ecom-v2-merchant-endpoints' | 'psp-v2' | 'psp-v3' | 'qr-v1';

interface Route {
  template: string;
  regex: RegExp;
  params: number;
  operations: Record<string, any>;
}

export interface ValidationResult {
  /** `undocumented`: the spec lists no schema for this status/operation (e.g. gateway 401s). */
  outcome: 'valid' | 'invalid' | 'undocumented' | 'unknown-path';
  operationId?: string;
  errors?: string;
}

/**
 * Where an official spec contradicts itself or predates a documented feature, the sandbox
 * follows the documentation and these narrowly matched ajv errors are not counted as
 * failures. Each entry says why (vipps-facts section). Keep this list short.
 */
export const KNOWN_SPEC_DEFECTS: { spec: SpecName; operationId: string; why: string; matches: (e: ErrorObject, body: any) => boolean }[] = [
  {
    spec: 'epayment-v1',
    operationId: 'getPaymentEventLog',
    why: 'PaymentEvent lists `paymentAction` as required although the field was removed in v1.2.1 (§2.10); the event has `name` instead.',
    matches: (e) => e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === 'paymentAction' && /^\/\d+$/.test(e.instancePath),
  },
  {
    spec: 'epayment-v1',
    operationId: 'getPayment',
    why: 'PaymentMethodType (v1.4.1) predates PSP card passthrough (§4.1); a CARD_PASSTHROUGH payment reports its own type.',
    matches: (e, body) => e.keyword === 'enum' && e.instancePath === '/paymentMethod/type' && body?.paymentMethod?.type === 'CARD_PASSTHROUGH',
  },
  {
    spec: 'ecom-v2-merchant-endpoints',
    operationId: 'transactionUpdateCallbackForRegularPaymentUsingPOST',
    why: 'CallbackTransactionInfoRegular lists RESERVED/SALE/CANCELLED/REJECTED; the guide also sends RESERVE_FAILED and SALE_FAILED (§6.3). A failed regular callback then also fails the Express branch of the oneOf.',
    matches: (e, body) =>
      ['RESERVE_FAILED', 'SALE_FAILED'].includes(body?.transactionInfo?.status) &&
      ((e.keyword === 'enum' && /\/transactionInfo\/status$/.test(e.instancePath)) || e.keyword === 'oneOf' || (e.keyword === 'required' && e.instancePath === '')),
  },
];

/**
 * Documented paths missing from a spec, validated as the spec path they duplicate.
 * ePayment: the force-approve guide page uses `/epayment/v1/payments/{reference}/approve`,
 * the spec `/epayment/v1/test/payments/{reference}/approve` (CONFLICT, §2.1); the sandbox serves both.
 */
export const PATH_ALIASES: Partial<Record<SpecName, { from: RegExp; to: string }[]>> = {
  'epayment-v1': [{ from: /^\/epayment\/v1\/payments\/([^/]+)\/approve\/?$/, to: '/epayment/v1/test/payments/$1/approve' }],
};

export class SpecValidator {
  // unicodeRegExp off: ecom-v2's ShippingCostAndMethod.addressType pattern `^\[A-Z]$` is not a valid unicode-mode regex.
  private readonly ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  private readonly cache = new Map<object, ValidateFunction>();

  constructor(
    readonly name: string,
    private readonly routes: Route[],
    private readonly basePath: string,
    /** The dereferenced spec document. */
    readonly document: any = {},
  ) {
    addFormats(this.ajv);
    for (const f of ['guid', 'int32', 'int64', 'byte', 'binary', 'decimal', 'double', 'float']) this.ajv.addFormat(f, true);
  }

  private route(path: string): Route | undefined {
    let p = path.split('?')[0];
    for (const alias of PATH_ALIASES[this.name as SpecName] ?? []) p = p.replace(alias.from, alias.to);
    const candidates = [p, p.toLowerCase().startsWith(this.basePath.toLowerCase()) ? p.slice(this.basePath.length) : p];
    for (const route of this.routes) if (candidates.some((c) => route.regex.test(c))) return route;
    return undefined;
  }

  validateResponse(method: string, path: string, status: number, contentType: string | undefined, body: unknown): ValidationResult {
    const route = this.route(path);
    if (!route) return { outcome: 'unknown-path' };
    const op = route.operations[method.toLowerCase()];
    if (!op) return { outcome: 'unknown-path' };
    const response = op.responses?.[String(status)] ?? op.responses?.[`${String(status)[0]}XX`] ?? op.responses?.default;
    if (!response) return { outcome: 'undocumented', operationId: op.operationId };
    // Swagger 2.0 (psp-v2.yaml): the response's `schema` stands for one JSON content entry.
    const content = (response.schema ? { 'application/json': { schema: response.schema } } : response.content) as Record<string, { schema?: object }> | undefined;
    if (!content || Object.keys(content).length === 0) {
      const empty = body === undefined || body === '' || body === null;
      return empty ? { outcome: 'valid', operationId: op.operationId } : { outcome: 'invalid', operationId: op.operationId, errors: 'spec declares no body' };
    }
    const type = (contentType ?? '').split(';')[0].trim();
    const entry = content[type] ?? Object.entries(content).find(([k]) => k.split(';')[0] === type)?.[1] ?? Object.values(content)[0];
    if (!entry?.schema) return { outcome: 'undocumented', operationId: op.operationId };
    let validate = this.cache.get(entry.schema);
    if (!validate) {
      validate = this.ajv.compile(entry.schema);
      this.cache.set(entry.schema, validate);
    }
    const ok = validate(body);
    const errors = ok ? [] : (validate.errors ?? []).filter((e) => !KNOWN_SPEC_DEFECTS.some((d) => d.spec === this.name && d.operationId === op.operationId && d.matches(e, body)));
    return errors.length === 0
      ? { outcome: 'valid', operationId: op.operationId }
      : { outcome: 'invalid', operationId: op.operationId, errors: this.ajv.errorsText(errors, { separator: '; ' }) };
  }

  /** Validate a request body against the operation's requestBody schema. */
  validateRequest(method: string, path: string, body: unknown): ValidationResult {
    const route = this.route(path);
    const op = route?.operations[method.toLowerCase()];
    if (!op) return { outcome: 'unknown-path' };
    // Swagger 2.0: the request body is the `in: body` parameter's schema.
    const swaggerBody = Array.isArray(op.parameters) ? op.parameters.find((p: any) => p?.in === 'body')?.schema : undefined;
    const schema = swaggerBody ?? (op.requestBody?.content && (Object.values(op.requestBody.content)[0] as any)?.schema);
    if (!schema) return { outcome: 'undocumented', operationId: op.operationId };
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.cache.set(schema, validate);
    }
    const ok = validate(body);
    const errors = ok ? [] : (validate.errors ?? []).filter((e) => !KNOWN_SPEC_DEFECTS.some((d) => d.spec === this.name && d.operationId === op.operationId && d.matches(e, body)));
    return errors.length === 0
      ? { outcome: 'valid', operationId: op.operationId }
      : { outcome: 'invalid', operationId: op.operationId, errors: this.ajv.errorsText(errors, { separator: '; ' }) };
  }

  /**
   * Validate an error body against the API's own error schema, whatever the operation and
   * status (the specs document errors for few statuses): ePayment `Problem`, Webhooks
   * `ProblemDetails`, eCom `ErrorArray | ErrorFromAzure`, Order Management `ErrorResponse`.
   * Gateway refusals (401, a bare 429) are Azure's `{statusCode, message}` for every API.
   */
  validateError(status: number, body: unknown): ValidationResult {
    const schemas = this.document.components?.schemas ?? {};
    const own = ERROR_SCHEMA[this.name as SpecName]?.(schemas);
    const gateway = status === 401 || status === 429 ? [AZURE_GATEWAY_ERROR] : [];
    const candidates = [...(own ? [own] : []), ...gateway];
    if (candidates.length === 0) return { outcome: 'undocumented' };
    const errors: string[] = [];
    for (const schema of candidates) {
      let validate = this.cache.get(schema);
      if (!validate) {
        validate = this.ajv.compile(schema);
        this.cache.set(schema, validate);
      }
      if (validate(body)) return { outcome: 'valid' };
      errors.push(this.ajv.errorsText(validate.errors, { separator: '; ' }));
    }
    return { outcome: 'invalid', errors: errors.join(' | ') };
  }

  /** Validate a body against one of the spec's component schemas (e.g. ePayment's `WebhookEvent`, the webhook payload). */
  validateComponent(schemaName: string, body: unknown): ValidationResult {
    const schema = this.document.components?.schemas?.[schemaName];
    if (!schema) return { outcome: 'undocumented' };
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.cache.set(schema, validate);
    }
    return validate(body) ? { outcome: 'valid' } : { outcome: 'invalid', errors: this.ajv.errorsText(validate.errors, { separator: '; ' }) };
  }

  validateExchange(e: Exchange): ValidationResult {
    if (!e.response) return { outcome: 'undocumented' };
    const ct = e.response.headers['content-type'];
    return this.validateResponse(e.request.method, e.request.path, e.response.status, Array.isArray(ct) ? ct[0] : ct, e.response.body);
  }
}

/** Azure API Management's own refusals (missing/invalid key or token, bare rate limit). */
const AZURE_GATEWAY_ERROR = { type: 'object', required: ['statusCode', 'message'], properties: { statusCode: { type: 'integer' }, message: { type: 'string' } } };
/** Azure AD's token errors (access-token spec documents none; the 2017 spec's shape). */
const AAD_ERROR = { type: 'object', required: ['error', 'error_description'], properties: { error: { type: 'string' }, error_description: { type: 'string' }, error_codes: { type: 'array', items: { type: 'integer' } } } };

const ERROR_SCHEMA: Partial<Record<SpecName, (schemas: Record<string, object>) => object | undefined>> = {
  'epayment-v1': (s) => s.Problem,
  'webhooks-v1': (s) => s.ProblemDetails,
  'ecom-v2': (s) => ({ oneOf: [s.ErrorArray, s.ErrorFromAzure] }),
  'order-management-v2': (s) => s.ErrorResponse,
  'qr-v1': (s) => s.QrErrorResponse,
  // The token endpoint answers Azure AD errors; edges before it (404, 405, 413…) answer problem details.
  'access-token': () => ({ anyOf: [AAD_ERROR, AZURE_GATEWAY_ERROR, { type: 'object', required: ['type', 'title', 'status', 'traceId'] }] }),
};

const loaded = new Map<SpecName, Promise<SpecValidator>>();

export function loadSpec(name: SpecName): Promise<SpecValidator> {
  let p = loaded.get(name);
  if (!p) {
    p = (async () => {
      const spec: any = await $RefParser.dereference(resolve(SPEC_DIR, `${name}.yaml`));
      const server = spec.servers?.[0]?.url as string | undefined;
      // Swagger 2.0 names the base path itself (psp-v2.yaml: `/psp`).
      const basePath = spec.swagger === '2.0' ? String(spec.basePath ?? '').replace(/\/$/, '') : server ? new URL(server).pathname.replace(/\/$/, '') : '';
      const routes: Route[] = Object.entries(spec.paths as Record<string, any>).map(([template, operations]) => ({
        template,
        regex: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+') + '/?$', 'i'),
        params: (template.match(/\{/g) ?? []).length,
        operations,
      }));
      routes.sort((a, b) => a.params - b.params); // literal segments win over parameters
      return new SpecValidator(name, routes, basePath, spec);
    })();
    loaded.set(name, p);
  }
  return p;
}

/** Which spec an exchange belongs to, by API. */
export const SPEC_OF_API: Record<string, SpecName | undefined> = {
  epayment: 'epayment-v1',
  webhooks: 'webhooks-v1',
  'access-token': 'access-token',
  'order-management': 'order-management-v2',
  'ecom-v2': 'ecom-v2',
  'psp-v2': 'psp-v2',
  'psp-v3': 'psp-v3',
  qr: 'qr-v1',
};

/**
 * Validate every recorded sandbox response against its official spec. Returns the failures
 * (empty = all conform) and counts, so a test can assert both that nothing failed and that
 * something was actually validated.
 */
export async function validateTraffic(exchanges: Exchange[]): Promise<{ validated: number; undocumented: number; failures: string[] }> {
  let validated = 0;
  let undocumented = 0;
  const failures: string[] = [];
  for (const e of exchanges) {
    if (e.kind !== 'api') continue;
    const specName = SPEC_OF_API[e.api];
    if (!specName) continue;
    const result = (await loadSpec(specName)).validateExchange(e);
    if (result.outcome === 'valid') validated++;
    else if (result.outcome === 'invalid' || result.outcome === 'unknown-path')
      failures.push(`${e.request.method} ${e.request.path} → ${e.response?.status} (${result.operationId ?? result.outcome}): ${result.errors ?? result.outcome}`);
    else undocumented++;
  }
  return { validated, undocumented, failures };
}

/**
 * Validate the body of every eCom call the sandbox made to a merchant (kind `callback`, api
 * `ecom-v2`: transaction callbacks, Express shippingDetails fetches) against
 * ecom-v2-merchant-endpoints.yaml, whatever prefix the merchant gave.
 */
export async function validateEcomCallbacks(exchanges: Exchange[]): Promise<{ validated: number; failures: string[] }> {
  const spec = await loadSpec('ecom-v2-merchant-endpoints');
  let validated = 0;
  const failures: string[] = [];
  for (const e of exchanges) {
    if (e.kind !== 'callback' || e.api !== 'ecom-v2' || e.request.method !== 'POST') continue;
    const shipping = e.request.path.match(/\/v2\/payments\/([^/]+)\/shippingDetails$/);
    const orderId = shipping ? shipping[1] : e.request.path.split('/').pop();
    const path = shipping ? `/shippingDetailsPrefix/v2/payments/${orderId}/shippingDetails` : `/callbackPrefix/v2/payments/${orderId}`;
    const result = spec.validateRequest('POST', path, e.request.body);
    if (result.outcome === 'valid') validated++;
    else failures.push(`${e.request.url}: ${result.errors ?? result.outcome}`);
  }
  return { validated, failures };
}
