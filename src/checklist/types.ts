/**
 * What a go-live checklist item is. The catalogue (./index.ts) lists every item of every API
 * golive knows; suites name items by id, checks bind rules to them, reports show them.
 */

/** The APIs a suite can test (`api:` in a suite); an item belongs to one or more of them. */
export const CHECKLIST_APIS = ['epayment-v1', 'epayment-psp', 'ecom-v2', 'psp-v2', 'webhooks-v1'] as const;
export type ChecklistApi = (typeof CHECKLIST_APIS)[number];

/** The APIs an integration can be built on (a profile's `api`). */
export const INTEGRATION_APIS = ['epayment-v1', 'ecom-v2', 'psp-v2'] as const;
export type IntegrationApi = (typeof INTEGRATION_APIS)[number];

/**
 * The integration API a suite or checklist item of `api` is about: Webhooks v1 carries ePayment's
 * payments, and the PSP checklist (`epayment-psp`, card passthrough) is ePayment used by a PSP.
 */
export function integrationApiOf(api: ChecklistApi): IntegrationApi {
  return api === 'webhooks-v1' || api === 'epayment-psp' ? 'epayment-v1' : api;
}

/** Who builds the integration (a profile's `kind`). */
export const INTEGRATION_KINDS = ['direct', 'partner', 'psp'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/**
 * The checklists an integration is judged on: a merchant or partner on ePayment gets the ePayment
 * and Webhooks checklists; a PSP on ePayment (card passthrough) the PSP checklist instead; every
 * other API its own.
 */
export function checklistsOf(integration: { api?: IntegrationApi; kind?: IntegrationKind }): ChecklistApi[] {
  const api = integration.api ?? 'epayment-v1';
  if (api === 'epayment-v1') return integration.kind === 'psp' ? ['epayment-psp'] : ['epayment-v1', 'webhooks-v1'];
  return [api];
}

/** required: part of the official checklist; recommended: derived from guides (fails become warnings). */
export type Severity = 'required' | 'recommended';

/** Section of vipps-facts.md §8 the item comes from. */
export type Section = '8.1' | '8.2' | '8.3' | '8.4' | '8.5' | '8.6' | '8.7';

export interface ChecklistItem {
  readonly id: string;
  readonly title: string;
  /** Checklist area, e.g. "Endpoints to integrate", "Quality assurance", "Avoid integration pitfalls". */
  readonly area: string;
  readonly section: Section;
  /** Suite APIs the item belongs to (a suite naming an item of another API gets a warning). */
  readonly apis: readonly ChecklistApi[];
  readonly severity: Severity;
  /** The documented rule, in one or two sentences. */
  readonly rule: string;
  /** Documentation page for the rule. */
  readonly docs: string;
}
