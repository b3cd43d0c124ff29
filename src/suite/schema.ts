import { z } from 'zod';
import type { FaultSpec } from '../contract/faults.ts';
import { CHECKLIST_ITEM_IDS, closest, CUSTOM_CHECKLIST_ID, isChecklistItemId, SUITE_APIS, type SuiteApi } from './checklist.ts';
import { DurationSchema } from './duration.ts';
import { BOOLEAN_CAPABILITIES, USER_FLOWS, type BooleanCapability, type UserFlow } from './profile.ts';
import { DOCUMENT_STEP_ARGS, SuiteFaultSchema, type SuiteStep } from './steps.ts';
import { Identifier, KebabId, oneKeyMap, oneKeyMapForExport } from './zod-helpers.ts';

/**
 * The suite language: a suite is a YAML file of flows; a flow is a list of steps.
 * See steps.ts for the step library and loader.ts for the checks that span fields.
 */

/**
 * A profile capability a flow needs: a boolean capability, `userFlow:<FLOW>`, or `platform` (a
 * partner profile with at least two installations: flows that cross sales units need another one).
 */
export type Requirement = BooleanCapability | `userFlow:${UserFlow}` | 'platform';
const USER_FLOW_REQUIREMENT = new RegExp(`^userFlow:(?:${USER_FLOWS.join('|')})$`);
const REQUIREMENT_EXPECTATION = `expected a capability (${BOOLEAN_CAPABILITIES.join(', ')}), userFlow:<${USER_FLOWS.join('|')}> or platform`;

const RequirementSchema = z
  .union(
    [z.enum(BOOLEAN_CAPABILITIES, { error: REQUIREMENT_EXPECTATION }), z.string().regex(USER_FLOW_REQUIREMENT, { error: REQUIREMENT_EXPECTATION }), z.literal('platform', { error: REQUIREMENT_EXPECTATION })],
    { error: REQUIREMENT_EXPECTATION },
  )
  .meta({
    description:
      'Profile capability the flow needs: a boolean capability (e.g. profileSharing) or userFlow:<FLOW>, a userFlow the profile lists in capabilities.userFlows (e.g. userFlow:PUSH_MESSAGE). All must hold; otherwise the flow is NOT APPLICABLE, with the reason.',
  });

const ChecklistIdSchema = z.string().superRefine((id, ctx) => {
  if (isChecklistItemId(id)) return;
  const hint = closest(id, CHECKLIST_ITEM_IDS);
  ctx.addIssue({
    code: 'custom',
    message: `unknown checklist item "${id}"${hint ? ` (did you mean ${hint}?)` : ''}; expected an id from vipps-facts.md §8 such as EP-ORDER-CAPTURED, or a custom id starting with x-`,
    input: id,
  });
});
const ChecklistIdExportSchema = z.union([z.enum(CHECKLIST_ITEM_IDS as [string, ...string[]]), z.string().regex(CUSTOM_CHECKLIST_ID)]);

const STEP_OPTIONS = { what: 'step', nullAsEmpty: true } as const;
export const StepSchema = oneKeyMap(DOCUMENT_STEP_ARGS, STEP_OPTIONS);

const Vars = z.record(Identifier, z.unknown()).default({}).meta({ description: 'Variables for templates: {{vars.name}}.' });

function makeSuiteSchema<S extends z.ZodType, C extends z.ZodType>(step: S, checklistId: C) {
  const Flow = z.strictObject({
    id: KebabId.meta({ description: 'Unique in the suite, kebab-case.' }),
    title: z.string().min(1),
    description: z.string().optional(),
    checklist: z.array(checklistId).default([]).meta({ description: 'Checklist items this flow gives evidence for (vipps-facts.md §8; x-… for custom).' }),
    requires: z.array(RequirementSchema).default([]),
    browser: z.boolean().optional().meta({ description: 'Needs a browser page (default: inferred from the steps).' }),
    timeout: DurationSchema.default(60_000).meta({ description: 'Longest the flow may run (default 60s).' }),
    vars: Vars,
    sandbox: z
      .strictObject({ faults: z.array(SuiteFaultSchema).default([]).meta({ description: 'Faults active for the whole flow (scoped to it by the runner).' }) })
      .prefault({}),
    steps: z.array(step).min(1),
  });
  return z.strictObject({
    $schema: z.string().optional(),
    suite: KebabId.meta({ description: 'Suite id, kebab-case, unique across suites.' }),
    title: z.string().min(1),
    api: z.enum(SUITE_APIS),
    description: z.string().optional(),
    vars: Vars,
    flows: z.array(Flow).min(1),
  });
}

/** Validates suite documents (steps come out as `{ key, value }`; the loader turns them into SuiteStep). */
export const SuiteDocumentSchema = makeSuiteSchema(StepSchema, ChecklistIdSchema);
/** Same document shape with JSON-Schema-friendly alternatives (for schemas/suite.schema.json). */
export const SuiteExportSchema = makeSuiteSchema(oneKeyMapForExport(DOCUMENT_STEP_ARGS, STEP_OPTIONS), ChecklistIdExportSchema);

export type SuiteDocument = z.output<typeof SuiteDocumentSchema>;

export interface Flow {
  id: string;
  title: string;
  description?: string;
  checklist: string[];
  requires: Requirement[];
  /** Explicit `browser:` or, when absent, whether any step needs a page. */
  browser: boolean;
  /** Milliseconds. */
  timeout: number;
  vars: Record<string, unknown>;
  sandbox: { faults: FaultSpec[] };
  steps: SuiteStep[];
  /** Where the flow is written (1-based). */
  line: number;
  col: number;
}

export interface Suite {
  suite: string;
  title: string;
  api: SuiteApi;
  description?: string;
  vars: Record<string, unknown>;
  flows: Flow[];
  /** The file it was loaded from. */
  file: string;
}
