/**
 * ePayment for PSPs, card passthrough (§8.6): which rule judges which item. The card-callback
 * items have rules of their own (rules/card-*.ts); the rest are ePayment's rules — the create,
 * reads, webhooks-and-polling, errors and headers rules — combined with the PSP's own
 * requirements (Psp-Id, pspReference) where the PSP checklist adds them.
 */
import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { cardCallbackAuth } from '../rules/card-callback-auth.ts';
import { cardCallbackDeadline } from '../rules/card-callback-deadline.ts';
import { cardCallbackFail } from '../rules/card-callback-fail.ts';
import { cardCallbackReserve } from '../rules/card-callback-reserve.ts';
import { cardCallbackSoftDecline } from '../rules/card-callback-soft-decline.ts';
import { cardType } from '../rules/card-type.ts';
import { endpointEvents } from '../rules/endpoint-events.ts';
import { endpointGet } from '../rules/endpoint-get.ts';
import { errorsHandled } from '../rules/errors-handled.ts';
import { pspMerchantManagement } from '../rules/psp-merchant-management.ts';
import { pspOptionalFeatures } from '../rules/psp-optional-features.ts';
import { pspCreate } from '../rules/psp-create.ts';
import { pspHeaders } from '../rules/psp-headers.ts';
import { pspUpdateCancel } from '../rules/psp-update-cancel.ts';
import { pspUpdateCapture } from '../rules/psp-update-capture.ts';
import { pspUpdateRefund } from '../rules/psp-update-refund.ts';
import { webhooksAndPolling } from '../rules/webhooks-and-polling.ts';

const { flow, run } = bindingsFor('epayment-psp');

export const PSP_BINDINGS: readonly Binding[] = [
  run('PSP-MERCHANT-CREATE', pspMerchantManagement),
  run('PSP-MERCHANT-DELETE', pspMerchantManagement),
  run('PSP-CREATE', pspCreate),
  run('PSP-CREATE-EXPRESS', pspOptionalFeatures),
  run('PSP-CREATE-PROFILE', pspOptionalFeatures),
  run('PSP-CREATE-MINAGE', pspOptionalFeatures),
  run('PSP-GET', endpointGet),
  run('PSP-EVENTS', endpointEvents),
  flow('PSP-CB-RESERVE', cardCallbackReserve),
  flow('PSP-CB-FAIL', cardCallbackFail),
  flow('PSP-CB-SOFTDECLINE', cardCallbackSoftDecline),
  run('PSP-CB-20S', cardCallbackDeadline),
  flow('PSP-CB-AUTH', cardCallbackAuth),
  flow('PSP-CB-CARDTYPE', cardType),
  run('PSP-UPDATE-CAPTURE', pspUpdateCapture),
  run('PSP-UPDATE-CANCEL', pspUpdateCancel),
  run('PSP-UPDATE-REFUND', pspUpdateRefund),
  run('PSP-WEBHOOKS-AND-POLLING', webhooksAndPolling),
  flow('PSP-ERRORS', errorsHandled),
  run('PSP-HEADERS', pspHeaders),
];
