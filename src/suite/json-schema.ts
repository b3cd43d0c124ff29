import { z } from 'zod';
import { ACTION_DESCRIPTIONS, KNOWN_ACTIONS, ProfileExportSchema } from './profile.ts';
import { SuiteExportSchema } from './schema.ts';

/**
 * JSON Schemas for editors (yaml-language-server and friends), generated from the zod schemas'
 * input side, so fields with defaults are optional. Put this first line in a YAML file:
 *
 *   # yaml-language-server: $schema=../schemas/suite.schema.json      (suites)
 *   # yaml-language-server: $schema=../schemas/profile.schema.json    (profiles)
 *
 * The schemas describe shape only: cross-field rules (unique flow ids, variables that can
 * never be defined, actions a capability needs …) are checked by `golive validate`.
 */
export const SCHEMA_FILES = { suite: 'schemas/suite.schema.json', profile: 'schemas/profile.schema.json' } as const;

function toJsonSchema(schema: z.ZodType, id: string, title: string, description: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, $id: id, title, description, ...rest };
}

/** `$ref` ignores sibling keywords in draft-07, so each known action is `allOf: [$ref]` plus its description. */
function describeActions(profile: Record<string, unknown>): Record<string, unknown> {
  const actions = (profile.properties as Record<string, any>).actions;
  for (const name of KNOWN_ACTIONS) {
    const prop = actions.properties[name];
    actions.properties[name] = prop.$ref ? { description: ACTION_DESCRIPTIONS[name], allOf: [prop] } : { description: ACTION_DESCRIPTIONS[name], ...prop };
  }
  return profile;
}

/** The schema documents, as they are committed under schemas/. */
export function generateSchemas(): { suite: Record<string, unknown>; profile: Record<string, unknown> } {
  return {
    suite: toJsonSchema(
      SuiteExportSchema,
      'https://golive.dev/schemas/suite.schema.json',
      'golive suite',
      'A golive conformance suite: flows of steps that drive a Vipps MobilePay integration and the sandbox. Validate fully with `golive validate`.',
    ),
    profile: describeActions(toJsonSchema(
      ProfileExportSchema,
      'https://golive.dev/schemas/profile.schema.json',
      'golive merchant profile',
      'How golive reaches and drives one integration. Credentials only as ${env:NAME}. Validate fully with `golive validate`.',
    )),
  };
}

/** File text: two-space JSON with a final newline. */
export function schemaText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
