import { closest } from './checklist.ts';
import { ENV_REF_ANY_RE, extractedNames, isSensitiveProfilePath, KNOWN_ACTIONS, ProfileSchema, type Action, type Profile } from './profile.ts';
import { STATUS_CLASSES, type CanonicalStatus } from './steps.ts';
import { stringsIn } from './template.ts';

import { validateDocument, ACTION_SCOPES, ENV_AND_SANDBOX, INSTALLATION_ROOT, isObj, Reporter, checkTemplates, fixedRoots, type ParseResult } from './checking.ts';

/** Profiles: YAML → zod → checks across fields (capabilities vs actions, roles, templates, status words). */

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
  const { value, diagnostics } = validateDocument(text, file, ProfileSchema, checkProfile, isSensitiveProfilePath);
  return value ? { value: value as Profile, diagnostics } : { diagnostics };
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
  const installations = Array.isArray(data.installations) ? data.installations : undefined;
  // A platform's baseUrl is one installation's at a time: {{installation.id}} names which.
  checkTemplates(r, data.baseUrl, ['baseUrl'], (e) => fixedRoots(e, installations ? { ...ENV_AND_SANDBOX, ...INSTALLATION_ROOT } : ENV_AND_SANDBOX, 'baseUrl'));
  if (installations) checkInstallations(r, data, installations);
  checkTemplates(r, data.webhookUrl, ['webhookUrl'], (e) => fixedRoots(e, { ...ENV_AND_SANDBOX, baseUrl: 'leaf' }, 'webhookUrl'));
  if (isObj(data.start)) checkTemplates(r, data.start, ['start'], (e) => fixedRoots(e, { ...ENV_AND_SANDBOX, relay: ['url'], baseUrl: 'leaf', msn: 'leaf' }, 'start'));
  for (const s of stringsIn(data)) {
    const malformed = s.value.replace(ENV_REF_ANY_RE, '').includes('${');
    if (malformed) r.error(s.path, `malformed \${…}: expected \${env:NAME} with NAME of letters, digits and _`);
  }
  if (data.kind === 'psp' && isObj(data.merchant) && data.merchant.pspId === undefined) {
    r.warn(['merchant'], 'kind is psp but merchant.pspId is not set');
  }
}


/** Installations belong to partner profiles; ids and MSNs name one sales unit each. */
function checkInstallations(r: Reporter, data: Record<string, unknown>, installations: unknown[]) {
  if (data.kind !== 'partner') r.error(['installations'], `installations are for platforms (kind: partner) serving several merchants with partner keys; this profile is kind: ${String(data.kind)}`, { key: true });
  const ids = new Map<string, number>();
  const msns = new Map<string, number>();
  installations.forEach((inst, i) => {
    if (!isObj(inst)) return;
    const path = ['installations', i];
    if (typeof inst.id === 'string') {
      const first = ids.get(inst.id);
      if (first !== undefined) r.error([...path, 'id'], `installation id ${inst.id} is already used by installations[${first}]`);
      else ids.set(inst.id, i);
    }
    const msn = typeof inst.msn === 'number' || typeof inst.msn === 'string' ? String(inst.msn) : undefined;
    if (msn !== undefined) {
      const first = msns.get(msn);
      if (first !== undefined) r.error([...path, 'msn'], `MSN ${msn} is already installations[${first}]'s; each installation is its own sales unit`);
      else msns.set(msn, i);
    }
    checkTemplates(r, inst.baseUrl, [...path, 'baseUrl'], (e) => fixedRoots(e, { ...ENV_AND_SANDBOX, ...INSTALLATION_ROOT }, 'an installation\'s baseUrl'));
    if (isObj(inst.env)) checkTemplates(r, inst.env, [...path, 'env'], (e) => fixedRoots(e, ENV_AND_SANDBOX, 'an installation\'s env'));
  });
}
