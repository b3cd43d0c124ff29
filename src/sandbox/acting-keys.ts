import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SandboxContext } from './context.ts';
import type { AuthErrorShape } from './http.ts';
import type { Merchant } from './merchants.ts';
import type { ProblemInput } from './problem.ts';

/**
 * Credentials that act for several sales units: PSP keys (psps.ts) and partner keys
 * (partners.ts), vipps-facts §1.4. One client id, secret and subscription key(s); every request
 * names the sales unit in `Merchant-Serial-Number`. The registry and the MSN step of the auth
 * check are shared here; each kind adds its own rules (Psp-Id, partner-wide webhooks).
 */
export interface ActingKeys {
  clientId: string;
  clientSecret: string;
  subscriptionKeys: string[];
}

export const MSN_PATTERN = /^[0-9]{4,6}$/;

export class ActingKeyRegistry<T extends ActingKeys> {
  private readonly byIdMap = new Map<string, T>();
  private readonly byClientId = new Map<string, T>();
  private readonly keys = new Map<string, T>();

  constructor(
    /** 'PSP' or 'partner', for messages. */
    private readonly kind: string,
    private readonly schema: z.ZodType<T, any>,
    private readonly idOf: (t: T) => string,
    /** The MSNs of the sales units it acts for (read on every request: later additions count). */
    private readonly msnsOf: (t: T) => string[],
    inputs: unknown[] = [],
  ) {
    for (const input of inputs) this.add(input);
  }

  add(input: unknown): T {
    const t = this.schema.parse(input);
    const id = this.idOf(t);
    if (this.byIdMap.has(id)) throw new Error(`duplicate ${this.kind} ${id}`);
    if (this.byClientId.has(t.clientId)) throw new Error(`duplicate client_id for ${this.kind} ${id}`);
    this.byIdMap.set(id, t);
    this.byClientId.set(t.clientId, t);
    for (const key of t.subscriptionKeys) this.keys.set(key, t);
    return t;
  }

  byId(id: string | undefined): T | undefined {
    return id === undefined ? undefined : this.byIdMap.get(id);
  }

  byClient(clientId: string): T | undefined {
    return this.byClientId.get(clientId);
  }

  isKnownSubscriptionKey(key: string): boolean {
    return this.keys.has(key);
  }

  subscriptionKeyBelongsTo(key: string, t: T): boolean {
    return t.subscriptionKeys.includes(key);
  }

  actsFor(t: T, msn: string): boolean {
    return this.msnsOf(t).includes(msn);
  }

  /** Every holder acting for `msn` (a partner-wide webhook of each gets the unit's events). */
  actingFor(msn: string): T[] {
    return this.list().filter((t) => this.actsFor(t, msn));
  }

  list(): T[] {
    return [...this.byIdMap.values()];
  }
}

export interface SalesUnitRules {
  /** The subscription key sent belongs to these credentials. */
  keyBelongs: boolean;
  actsFor(msn: string): boolean;
  /** A request without Merchant-Serial-Number: refused with this problem, or `allowed` (partner-wide webhooks). */
  withoutMsn: ProblemInput | 'allowed';
  /** The holder's own id, never accepted as an MSN (a partner sending its partner id instead of the merchant's MSN). */
  ownId?: string;
}

/** The refusal of an MSN the keys do not act for: the same answer as a merchant key's foreign MSN (http.ts). */
export const merchantNotAllowed = (msn: string, detail = `The API keys used do not give access to merchant ${msn}.`): ProblemInput => ({
  status: 403,
  title: 'Merchant Not Allowed',
  detail,
});

/**
 * The sales unit a request with acting keys is for: the merchant named by Merchant-Serial-Number
 * when the keys act for it, `null` when no MSN was sent and that is allowed, `false` when refused
 * (the answer is sent in the route API's `refuse` shape).
 */
export function salesUnitOf(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, answer: AuthErrorShape, rules: SalesUnitRules): Merchant | null | false {
  if (!rules.keyBelongs) {
    answer.refuse(request, reply, { status: 403, title: 'Forbidden', detail: 'The subscription key and the access token belong to different API users.' });
    return false;
  }
  const raw = request.headers['merchant-serial-number'];
  const msn = Array.isArray(raw) ? raw[0] : raw;
  if (!msn) {
    if (rules.withoutMsn === 'allowed') return null;
    answer.refuse(request, reply, rules.withoutMsn);
    return false;
  }
  if (rules.ownId !== undefined && msn === rules.ownId) {
    answer.refuse(request, reply, merchantNotAllowed(msn, `${msn} is the partner's own id, not a merchant serial number: send the MSN of the sales unit you act for.`));
    return false;
  }
  const merchant = rules.actsFor(msn) ? ctx.merchants.byMerchantSerialNumber(msn) : undefined;
  if (!merchant) {
    answer.refuse(request, reply, merchantNotAllowed(msn));
    return false;
  }
  return merchant;
}
