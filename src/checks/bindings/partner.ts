import { bindingsFor } from './bind.ts';
import type { Binding, Rule } from '../types.ts';
import { partnerMsn } from '../rules/partner-msn.ts';
import { partnerWebhookRouting } from '../rules/partner-webhook-routing.ts';
import { systemHeaders } from '../rules/system-headers.ts';
import { notPlatform } from '../support/platform.ts';

const { run, flow } = bindingsFor('epayment-v1');

/** The headers rule for platforms only: kind partner makes every missing header FAIL (system-headers.ts). */
const platformHeaders: Rule = { ...systemHeaders, notApplicable: notPlatform };

/** Platforms (partner profiles with installations): judged per installation, then over all of them. */
export const PARTNER_BINDINGS: readonly Binding[] = [
  run('PARTNER-MSN', partnerMsn),
  run('PARTNER-HEADERS', platformHeaders),
  flow('PARTNER-WEBHOOK-ROUTING', partnerWebhookRouting),
];
