import { z } from 'zod';

/** `500ms`, `15s`, `2m`, `1h`, `1.5s`, `1m30s` (units may be combined, largest first). */
export const DURATION_PATTERN = '^\\s*(?:\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h)\\s*)+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds from `15s`, `500ms`, `2m`, `1h`, `1m30s` or a number (already ms).
 * Throws a RangeError naming the value when it is not a duration.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a duration: ${value} (expected a non-negative number of milliseconds)`);
    return value;
  }
  if (typeof value !== 'string' || !DURATION_RE.test(value)) {
    throw new RangeError(`not a duration: ${JSON.stringify(value)} (expected e.g. 15s, 500ms, 2m or a number of milliseconds)`);
  }
  let total = 0;
  for (const m of value.matchAll(PART_RE)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}

/** Shortest readable form: 1500 → `1.5s`, 120000 → `2m`, 250 → `250ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  return `${ms}ms`;
}

export const DURATION_EXPECTATION = 'expected a duration such as 15s, 500ms, 2m or a number of milliseconds';

/** Input: a duration string or a number of ms; output: milliseconds. */
export const DurationSchema = z
  .union(
    [z.string().regex(DURATION_RE, { error: DURATION_EXPECTATION }), z.number().nonnegative({ error: DURATION_EXPECTATION })],
    { error: DURATION_EXPECTATION },
  )
  .transform((v) => parseDuration(v))
  .meta({ description: 'A duration: 15s, 500ms, 2m, 1h, 1m30s, or a number of milliseconds.' });
