/**
 * Regenerates schemas/suite.schema.json and schemas/profile.schema.json from the zod schemas:
 *
 *   node bin/run-ts.mjs src/suite/export-schemas.ts          # write
 *   node bin/run-ts.mjs src/suite/export-schemas.ts --check  # exit 1 if the files are stale
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemas, SCHEMA_FILES, schemaText } from './json-schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
const schemas = generateSchemas();
let stale = 0;
for (const kind of ['suite', 'profile'] as const) {
  const file = join(root, SCHEMA_FILES[kind]);
  const text = schemaText(schemas[kind]);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) {
    console.log(`${SCHEMA_FILES[kind]} is up to date`);
    continue;
  }
  if (check) {
    console.error(`${SCHEMA_FILES[kind]} is stale; run: node bin/run-ts.mjs src/suite/export-schemas.ts`);
    stale++;
    continue;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`wrote ${SCHEMA_FILES[kind]}`);
}
if (stale > 0) process.exit(1);
