import type { Rule } from '../types.ts';
import { finding } from './findings.ts';

/** A rule for what golive does not exercise (yet): always REVIEW — never a pass — saying what a reviewer needs. */
export function manualReview(what: string): Rule {
  return {
    judge(input, { item }) {
      return finding(item, input, 'REVIEW', `Manual: golive does not exercise this — ${what}`);
    },
  };
}
