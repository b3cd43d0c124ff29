/**
 * Legacy eCom API v2 (§8.7): which rule judges which item. Every row but EC-CALLBACK is an
 * ePayment rule reading eCom traffic through support/traffic.ts; EC-ENDPOINTS is ePayment's
 * seven endpoint rules as one row, as the eCom checklist has it.
 */
import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { callbackAnswered } from '../rules/callback-answered.ts';
import { customerSupport } from '../rules/customer-support.ts';
import { designGuidelines } from '../rules/design-guidelines.ts';
import { ecomEndpoints } from '../rules/ecom-endpoints.ts';
import { errorsHandled } from '../rules/errors-handled.ts';
import { idempotencyKey } from '../rules/idempotency-key.ts';
import { paymentHistoryReceipt } from '../rules/payment-history-receipt.ts';
import { polling } from '../rules/polling.ts';
import { referenceFormat } from '../rules/reference-format.ts';
import { returnUrlRedirect } from '../rules/return-url-redirect.ts';
import { systemHeaders } from '../rules/system-headers.ts';

const { flow, run } = bindingsFor('ecom-v2');

export const ECOM_BINDINGS: readonly Binding[] = [
  run('EC-ENDPOINTS', ecomEndpoints),
  flow('EC-CALLBACK', callbackAnswered),
  flow('EC-ERRORS', errorsHandled),
  run('EC-HEADERS', systemHeaders),
  run('EC-RECEIPT', paymentHistoryReceipt),
  run('EC-ORDERID', referenceFormat),
  flow('EC-POLLING', polling),
  flow('EC-FALLBACK-REDIRECT', returnUrlRedirect),
  run('EC-DESIGN', designGuidelines),
  run('EC-SUPPORT', customerSupport),
  run('EC-XREQUESTID', idempotencyKey),
];
