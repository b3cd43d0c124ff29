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
  /** Each part with why it does not apply to the profile (undefined: it does). */
  const reasons = (profile: CheckInput['profile'], ctx: RuleContext) => entries.map(([name, rule]) => ({ name, rule, why: rule.notApplicable?.(profile, ctx) }));
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
      const parts = reasons(profile, ctx);
      return parts.every((p) => p.why !== undefined) ? parts.map((p) => `${p.name}: ${p.why}`).join('; ') : undefined;
    },
    judge(input, ctx) {
      const parts = reasons(input.profile, ctx);
      const skipped = parts.filter((p) => p.why !== undefined).map((p) => `${p.name} (${p.why})`);
      return fold(input, ctx, parts.filter((p) => p.why === undefined).map((p) => [p.name, p.rule.judge(input, ctx)]), skipped);
    },
    judgeRun(input, ctx) {
      const results = reasons(input.profile, ctx).flatMap(({ name, rule, why }) => {
        const f = why === undefined ? rule.judgeRun?.(input, ctx) : undefined;
        return f ? [[name, f] as [string, Finding]] : [];
      });
      return results.length > 0 ? fold(input, ctx, results, []) : undefined;
    },
  };
}
