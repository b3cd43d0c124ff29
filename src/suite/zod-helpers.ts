import { z } from 'zod';
import { closest } from './checklist.ts';
import { ONE_KEY_VARIANTS } from './diagnostics.ts';

/** A name usable as a variable (`vars.x`, `as: order`). */
export const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Flow, suite and profile ids. */
export const KEBAB_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const Identifier = z.string().regex(IDENTIFIER_RE, { error: 'expected a name of letters, digits and _ (not starting with a digit)' });
export const KebabId = z.string().regex(KEBAB_RE, { error: 'expected a kebab-case id such as order-captured' });

/** A string that is exactly one `{{variable}}`. */
export const TEMPLATE_ONLY_RE = /^\{\{\s*[A-Za-z_$][A-Za-z0-9_$.-]*\s*\}\}$/;

/**
 * Wraps a schema so that it also accepts a single `{{variable}}` (resolved before the step runs).
 * The type stays that of the wrapped schema: templates exist only in documents, never after
 * `resolveStep`, which re-checks the interpolated value against the plain schema.
 */
export type Templatable = <T extends z.ZodType>(schema: T, what: string) => T;

export const allowTemplate: Templatable = (<T extends z.ZodType>(schema: T, what: string) =>
  z.union([schema, z.string().regex(TEMPLATE_ONLY_RE, { error: `expected ${what} or a single {{variable}}` })])) as unknown as Templatable;

export const noTemplate: Templatable = (schema) => schema;

export interface OneKeyOptions {
  /** `- customer.ignore:` (no value) means `{}`. */
  nullAsEmpty?: boolean;
  /** What one entry is called in messages: `step`, `browser action`. */
  what: string;
}

/**
 * A mapping with exactly one key naming a variant, whose value the variant's schema checks:
 * `- merchant.capture: { amount: 100 }`. Issues from the variant keep their paths
 * (`…steps[1].merchant.capture.amount`); an unknown name lists the valid ones.
 */
export function oneKeyMap<V extends Record<string, z.ZodType>>(variants: V, opts: OneKeyOptions) {
  const names = Object.keys(variants);
  const example = `${names[0]}: {…}`;
  const schema = z.unknown().transform((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected a ${opts.what}: a mapping with one key such as ${example}`, input: raw });
      return z.NEVER;
    }
    const keys = Object.keys(raw);
    if (keys.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a ${opts.what}: a mapping with one key such as ${example}`, input: raw });
      return z.NEVER;
    }
    if (keys.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [keys[1]],
        params: { at: 'key' },
        message: `a ${opts.what} has exactly one key, found ${keys.map((k) => `"${k}"`).join(', ')} (arguments belong in the mapping under "${keys[0]}")`,
        input: raw,
      });
      return z.NEVER;
    }
    const key = keys[0];
    const variant = variants[key];
    if (!variant) {
      const hint = closest(key, names);
      ctx.addIssue({
        code: 'custom',
        path: [key],
        params: { at: 'key' },
        message: `unknown ${opts.what} "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${names.join(', ')}`,
        input: raw,
      });
      return z.NEVER;
    }
    let args = (raw as Record<string, unknown>)[key];
    if (args === null && opts.nullAsEmpty) args = {};
    const parsed = variant.safeParse(args);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...(issue as any), path: [key, ...issue.path] });
      return z.NEVER;
    }
    return { key: key as keyof V & string, value: parsed.data as unknown };
  });
  ONE_KEY_VARIANTS.set(schema, variants);
  return schema;
}

/** The JSON-Schema face of `oneKeyMap`: one alternative per variant. */
export function oneKeyMapForExport(variants: Record<string, z.ZodType>, opts: OneKeyOptions) {
  const options = Object.entries(variants).map(([name, schema]) => {
    const description = (z.globalRegistry.get(schema) as { description?: string } | undefined)?.description;
    const value = opts.nullAsEmpty ? z.union([schema, z.null()]) : schema;
    return z.strictObject({ [name]: value }).meta({ title: name, ...(description ? { description } : {}) });
  });
  return z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}
