import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateSchemas, SCHEMA_FILES, schemaText } from '../../src/suite/json-schema.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('JSON Schema export', () => {
  const schemas = generateSchemas();

  it.each(['suite', 'profile'] as const)('the committed %s schema equals freshly generated output (run: node bin/run-ts.mjs src/suite/export-schemas.ts)', async (kind) => {
    const committed = await readFile(join(ROOT, SCHEMA_FILES[kind]), 'utf8');
    expect(committed).toBe(schemaText(schemas[kind]));
  });

  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateSuite = ajv.compile(schemas.suite);
  const validateProfile = ajv.compile(schemas.profile);

  it('accepts the fixture suite and the template profile (defaults are optional on the input side)', async () => {
    const suite = parse(await readFile(join(import.meta.dirname, 'fixtures', 'valid.suite.yaml'), 'utf8'));
    expect(validateSuite(suite), JSON.stringify(validateSuite.errors)).toBe(true);
    const profile = parse(await readFile(join(ROOT, 'config', 'template.profile.yaml'), 'utf8'));
    expect(validateProfile(profile), JSON.stringify(validateProfile.errors)).toBe(true);
  });

  it('rejects what editors should flag: unknown steps, bad enums, literal secrets', () => {
    const suite = (steps: unknown[]) => ({ suite: 's', title: 'T', api: 'epayment-v1', flows: [{ id: 'a', title: 'A', steps }] });
    expect(validateSuite(suite([{ 'merchant.checkout': { amount: '{{vars.amount}}' } }, { 'customer.ignore': null }]))).toBe(true);
    expect(validateSuite(suite([{ 'merchant.chekout': {} }]))).toBe(false);
    expect(validateSuite(suite([{ 'expect.payment': { state: 'PAID' } }]))).toBe(false);
    expect(validateSuite(suite([{ 'merchant.checkout': {}, 'merchant.capture': {} }]))).toBe(false);
    expect(validateSuite({ ...suite([{ 'merchant.checkout': {} }]), flows: [{ id: 'a', title: 'A', checklist: ['EP-NOPE'], steps: [{ wait: { ms: 1 } }] }] })).toBe(false);

    const profile = (merchant: Record<string, unknown>) => ({
      profile: 'p',
      name: 'P',
      kind: 'direct',
      merchant: { msn: '123456', clientId: '${env:A}', clientSecret: '${env:B}', subscriptionKey: '${env:C}', ...merchant },
      baseUrl: 'http://localhost',
      actions: { checkout: { http: { url: 'x' } }, orderStatus: { browser: [{ goto: 'x' }, { extract: { name: 'status', from: 'text', pattern: 'x' } }] } },
    });
    expect(validateProfile(profile({})), JSON.stringify(validateProfile.errors)).toBe(true);
    expect(validateProfile(profile({ clientSecret: 'literal' }))).toBe(false);
    expect(validateProfile({ ...profile({}), actions: { checkout: { http: { url: 'x' }, browser: [{ goto: 'x' }] }, orderStatus: { http: { url: 'x' } } } })).toBe(false);
  });

  it('documents the editor hint line and starts with draft-07 metadata', async () => {
    expect(schemas.suite).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'golive suite' });
    expect(schemas.profile).toMatchObject({ title: 'golive merchant profile' });
    const template = await readFile(join(ROOT, 'config', 'template.profile.yaml'), 'utf8');
    expect(template.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/profile.schema.json');
  });
});
