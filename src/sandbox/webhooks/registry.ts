import { randomBytes, randomUUID } from 'node:crypto';
import { EPAYMENT_EVENT_TYPES } from '../../contract/epayment.ts';
import type { ExtraDetail } from '../problem.ts';

/** Event types of vipps-facts.md §3.2 (ePayment's are in src/contract/epayment.ts). */
export const RECURRING_EVENT_TYPES = [
  'recurring.agreement-activated.v1',
  'recurring.agreement-rejected.v1',
  'recurring.agreement-stopped.v1',
  'recurring.agreement-expired.v1',
  'recurring.charge-reserved.v1',
  'recurring.charge-captured.v1',
  'recurring.charge-canceled.v1',
  'recurring.charge-failed.v1',
  'recurring.charge-refunded.v1',
  'recurring.charge-creation-failed.v1',
] as const;

export const QR_EVENT_TYPES = ['user.checked-in.v1'] as const;
export const LOGIN_EVENT_TYPES = ['login.merchant-initiated.ping.v1'] as const;

export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<string>([
  ...EPAYMENT_EVENT_TYPES,
  ...RECURRING_EVENT_TYPES,
  ...QR_EVENT_TYPES,
  ...LOGIN_EVENT_TYPES,
]);

/**
 * Whom a registration is for: one sales unit (`msn`: merchant keys, or partner keys with the
 * header), or a partner as a whole (`partnerId`: partner keys without it, vipps-facts §3.1), which
 * gets the events of every sales unit the partner acts for, later ones included.
 */
export type RegistrationScope = { msn: string; partnerId?: undefined } | { partnerId: string; msn?: undefined };

export const describeScope = (scope: RegistrationScope): string => (scope.msn !== undefined ? `merchant ${scope.msn}` : `partner ${scope.partnerId}`);

export type WebhookRegistration = RegistrationScope & {
  id: string;
  url: string;
  events: string[];
  /** Returned once, at registration; signs every delivery. */
  secret: string;
  /** Sandbox clock ms. */
  createdAt: number;
};

/** What a listing may show: everything but the secret. */
export type PublicRegistration = Omit<WebhookRegistration, 'secret'>;

export function withoutSecret({ secret: _secret, ...rest }: WebhookRegistration): PublicRegistration {
  return rest;
}

/**
 * A secret like the real API's HMAC example (64 random bytes, base64): it contains `+`, `/`
 * and `=`, so receivers that wrongly base64-decode it or mangle it in URLs/config fail here.
 */
export function newSecret(): string {
  return randomBytes(64).toString('base64');
}

const inScope = (r: WebhookRegistration, scope: RegistrationScope) => (scope.msn !== undefined ? r.msn === scope.msn : r.partnerId === scope.partnerId);

/** Registrations of every MSN and partner of one sandbox. No HTTP here. */
export class WebhookRegistry {
  private readonly byId = new Map<string, WebhookRegistration>();

  /** `partnersOf(msn)`: ids of the partners acting for a sales unit (asked per event, so it stays current). */
  constructor(private readonly partnersOf: (msn: string) => string[] = () => []) {}

  add(input: RegistrationScope & { url: string; events: string[]; createdAt: number; secret?: string }): WebhookRegistration {
    const scope: RegistrationScope = input.msn !== undefined ? { msn: input.msn } : { partnerId: input.partnerId! };
    const registration: WebhookRegistration = {
      id: randomUUID(),
      ...scope,
      url: input.url,
      events: [...input.events],
      secret: input.secret ?? newSecret(),
      createdAt: input.createdAt,
    };
    this.byId.set(registration.id, registration);
    return registration;
  }

  get(id: string): WebhookRegistration | undefined {
    return this.byId.get(id);
  }

  /** Registrations in the order they were made; one sales unit's (`msn` string) or one scope's only when given. */
  list(scope?: string | RegistrationScope): WebhookRegistration[] {
    const all = [...this.byId.values()];
    if (scope === undefined) return all;
    const s: RegistrationScope = typeof scope === 'string' ? { msn: scope } : scope;
    return all.filter((r) => inScope(r, s));
  }

  remove(id: string): WebhookRegistration | undefined {
    const r = this.byId.get(id);
    if (r) this.byId.delete(id);
    return r;
  }

  /**
   * Registrations an event of `msn` goes to, in registration order: the sales unit's own and
   * the partner-wide ones of each partner acting for it. The same URL registered both ways gets
   * the event once per registration (the docs name no de-duplication; each signs with its secret).
   */
  subscribers(msn: string, eventType: string): WebhookRegistration[] {
    const partners = new Set(this.partnersOf(msn));
    return [...this.byId.values()].filter((r) => (r.msn !== undefined ? r.msn === msn : partners.has(r.partnerId)) && r.events.includes(eventType));
  }

  /** Registrations of one scope for `eventType` (the limit counts per registration type, §3.1). */
  count(scope: RegistrationScope, eventType: string): number {
    return this.list(scope).filter((r) => r.events.includes(eventType)).length;
  }

  get size(): number {
    return this.byId.size;
  }
}

const REQUIRED = 'The property is required and cannot be null or empty.';

/**
 * Hosts an integration under test runs on. The real API requires a world-reachable HTTPS
 * URL; the sandbox also accepts plain http:// to these (documented deviation).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '[::1]' ||
    /^\[::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})\]$/.test(h)
  );
}

export type RegisterValidation =
  | { ok: true; value: { url: string; events: string[] } }
  | { ok: false; extraDetails: ExtraDetail[] };

/**
 * Validate a `RegisterRequest` (webhooks-v1.yaml: `url` + `events` required, no other
 * properties) plus the API's rules: absolute https URL (http on loopback in the sandbox),
 * known event types, at most `limit` registrations per event type per MSN (or per partner, for
 * partner-wide ones: the toolkit counts "per registration type (sales-unit vs partner)").
 */
export function validateRegisterRequest(
  body: unknown,
  options: { registry: WebhookRegistry; scope: RegistrationScope; limit: number },
): RegisterValidation {
  const errors: ExtraDetail[] = [];
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return {
      ok: false,
      extraDetails: [{ name: 'body', reason: 'A JSON object with "url" and "events" is required.' }],
    };
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key !== 'url' && key !== 'events') errors.push({ name: key, reason: `The property '${key}' is not allowed.` });
  }

  let url: string | undefined;
  const rawUrl = input.url;
  if (rawUrl === undefined || rawUrl === null || rawUrl === '') {
    errors.push({ name: 'url', reason: REQUIRED });
  } else if (typeof rawUrl !== 'string') {
    errors.push({ name: 'url', reason: 'The property must be a string.' });
  } else {
    let parsed: URL | undefined;
    try {
      parsed = new URL(rawUrl);
    } catch {
      errors.push({ name: 'url', reason: 'The property must be a valid absolute URL.' });
    }
    if (parsed) {
      if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
        url = rawUrl;
      } else if (parsed.protocol === 'http:') {
        errors.push({ name: 'url', reason: 'The URL must use HTTPS (the sandbox accepts http:// only for loopback hosts).' });
      } else {
        errors.push({ name: 'url', reason: 'The property must be a valid absolute http(s) URL.' });
      }
    }
  }

  let events: string[] | undefined;
  const rawEvents = input.events;
  if (rawEvents === undefined || rawEvents === null || (Array.isArray(rawEvents) && rawEvents.length === 0)) {
    errors.push({ name: 'events', reason: REQUIRED });
  } else if (!Array.isArray(rawEvents)) {
    errors.push({ name: 'events', reason: 'The property must be an array of event type strings.' });
  } else {
    const ok: string[] = [];
    rawEvents.forEach((e, i) => {
      if (typeof e !== 'string' || e === '') errors.push({ name: `events[${i}]`, reason: 'An event type must be a non-empty string.' });
      else if (!KNOWN_EVENT_TYPES.has(e)) errors.push({ name: `events[${i}]`, reason: `Unknown event type '${e}'.` });
      else if (!ok.includes(e)) ok.push(e);
    });
    if (ok.length === rawEvents.length || errors.every((d) => !d.name.startsWith('events'))) events = ok;
  }

  if (events && url !== undefined && errors.length === 0) {
    for (const e of events) {
      const n = options.registry.count(options.scope, e);
      if (n >= options.limit) {
        errors.push({
          name: 'events',
          reason: `At most ${options.limit} webhooks can be registered per event; '${e}' already has ${n} for ${describeScope(options.scope)}.`,
        });
      }
    }
  }

  if (errors.length > 0 || url === undefined || events === undefined) return { ok: false, extraDetails: errors };
  return { ok: true, value: { url, events } };
}
