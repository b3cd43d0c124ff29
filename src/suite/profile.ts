import { z } from 'zod';
import { DurationSchema } from './duration.ts';
import { JSON_PATH_PATTERN } from './jsonpath.ts';
import { CANONICAL_STATUSES, type CanonicalStatus } from './steps.ts';
import { ACTION_ROLES, ROLE_DESCRIPTIONS, type ActionRole } from './roles.ts';
import { Identifier, KebabId, oneKeyMap, oneKeyMapForExport } from './zod-helpers.ts';
import { USER_FLOWS } from '../contract/epayment.ts';
import { DEFAULT_CUSTOMER_PHONE_NUMBER } from '../contract/in-person.ts';
import { pspSections } from './profile-psp.ts';
import { platformSections } from './profile-platform.ts';

/**
 * The merchant profile: how golive reaches and drives one integration (config/*.profile.yaml).
 * Credentials appear only as `${env:NAME}`; `resolveSecrets` fills them in at run time. *
 * Over 300 lines: the profile schema is one document's schema (merchant, start, capabilities,
 * actions, statusMapping, timeouts, polling) plus its secret resolution; the checks across
 * fields are in profile-loader.ts.
 */

export { INTEGRATION_KINDS as PROFILE_KINDS, type IntegrationKind as ProfileKind } from '../checklist/types.ts';
import { INTEGRATION_KINDS as PROFILE_KINDS } from '../checklist/types.ts';

export { INTEGRATION_APIS, integrationApiOf, type IntegrationApi } from '../checklist/types.ts';
import { INTEGRATION_APIS } from '../checklist/types.ts';
export { RUN_TARGETS, type RunTarget } from './profile-test-api.ts';
import { testApiSections } from './profile-test-api.ts';

export const BOOLEAN_CAPABILITIES = [
  'capture',
  'partialCapture',
  'refund',
  'partialRefund',
  'cancel',
  'webhooks',
  'polling',
  'eventLog',
  'receipts',
  'inStore',
  'contentMonitored',
  'encryptedCardData',
  'profileSharing',
  'qrMerchantRedirect',
] as const;
export type BooleanCapability = (typeof BOOLEAN_CAPABILITIES)[number];

export { USER_FLOWS, type UserFlow } from '../contract/epayment.ts';

/** Actions golive knows the meaning of; a profile may add custom ones (`merchant.action`). */
export const KNOWN_ACTIONS = ['checkout', 'capture', 'refund', 'cancel', 'orderStatus', 'returnPage', 'orderPage', 'eventLog'] as const;
export type KnownAction = (typeof KNOWN_ACTIONS)[number];

export { ACTION_ROLES, ROLE_DESCRIPTIONS, type ActionRole } from './roles.ts';

/** `${env:NAME}` as a whole value. */
export const ENV_REF_RE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
/** `${env:NAME}` anywhere in a string. */
export const ENV_REF_ANY_RE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CREDENTIAL_FIELDS = ['clientId', 'clientSecret', 'subscriptionKey'] as const;

const LITERAL_SECRET = 'expected ${env:NAME}: a literal secret is not allowed here; put the value in an environment variable';

const Credential = z.string().regex(ENV_REF_RE, { error: LITERAL_SECRET });

const MSN_RE = /^(?:[0-9]{4,6}|\$\{env:[A-Za-z_][A-Za-z0-9_]*\})$/;
const Msn = z
  .union([
    z.string().regex(MSN_RE, { error: 'expected a Merchant Serial Number of 4–6 digits, or ${env:NAME}' }),
    z.number().int().min(1000, { error: 'expected a Merchant Serial Number of 4–6 digits' }).max(999_999, { error: 'expected a Merchant Serial Number of 4–6 digits' }),
  ])
  .transform((v) => String(v))
  .meta({ description: 'Merchant Serial Number (may be literal; it is not a secret).' });

const isHttpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
/** An http(s) URL, possibly with {{…}} templates (a leading one may supply scheme and host, e.g. {{env.SHOP_URL}}; others, e.g. a port). */
const Url = z
  .string()
  .refine((v) => /^\{\{[^{}]+\}\}/.test(v) || isHttpUrl(v.replace(/\{\{[^{}]+\}\}/g, '1')), { error: 'expected an http(s) URL (templates such as {{env.NAME}} allowed)' });

const Extractor = z
  .string()
  .regex(new RegExp(`^(?:${JSON_PATH_PATTERN.slice(1, -1)}|header:[A-Za-z0-9-]+)$`), {
    error: 'expected a JSON path such as $.reference or $.data.items[0].id, or header:Name',
  });

const isRegex = (v: string) => {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
};

const BROWSER_OPS = {
  goto: z.string().min(1).meta({ description: 'Navigate to a URL (templates allowed, e.g. {{baseUrl}}/cart).' }),
  click: z.string().min(1).meta({ description: 'Click the element matching this Playwright selector.' }),
  fill: z
    .strictObject({ selector: z.string().min(1), value: z.union([z.string(), z.number()]) })
    .meta({ description: 'Type a value into an input.' }),
  expectText: z.string().min(1).meta({ description: 'Wait until the page shows this text.' }),
  waitForURL: z.string().min(1).meta({ description: 'Wait until the URL matches this glob (or /regex/).' }),
  waitFor: z.string().min(1).meta({ description: 'Wait until an element matching this selector is visible.' }),
  extract: z
    .strictObject({
      name: Identifier,
      from: z.enum(['url', 'text']),
      selector: z.string().min(1).optional().meta({ description: 'With from: text, the element to read (default: the whole page).' }),
      pattern: z.string().refine(isRegex, { error: 'expected a valid regular expression' }).meta({ description: 'Regular expression; the first group (or the whole match) is the value.' }),
    })
    .meta({ description: 'Read a value (e.g. reference, status) from the URL or the page text.' }),
};
export type BrowserOp =
  | { goto: string }
  | { click: string }
  | { fill: { selector: string; value: string | number } }
  | { expectText: string }
  | { waitForURL: string }
  | { waitFor: string }
  | { extract: { name: string; from: 'url' | 'text'; selector?: string; pattern: string } };

const BrowserOpSchema = oneKeyMap(BROWSER_OPS, { what: 'browser action' }).transform((v) => ({ [v.key]: v.value }) as BrowserOp);

const HttpActionSchema = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: z.string().min(1).meta({ description: 'Absolute URL or one built from templates, e.g. {{baseUrl}}/api/orders/{{reference}}.' }),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional().meta({ description: 'JSON body (a mapping or list), or a raw string.' }),
    form: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .meta({ description: 'Send application/x-www-form-urlencoded fields instead of body.' }),
    extract: z
      .record(Identifier, Extractor)
      .default({})
      .meta({ description: 'Values to read from the response: name → $.json.path or header:Name. reference, redirectUrl and status have meaning to golive.' }),
    expectStatus: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .optional()
      .meta({ description: 'Acceptable HTTP status(es); default any 2xx (3xx too when followRedirects is false).' }),
    followRedirects: z.boolean().default(true).meta({ description: 'Set false to read a Location header with extract.' }),
  })
  .refine((v) => v.body === undefined || v.form === undefined, { error: 'expected either body or form, not both' });

export type HttpAction = z.output<typeof HttpActionSchema>;

export const ACTION_DESCRIPTIONS: Record<KnownAction, string> = {
  checkout: 'Place an order and start the payment. Scope: {{amount}} (minor units), {{amountMajor}} (e.g. 499.00), {{description}}. Extract reference and redirectUrl.',
  capture: 'Capture (ship) an order. Scope: {{reference}}, {{amount}} (the amount to capture).',
  refund: 'Refund an order. Scope: {{reference}}, {{amount}} (the amount to refund).',
  cancel: 'Cancel an order. Scope: {{reference}}.',
  orderStatus: 'Read the order status. Scope: {{reference}}. Must extract status; may extract captured, refunded and cancelled (minor units), which tell statuses one word stands for apart (e.g. a partial from a full refund).',
  returnPage: 'Open the return page (default: the returnUrl the integration sent). Scope: {{reference}}.',
  orderPage: 'Open the order page (admin or customer). Scope: {{reference}}.',
  eventLog: 'Open the payment history / event log in the merchant system. Scope: {{reference}}.',
};

function actionSchema(forExport: boolean) {
  const description = z.string().optional();
  const role = z
    .enum(ACTION_ROLES)
    .optional()
    .meta({ description: `The role this action plays for golive's flows: ${ACTION_ROLES.map((r) => `${r} — ${ROLE_DESCRIPTIONS[r]}`).join(' ')}` });
  const browser = z.array(forExport ? oneKeyMapForExport(BROWSER_OPS, { what: 'browser action' }) : BrowserOpSchema).min(1);
  if (forExport) {
    return z.union([z.strictObject({ description, role, http: HttpActionSchema }), z.strictObject({ description, role, browser })]);
  }
  return z
    .strictObject({ description, role, http: HttpActionSchema.optional(), browser: browser.optional() })
    .refine((v) => (v.http === undefined) !== (v.browser === undefined), { error: 'expected exactly one of http or browser' });
}

export interface Action {
  description?: string;
  role?: ActionRole;
  http?: HttpAction;
  browser?: BrowserOp[];
}

const ValidationAction = actionSchema(false);
/** Shared by every action in the JSON Schema (`#/definitions/Action`); json-schema.ts adds each known action's description. */
const ExportAction = actionSchema(true).meta({ id: 'Action', description: 'An action: http: { method, url, … } or browser: [ goto / click / fill / expectText / waitForURL / waitFor / extract ].' });

const Capabilities = z
  .strictObject({
    capture: z.boolean().default(true).meta({ description: 'Can capture (needs actions.capture).' }),
    partialCapture: z.boolean().optional().meta({ description: 'Can capture part of an order (default: same as capture).' }),
    refund: z.boolean().default(true).meta({ description: 'Can refund (needs actions.refund).' }),
    partialRefund: z.boolean().optional().meta({ description: 'Can refund part of a capture (default: same as refund).' }),
    cancel: z.boolean().default(true).meta({ description: 'Can cancel (needs actions.cancel).' }),
    webhooks: z.boolean().default(true).meta({ description: 'Registers for and handles webhooks.' }),
    polling: z.boolean().default(true).meta({ description: 'Polls GET payment.' }),
    eventLog: z.boolean().default(false).meta({ description: 'Shows the payment event log (needs actions.eventLog).' }),
    receipts: z.boolean().default(false).meta({ description: 'Sends receipts / order lines.' }),
    inStore: z
      .union([z.boolean(), z.array(z.enum(USER_FLOWS)).min(1)])
      .default(false)
      .meta({ description: 'Point-of-sale payments (customer present): true when every payment is, or the userFlows that are (e.g. [PUSH_MESSAGE, QR]).' }),
    contentMonitored: z.boolean().default(false).meta({ description: 'The sales unit is content-monitored (receipts mandatory).' }),
    encryptedCardData: z.boolean().default(false).meta({ description: 'PSP API v2: receives the card data encrypted with its RSA public key (cardData), not a network token (v3).' }),
    userFlows: z
      .array(z.enum(USER_FLOWS))
      .min(1)
      .default(['WEB_REDIRECT'])
      .meta({ description: 'The ePayment userFlows the integration uses; a flow that requires userFlow:<FLOW> (e.g. userFlow:PUSH_MESSAGE) is NOT APPLICABLE without it.' }),
    profileSharing: z
      .boolean()
      .default(false)
      .meta({ description: 'Asks the customer to share profile data (profile.scope, e.g. phoneNumber) and reads it from Userinfo; needs actions with roles pushCheckout and returningCheckout for the in-person flows.' }),
    qrMerchantRedirect: z
      .boolean()
      .default(false)
      .meta({ description: 'Prints merchant-redirect QR codes made with the QR API (needs an action with role merchantRedirectQr).' }),
  })
  .transform((c) => ({ ...c, partialCapture: c.partialCapture ?? c.capture, partialRefund: c.partialRefund ?? c.refund }))
  .meta({ description: 'What the integration can do; flows that require more are reported NOT APPLICABLE.' });
export type Capabilities = z.output<typeof Capabilities>;

const StatusMapping = z
  .partialRecord(z.enum(CANONICAL_STATUSES), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]))
  .default({})
  .transform((m) => {
    const out = {} as Record<CanonicalStatus, string[]>;
    for (const s of CANONICAL_STATUSES) {
      const v = m[s];
      out[s] = v === undefined ? [s] : Array.isArray(v) ? v : [v];
    }
    return out;
  })
  .meta({ description: 'Canonical status → the integration\'s own status strings (compared case-insensitively). Unlisted statuses map to themselves.' });

function makeProfileSchema(forExport: boolean) {
  const Action = (forExport ? ExportAction : ValidationAction) as typeof ValidationAction;
  const actionShape = Object.fromEntries(
    KNOWN_ACTIONS.map((name) => [name, name === 'checkout' || name === 'orderStatus' ? Action : Action.optional()]),
  ) as Record<KnownAction, typeof ValidationAction>;
  // Typed as the validating schema; the export variant only differs in its JSON-Schema shape.
  const browser = z.array(forExport ? oneKeyMapForExport(BROWSER_OPS, { what: 'browser action' }) : BrowserOpSchema).min(1) as unknown as z.ZodArray<typeof BrowserOpSchema>;
  return z.strictObject({
    $schema: z.string().optional(),
    profile: KebabId.meta({ description: 'Profile id (kebab-case), e.g. my-shop.' }),
    name: z.string().min(1),
    kind: z.enum(PROFILE_KINDS).meta({ description: 'direct merchant, partner/platform (plugin), or psp.' }),
    api: z.enum(INTEGRATION_APIS).default('epayment-v1').meta({ description: 'The Vipps API the integration is built on: epayment-v1 (default), ecom-v2 (legacy eCom) or psp-v2. golive refuses suites of another API.' }),
    description: z.string().optional(),
    merchant: z
      .strictObject({
        msn: Msn,
        clientId: Credential.meta({ description: '${env:NAME} only.' }),
        clientSecret: Credential.meta({ description: '${env:NAME} only.' }),
        subscriptionKey: Credential.meta({ description: '${env:NAME} only (Ocp-Apim-Subscription-Key).' }),
        pspId: z.string().min(1).optional().meta({ description: 'Psp-Id, for PSP integrations.' }),
      })
      .meta({ description: 'The sales unit the integration uses.' }),
    baseUrl: Url.meta({ description: 'Where the integration runs, e.g. http://localhost:3000 (available as {{baseUrl}}).' }),
    start: z
      .strictObject({
        command: z.string().min(1).meta({ description: 'Shell command that starts the integration.' }),
        cwd: z.string().optional().meta({ description: "Working directory for the command; relative to this profile file (default: where golive runs)." }),
        env: z.record(z.string(), z.string()).default({}).meta({ description: 'Extra environment; values may use {{sandbox.url}}, {{baseUrl}}, {{env.X}}, ${env:X}.' }),
        url: Url.meta({ description: 'URL to poll until it answers, then the run starts.' }),
        timeout: DurationSchema.default(60_000),
        reuseExisting: z.boolean().default(false).meta({ description: 'Use an already running server at url instead of starting one.' }),
      })
      .optional()
      .meta({ description: 'Start the integration for the run, like Playwright\'s webServer.' }),
    system: z
      .strictObject({
        name: z.string().min(1).max(30).optional(),
        version: z.string().min(1).max(30).optional(),
        pluginName: z.string().min(1).max(30).optional(),
        pluginVersion: z.string().min(1).max(30).optional(),
      })
      .optional()
      .meta({ description: 'Expected Vipps-System-Name/-Version/-Plugin-Name/-Plugin-Version header values.' }),
    capabilities: Capabilities.prefault({}),
    customer: z
      .strictObject({
        phoneNumber: z
          .string()
          .regex(/^[0-9]{10,15}$/, { error: 'expected an MSISDN (country code and number, digits only), e.g. 4712345678' })
          .default(DEFAULT_CUSTOMER_PHONE_NUMBER)
          .meta({ description: `The test customer's phone (MSISDN) that push payments go to, {{phoneNumber}} in flows and actions (default ${DEFAULT_CUSTOMER_PHONE_NUMBER}, the sandbox test user).` }),
      })
      .prefault({})
      .meta({ description: 'The simulated customer golive plays.' }),
    polling: z
      .strictObject({
        firstAfter: DurationSchema.default(5_000).meta({ description: 'When the integration first reads a new payment with GET (guideline: 5s).' }),
        interval: DurationSchema.default(2_000).meta({ description: 'How often it polls after that (guideline: 2s).' }),
      })
      .optional()
      .meta({ description: 'The integration\'s polling pace; golive waits by it (faults stay until met, the run ends after every first poll). Default: the guideline 5s / 2s.' }),
    statusMapping: StatusMapping,
    actions: z
      .strictObject(actionShape)
      .catchall(Action)
      .meta({ description: 'How golive drives the integration: each action is http: {…} or browser: [ … ]. Other names are custom actions for merchant.action.' }),
    ...pspSections(browser),
    ...testApiSections(),
    ...platformSections({ msn: Msn, url: Url }),
    webhookUrl: Url.optional().meta({ description: 'The integration\'s webhook receiver (for forged deliveries); default: the URL it registers.' }),
    secrets: z
      .array(z.string().regex(ENV_NAME_RE, { error: 'expected an environment variable name' }))
      .default([])
      .meta({ description: 'Environment variables whose values are redacted from every output (${env:…} values always are).' }),
    timeouts: z
      .strictObject({
        action: DurationSchema.default(15_000).meta({ description: 'Longest golive waits for one action of the integration (an HTTP answer, a browser step); --action-timeout overrides it.' }),
        status: DurationSchema.default(15_000).meta({ description: 'Default `within` of expect steps (how long the order may take to show a status); --status-timeout overrides it.' }),
      })
      .prefault({}),
  });
}

export const ProfileSchema = makeProfileSchema(false);
/** Same document shape with JSON-Schema-friendly alternatives (for schemas/profile.schema.json). */
export const ProfileExportSchema = makeProfileSchema(true);

type ProfileOutput = z.output<typeof ProfileSchema>;
export type Profile = Omit<ProfileOutput, 'actions'> & { actions: Record<string, Action> & { checkout: Action; orderStatus: Action } };
export type ProfileInput = z.input<typeof ProfileSchema>;

/** Which credential fields hold secrets (their values are never echoed in messages). */
export function isSensitiveProfilePath(path: readonly (string | number)[]): boolean {
  return path[0] === 'merchant' && (CREDENTIAL_FIELDS as readonly unknown[]).includes(path[1]);
}

// --- secrets ------------------------------------------------------------------------------

export class SecretResolutionError extends Error {
  constructor(
    message: string,
    /** Each missing variable with the fields that reference it. */
    readonly missing: { name: string; fields: string[] }[],
  ) {
    super(message);
    this.name = 'SecretResolutionError';
  }
}

export interface ResolvedProfile extends Profile {
  merchant: Profile['merchant'];
  /** Every value that must be redacted: `${env:…}` values and the `secrets` variables. */
  secretValues: string[];
}

/**
 * Replace every `${env:NAME}` in the profile with the variable's value. All `${env:…}` values
 * count as secrets (to redact), as do the variables listed in `secrets`. Throws
 * SecretResolutionError naming every missing variable and the fields that need it.
 */
export function resolveSecrets(profile: Profile, env: Record<string, string | undefined> = process.env, source = `profile ${profile.profile}`): ResolvedProfile {
  const missing = new Map<string, string[]>();
  const secretValues = new Set<string>();
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      return value.replace(ENV_REF_ANY_RE, (match, name: string) => {
        const v = env[name];
        if (v === undefined || v === '') {
          missing.set(name, [...(missing.get(name) ?? []), path]);
          return match;
        }
        secretValues.add(v);
        return v;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
    }
    return value;
  };
  const resolved = walk(profile, '') as Profile;
  for (const name of profile.secrets) {
    const v = env[name];
    if (v === undefined || v === '') missing.set(name, [...(missing.get(name) ?? []), 'secrets']);
    else secretValues.add(v);
  }
  if (missing.size > 0) {
    const list = [...missing].map(([name, fields]) => ({ name, fields }));
    throw new SecretResolutionError(
      `${source}: environment variable${list.length > 1 ? 's' : ''} not set: ${list.map((m) => `${m.name} (for ${m.fields.join(', ')})`).join('; ')}`,
      list,
    );
  }
  return { ...resolved, secretValues: [...secretValues] };
}

// --- reading the profile ------------------------------------------------------------------

/**
 * Every canonical status an integration's own status string may mean (several when the profile
 * maps one word onto several, e.g. `failed` for failed and expired), in canonical order; [] if unmapped.
 */
export function canonicalStatuses(profile: Pick<Profile, 'statusMapping'>, raw: string): CanonicalStatus[] {
  const needle = raw.trim().toLowerCase();
  return CANONICAL_STATUSES.filter((s) => profile.statusMapping[s].some((v) => v.toLowerCase() === needle));
}

/** The first canonical status an integration's status string means, or undefined if unmapped. */
export function canonicalStatus(profile: Pick<Profile, 'statusMapping'>, raw: string): CanonicalStatus | undefined {
  return canonicalStatuses(profile, raw)[0];
}

/** The name of the profile action that declares `role`, or undefined when none does. */
export function actionForRole(profile: Pick<Profile, 'actions'>, role: ActionRole): string | undefined {
  return Object.entries(profile.actions).find(([, a]) => a.role === role)?.[0];
}

/** Names an action extracts (http `extract` keys, browser `extract` names). */
export function extractedNames(action: Action): string[] {
  if (action.http) return Object.keys(action.http.extract);
  return (action.browser ?? []).flatMap((op) => ('extract' in op ? [op.extract.name] : []));
}
