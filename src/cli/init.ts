import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../suite/diagnostics.ts';
import { parseProfile } from '../suite/loader.ts';
import { KEBAB_RE } from '../suite/zod-helpers.ts';
import { INTEGRATION_APIS, PROFILE_KINDS, type IntegrationApi, type ProfileKind } from '../suite/profile.ts';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATE_PROFILE = join(PACKAGE_ROOT, 'config', 'template.profile.yaml');
const PROFILE_SCHEMA = join(PACKAGE_ROOT, 'schemas', 'profile.schema.json');
export const DEFAULT_INIT_OUT = 'config/my-shop.profile.yaml';

export interface InitCommandOptions {
  out: string;
  force?: boolean;
  /** The integration's API (the profile's `api`); the template's default is epayment-v1. */
  api?: string;
  /** Who builds it (the profile's `kind`); psp adds the Psp-Id and the card-passthrough test cards. */
  kind?: string;
}

/** What a PSP's profile adds: its test cards for each card-callback answer, and the 3-D Secure page's steps. */
const PSP_SECTION = `
# Card passthrough: the test cards that make your acquirer (test environment) give each answer.
# The sandbox generates the rest of each number at run time; give \`last4\` (or a whole test
# \`number\`, e.g. \${env:DECLINE_CARD}) so your acquirer declines or asks for 3-D Secure.
cardPassthrough:
  cards:
    approved: { type: VISA_DEBIT }
    declined: { type: MC_DEBIT, last4: "0002" }
    softDecline: { type: VISA_CREDIT, last4: "3220" }
    coBranded: { type: VISA_DANKORT }
  # Browser steps on your 3-D Secure page (the softDeclineUrl you answer) that complete the
  # challenge; leave out when the page completes by itself.
  threeDSecure:
    - click: "#complete-3ds"
`;

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
export async function starterProfile(out: string, api: IntegrationApi = 'epayment-v1', kind: ProfileKind = 'direct'): Promise<string> {
  const template = await readFile(TEMPLATE_PROFILE, 'utf8');
  const id = profileIdFor(out);
  const name = id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  let schemaPath = relative(dirname(resolve(out)), PROFILE_SCHEMA).split('\\').join('/');
  if (!schemaPath.startsWith('.')) schemaPath = `./${schemaPath}`;
  const text = template
    .replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schemaPath}`)
    .replace(/^profile: .*$/m, `profile: ${id}`)
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^api: .*$/m, `api: ${api}`);
  if (kind === 'direct') return text;
  const withKind = text.replace(/^kind: .*$/m, `kind: ${kind}`);
  if (kind !== 'psp') return withKind;
  return withKind.replace(/^  # pspId: (\$\{env:VIPPS_PSP_ID\}) *#.*$/m, '  pspId: $1                  # Psp-Id: sent on every ePayment and webhooks request') + (api === 'epayment-v1' ? PSP_SECTION : '');
}

/** `golive init`: write an annotated starter profile; never overwrites without --force. Returns the exit code. */
export async function runInitCommand(options: InitCommandOptions): Promise<number> {
  const out = options.out;
  const api = options.api ?? 'epayment-v1';
  if (!(INTEGRATION_APIS as readonly string[]).includes(api)) {
    console.error(`golive init: --api must be one of ${INTEGRATION_APIS.join(', ')} (got ${JSON.stringify(api)})`);
    return 2;
  }
  const kind = options.kind ?? 'direct';
  if (!(PROFILE_KINDS as readonly string[]).includes(kind)) {
    console.error(`golive init: --kind must be one of ${PROFILE_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    return 2;
  }
  const exists = await access(out).then(
    () => true,
    () => false,
  );
  if (exists && !options.force) {
    console.error(`golive init: ${out} already exists; use --force to overwrite it`);
    return 2;
  }
  const text = await starterProfile(out, api as IntegrationApi, kind as ProfileKind);
  const check = parseProfile(text, out);
  if (!check.value) throw new Error(`the starter profile does not validate:\n${check.diagnostics.map(formatDiagnostic).join('\n')}`);
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, text, { flag: options.force ? 'w' : 'wx' });
  console.log(`wrote ${out} (profile ${check.value.profile})

Next:
  1. Describe how to drive your integration under actions: (every field is explained in the file).
  2. Set the credentials it reads: VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY.
  3. Check it: golive validate ${out}${kind === 'psp' && api === 'epayment-v1' ? '\n  4. Run it: golive run --profile ' + out + ' (suites/psp/card-passthrough.yaml; examples/reference-psp is a worked PSP, docs/psp.md the walk-through)' : ''}${api === 'ecom-v2' ? '\n  4. Run it: golive run --profile ' + out + ' (the suites of suites/ecom-v2; examples/ecom-shop is a worked eCom integration)' : ''}`);
  return 0;
}
