import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { partnerHeaders } from '../rules/partner-headers.ts';
import { partnerMsn } from '../rules/partner-msn.ts';
import { partnerWebhookRouting } from '../rules/partner-webhook-routing.ts';

const { run, flow } = bindingsFor('epayment-v1');

/** Platforms (partner profiles with installations): judged per installation, then over all of them. */
export const PARTNER_BINDINGS: readonly Binding[] = [
  run('PARTNER-MSN', partnerMsn),
  run('PARTNER-HEADERS', partnerHeaders),
  flow('PARTNER-WEBHOOK-ROUTING', partnerWebhookRouting),
];
