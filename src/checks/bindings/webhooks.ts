/**
 * Webhook receiver quality (§8.5), judged on the sandbox's deliveries to the integration. The
 * items belong to ePayment suites too (their payments send the webhooks).
 */
import { bindingsFor } from './bind.ts';
import type { Binding } from '../types.ts';
import { webhookAckFast } from '../rules/webhook-ack-fast.ts';
import { webhookDuplicates } from '../rules/webhook-duplicates.ts';
import { webhookRereadPayment } from '../rules/webhook-reread-payment.ts';
import { webhookSignature } from '../rules/webhook-signature.ts';
import { webhookSuccessFlag } from '../rules/webhook-success-flag.ts';

const { flow, run } = bindingsFor('webhooks-v1');

export const WEBHOOK_BINDINGS: readonly Binding[] = [
  flow('WH-VERIFY-HMAC', webhookSignature),
  run('WH-ACK-FAST', webhookAckFast),
  flow('WH-IDEMPOTENT', webhookDuplicates),
  flow('WH-SUCCESS-FLAG', webhookSuccessFlag),
  run('WH-NOT-TRUTH', webhookRereadPayment),
];
