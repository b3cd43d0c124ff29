/**
 * ePayment API v1 (§8.1–8.4): which rule judges which item, and when. `run` items are judged once
 * over all the run's traffic; `flow` items at the end of each flow that lists them.
 */
import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { cancelRemainder } from '../rules/cancel-remainder.ts';
import { captureOnDelivery } from '../rules/capture-on-delivery.ts';
import { customerPresent } from '../rules/customer-present.ts';
import { customerSupport } from '../rules/customer-support.ts';
import { designGuidelines } from '../rules/design-guidelines.ts';
import { endpointCancel } from '../rules/endpoint-cancel.ts';
import { endpointCaptureFull } from '../rules/endpoint-capture-full.ts';
import { endpointCapturePartial } from '../rules/endpoint-capture-partial.ts';
import { endpointCreate } from '../rules/endpoint-create.ts';
import { endpointEvents } from '../rules/endpoint-events.ts';
import { endpointGet } from '../rules/endpoint-get.ts';
import { endpointRefundFull } from '../rules/endpoint-refund-full.ts';
import { endpointRefundPartial } from '../rules/endpoint-refund-partial.ts';
import { errorsDisplay } from '../rules/errors-display.ts';
import { errorsLog } from '../rules/errors-log.ts';
import { eventCancelled } from '../rules/event-cancelled.ts';
import { eventCaptured } from '../rules/event-captured.ts';
import { eventRefunded } from '../rules/event-refunded.ts';
import { evidenceFresh } from '../rules/evidence-fresh.ts';
import { idempotencyKey } from '../rules/idempotency-key.ts';
import { nordicCustomers } from '../rules/nordic-customers.ts';
import { orderEndingCancelled } from '../rules/order-ending-cancelled.ts';
import { orderEndingCaptured } from '../rules/order-ending-captured.ts';
import { orderEndingRefunded } from '../rules/order-ending-refunded.ts';
import { paymentHistoryReceipt } from '../rules/payment-history-receipt.ts';
import { polling } from '../rules/polling.ts';
import { profileSharing } from '../rules/profile-sharing.ts';
import { pushOutcome } from '../rules/push-outcome.ts';
import { qrRedirect } from '../rules/qr-redirect.ts';
import { productionOrders } from '../rules/production-orders.ts';
import { rateLimitBackoff } from '../rules/rate-limit-backoff.ts';
import { redirectUrlTopLevel } from '../rules/redirect-url-top-level.ts';
import { referenceFormat } from '../rules/reference-format.ts';
import { returnUrlRedirect } from '../rules/return-url-redirect.ts';
import { stateAborted } from '../rules/state-aborted.ts';
import { stateAuthorized } from '../rules/state-authorized.ts';
import { stateCreated } from '../rules/state-created.ts';
import { stateExpired } from '../rules/state-expired.ts';
import { stateTerminated } from '../rules/state-terminated.ts';
import { systemHeaders } from '../rules/system-headers.ts';
import { tokenCache } from '../rules/token-cache.ts';
import { waitForExpiry } from '../rules/wait-for-expiry.ts';
import { webhooksAndPolling } from '../rules/webhooks-and-polling.ts';

const { flow, run } = bindingsFor('epayment-v1');

export const EPAYMENT_BINDINGS: readonly Binding[] = [
  run('EP-ENDPOINT-CREATE', endpointCreate),
  run('EP-ENDPOINT-GET', endpointGet),
  run('EP-ENDPOINT-EVENTS', endpointEvents),
  run('EP-ENDPOINT-CANCEL', endpointCancel),
  run('EP-ENDPOINT-CAPTURE-FULL', endpointCaptureFull),
  run('EP-ENDPOINT-CAPTURE-PARTIAL', endpointCapturePartial),
  run('EP-ENDPOINT-REFUND-FULL', endpointRefundFull),
  run('EP-ENDPOINT-REFUND-PARTIAL', endpointRefundPartial),
  run('EP-WEBHOOKS-AND-POLLING', webhooksAndPolling),
  flow('EP-STATES-AUTHORIZED', stateAuthorized),
  flow('EP-STATES-ABORTED', stateAborted),
  flow('EP-STATES-EXPIRED', stateExpired),
  flow('EP-STATES-TERMINATED', stateTerminated),
  flow('EP-STATES-CREATED', stateCreated),
  flow('EP-EVENTS-CAPTURED', eventCaptured),
  flow('EP-EVENTS-REFUNDED', eventRefunded),
  flow('EP-EVENTS-CANCELLED', eventCancelled),
  run('EP-ERRORS-LOG', errorsLog),
  flow('EP-ERRORS-DISPLAY', errorsDisplay),
  run('EP-HEADERS', systemHeaders),
  run('EP-RECEIPT', paymentHistoryReceipt),
  run('EP-IDEMPOTENCY', idempotencyKey),
  run('EP-TOKEN-CACHE', tokenCache),
  run('EP-REFERENCE', referenceFormat),
  flow('EP-POLLING', polling),
  flow('EP-REDIRECT', returnUrlRedirect),
  flow('EP-NO-IFRAME', redirectUrlTopLevel),
  flow('EP-TIMEOUT-WAIT', waitForExpiry),
  run('EP-CAPTURE-ON-DELIVERY', captureOnDelivery),
  run('EP-CANCEL-REMAINDER', cancelRemainder),
  run('EP-CUSTOMER-PRESENT', customerPresent),
  run('EP-429-BACKOFF', rateLimitBackoff),
  run('EP-DESIGN', designGuidelines),
  run('EP-SUPPORT', customerSupport),
  run('EP-NORDIC', nordicCustomers),
  run('EP-ORDER-CAPTURED', orderEndingCaptured),
  run('EP-ORDER-REFUNDED', orderEndingRefunded),
  run('EP-ORDER-CANCELLED', orderEndingCancelled),
  run('EP-ORDER-PROD', productionOrders),
  run('EP-EVIDENCE-FRESH', evidenceFresh),
  // In-person (seed 003): judged per flow, each flow's own consent, push and QR.
  flow('EP-PROFILE-SHARING', profileSharing),
  flow('EP-PUSH-OUTCOME', pushOutcome),
  flow('EP-QR-REDIRECT', qrRedirect),
];
