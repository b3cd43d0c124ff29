/**
 * PSP API v2/v3 (§8.7): which rule judges which item. The makePayment rules read the calls the
 * sandbox sent (support/make-payments.ts); PSPAPI-DESIGN is ePayment's design rule.
 */
import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { designGuidelines } from '../rules/design-guidelines.ts';
import { pspApiDetails } from '../rules/psp-api-details.ts';
import { pspApiErrors } from '../rules/psp-api-errors.ts';
import { pspApiInit } from '../rules/psp-api-init.ts';
import { pspApiMakePayment } from '../rules/psp-api-make-payment.ts';
import { pspApiNoRedirectReliance } from '../rules/psp-api-no-redirect-reliance.ts';
import { pspApiSoftDecline } from '../rules/psp-api-soft-decline.ts';
import { pspApiUpdateStatus } from '../rules/psp-api-update-status.ts';

const { flow, run } = bindingsFor('psp-v2');

export const PSP_API_BINDINGS: readonly Binding[] = [
  run('PSPAPI-INIT', pspApiInit),
  run('PSPAPI-UPDATESTATUS', pspApiUpdateStatus),
  run('PSPAPI-DETAILS', pspApiDetails),
  flow('PSPAPI-MAKEPAYMENT-TOKENS', pspApiMakePayment),
  flow('PSPAPI-ERRORS', pspApiErrors),
  flow('PSPAPI-SOFTDECLINE', pspApiSoftDecline),
  flow('PSPAPI-NO-REDIRECT-RELIANCE', pspApiNoRedirectReliance),
  run('PSPAPI-DESIGN', designGuidelines),
];
