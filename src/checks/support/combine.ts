import type { CheckInput, Finding, Rule, RuleContext } from '../types.ts';
import { finding, worst } from './findings.ts';

/**
 * One item judged by several rules, each a documented requirement of its own (eCom's single
 * EC-ENDPOINTS row is ePayment's seven endpoint rows): the worst verdict wins, and the finding
 * names each part's verdict and message. A part that does not apply to the profile (a
 * capability declared off) is left out and said so; the item applies while any part does.
 */
export function allOf(parts: Record<string, Rule>): Rule {
  const entries = Object.entries(parts);
  const applicable = (input: CheckInput, ctx: RuleContext) => entries.filter(([, r]) => r.notApplicable?.(input.profile, ctx) === undefined);
  const fold = (input: CheckInput, ctx: RuleContext, results: [string, Finding][], skipped: string[]): Finding => {
    const verdict = results.reduce((v, [, f]) => worst(v, f.verdict), results[0][1].verdict);
    const message = results.map(([name, f]) => `${name} ${f.verdict}: ${f.message}`).join(' | ') + (skipped.length > 0 ? ` | not applicable: ${skipped.join('; ')}` : '');
    return finding(ctx.item, input, verdict, message, {
      cites: results.flatMap(([, f]) => f.cites ?? []),
      details: results.flatMap(([name, f]) => (f.details ?? []).map((d) => `${name}: ${d}`)),
    });
  };
  return {
    notApplicable(profile, ctx) {
      const reasons = entries.map(([name, r]) => [name, r.notApplicable?.(profile, ctx)] as const);
      return reasons.every(([, why]) => why !== undefined) ? reasons.map(([name, why]) => `${name}: ${why}`).join('; ') : undefined;
    },
    judge(input, ctx) {
      const on = applicable(input, ctx);
      const skipped = entries.filter((e) => !on.includes(e)).map(([name, r]) => `${name} (${r.notApplicable!(input.profile, ctx)})`);
      return fold(input, ctx, on.map(([name, r]) => [name, r.judge(input, ctx)]), skipped);
    },
    judgeRun(input, ctx) {
      const results = applicable(input, ctx).flatMap(([name, r]) => {
        const f = r.judgeRun?.(input, ctx);
        return f ? [[name, f] as [string, Finding]] : [];
      });
      return results.length > 0 ? fold(input, ctx, results, []) : undefined;
    },
  };
}
