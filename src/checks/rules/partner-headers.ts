/**
 * Platform headers — the four Vipps-System-* headers "are mandatory for plugins, partners and
 * platforms (checked during checklist approval)" (vipps-facts §1.4, §8.2 #18).
 * https://developer.vippsmobilepay.com/docs/knowledge-base/http-headers/
 *
 * Rule: system-headers.ts's, held per installation: every API request made for the installation
 * carries all four headers (≤30 characters, stable) and its MSN; with kind: partner every breach
 * FAILS.
 *
 * Evidence (run, per installation): the installation's API calls (support/platform.ts).
 * NOT APPLICABLE to profiles without installations (EP-HEADERS judges them).
 */
import type { Rule } from '../types.ts';
import { notPlatform } from '../support/platform.ts';
import { systemHeaders } from './system-headers.ts';

export const partnerHeaders: Rule = { judge: (input, ctx) => systemHeaders.judge(input, ctx), notApplicable: notPlatform };
