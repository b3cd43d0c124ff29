import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../suite/diagnostics.ts';
import { parseProfile } from '../suite/loader.ts';
import { KEBAB_RE } from '../suite/zod-helpers.ts';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATE_PROFILE = join(PACKAGE_ROOT, 'config', 'template.profile.yaml');
const PROFILE_SCHEMA = join(PACKAGE_ROOT, 'schemas', 'profile.schema.json');
export const DEFAULT_INIT_OUT = 'config/my-shop.profile.yaml';

export interface InitCommandOptions {
  out: string;
  force?: boolean;
}

/** `config/acme-shop.profile.yaml` → `acme-shop` (falls back to my-shop). */
export function profileIdFor(out: string): string {
  const id = basename(out)
    .replace(/(\.profile)?\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return KEBAB_RE.test(id) ? id : 'my-shop';
}

/** The annotated template, with the profile id, name and `$schema` path fitted to `out`. */
export async function starterProfile(out: string): Promise<string> {
  const template = await readFile(TEMPLATE_PROFILE, 'utf8');
  const id = profileIdFor(out);
  const name = id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  let schemaPath = relative(dirname(resolve(out)), PROFILE_SCHEMA).split('\\').join('/');
  if (!schemaPath.startsWith('.')) schemaPath = `./${schemaPath}`;
  return template
    .replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schemaPath}`)
    .replace(/^profile: .*$/m, `profile: ${id}`)
    .replace(/^name: .*$/m, `name: ${name}`);
}

/** `golive init`: write an annotated starter profile; never overwrites without --force. Returns the exit code. */
export async function runInitCommand(options: InitCommandOptions): Promise<number> {
  const out = options.out;
  const exists = await access(out).then(
    () => true,
    () => false,
  );
  if (exists && !options.force) {
    console.error(`golive init: ${out} already exists; use --force to overwrite it`);
    return 2;
  }
  const text = await starterProfile(out);
  const check = parseProfile(text, out);
  if (!check.value) throw new Error(`the starter profile does not validate:\n${check.diagnostics.map(formatDiagnostic).join('\n')}`);
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, text, { flag: options.force ? 'w' : 'wx' });
  console.log(`wrote ${out} (profile ${check.value.profile})

Next:
  1. Describe how to drive your integration under actions: (every field is explained in the file).
  2. Set the credentials it reads: VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY.
  3. Check it: golive validate ${out}`);
  return 0;
}
