/**
 * Writes src/sandbox/specs/request-schemas.json: the request-body schemas of the operations the
 * sandbox validates, taken from the official OpenAPI files (../shared/reference/openapi/, or
 * GOLIVE_OPENAPI_DIR) with every $ref resolved and OpenAPI 3.0's dialect turned into plain JSON
 * Schema (`nullable` → a null type, documentation keywords dropped). The sandbox compiles them
 * with ajv at boot (src/sandbox/shared/spec-shapes.ts), as Fastify compiles route schemas; the
 * file is committed so golive runs without the reference folder, and a test checks it is fresh.
 *
 *   node bin/run-ts.mjs scripts/export-request-schemas.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';

const here = dirname(fileURLToPath(import.meta.url));
const SPEC_DIR = process.env.GOLIVE_OPENAPI_DIR ?? resolve(here, '../../shared/reference/openapi');
export const REQUEST_SCHEMAS_FILE = resolve(here, '../src/sandbox/specs/request-schemas.json');

/** Spec file → the operationIds whose JSON request body the sandbox validates with the spec. */
export const VALIDATED_OPERATIONS: Record<string, string[]> = {
  'epayment-v1': ['createPayment', 'capturePayment', 'refundPayment', 'forceApprove'],
};

const DOC_KEYWORDS = new Set(['example', 'examples', 'x-examples', 'x-enum-varnames', 'description', 'title', 'externalDocs', 'xml', 'deprecated', 'discriminator']);

/** OpenAPI 3.0 schema → JSON Schema (draft-07 as ajv reads it). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (DOC_KEYWORDS.has(k) || k.startsWith('x-') || k === 'nullable') continue;
    // `properties` holds names, not keywords: convert each value, keep every key.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, toJsonSchema(s)])) : toJsonSchema(v);
  }
  const n = node as Record<string, unknown>;
  if (n.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.enum) out.enum = [...(out.enum as unknown[]), null];
    else if (!out.type) return { anyOf: [out, { type: 'null' }] };
    if (out.enum && !(out.enum as unknown[]).includes(null)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

/**
 * Where the spec predates documented behaviour the sandbox follows the documentation; each
 * extension says why (vipps-facts section). Applied to the converted schemas.
 */
const EXTENSIONS: { spec: string; operationId: string; why: string; apply: (schema: any) => void }[] = [
  {
    spec: 'epayment-v1',
    operationId: 'createPayment',
    why: 'PaymentMethodType (v1.4.1) predates PSP card passthrough: paymentMethod.type CARD_PASSTHROUGH (§4.1).',
    apply: (s) => s.properties.paymentMethod.properties.type.enum.push('CARD_PASSTHROUGH'),
  },
  {
    spec: 'epayment-v1',
    operationId: 'createPayment',
    why: 'OrderLine: the current docs replace the required taxPercentage (0–100) by taxRate (basis points, 0–10000); either is accepted (§2.5).',
    apply: (s) => {
      const line = s.properties.receipt.properties.orderLines.items;
      line.properties.taxRate = { type: 'integer', minimum: 0, maximum: 10000 };
      line.required = line.required.filter((r: string) => r !== 'taxPercentage');
      line.anyOf = [{ required: ['taxRate'] }, { required: ['taxPercentage'] }];
    },
  },
];

export async function buildRequestSchemas(): Promise<Record<string, Record<string, unknown>>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [spec, operations] of Object.entries(VALIDATED_OPERATIONS)) {
    // By path, so the spec's references to its sibling files (order-management-v2.yaml) resolve.
    const deref = (await $RefParser.dereference(resolve(SPEC_DIR, `${spec}.yaml`), { dereference: { circular: 'ignore' } })) as any;
    result[spec] = {};
    for (const operationId of operations) {
      const op = Object.values(deref.paths as Record<string, Record<string, any>>)
        .flatMap((item) => Object.values(item))
        .find((o) => o && typeof o === 'object' && o.operationId === operationId);
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`${spec}.yaml: operation ${operationId} has no application/json request body`);
      const converted = toJsonSchema(schema);
      for (const x of EXTENSIONS) if (x.spec === spec && x.operationId === operationId) x.apply(converted);
      result[spec][operationId] = converted;
    }
  }
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(await buildRequestSchemas(), null, 1)}\n`;
  if (process.argv.includes('--check')) {
    const fresh = readFileSync(REQUEST_SCHEMAS_FILE, 'utf8') === text;
    console.log(fresh ? 'request schemas are fresh' : 'request schemas are stale: run node bin/run-ts.mjs scripts/export-request-schemas.ts');
    process.exit(fresh ? 0 : 1);
  }
  writeFileSync(REQUEST_SCHEMAS_FILE, text);
  console.log(`wrote ${REQUEST_SCHEMAS_FILE}`);
}
