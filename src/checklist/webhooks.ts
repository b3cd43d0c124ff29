/**
 * §8.5 Webhook receiver quality: rows derived from the Webhooks API guide (all `recommended`).
 * They belong to ePayment suites too, since an ePayment integration receives the webhooks.
 */
import type { ChecklistItem } from './types.ts';
import { WEBHOOKS, WEBHOOK_RECEIVER } from './docs.ts';

const WH = ['epayment-v1', 'webhooks-v1'] as const;

export const WEBHOOK_ITEMS = [
  // --- §8.5 Webhook receiver quality ----------------------------------------------------------------
  {
    id: 'WH-VERIFY-HMAC',
    title: 'Verify the webhook signature',
    area: WEBHOOK_RECEIVER,
    section: '8.5',
    apis: WH,
    severity: 'recommended',
    rule: 'Check x-ms-content-sha256 against the raw body and the HMAC-SHA256 Authorization header with the registration secret; act on nothing that fails.',
    docs: `${WEBHOOKS}/request-authentication/`,
  },
  {
    id: 'WH-ACK-FAST',
    title: 'Acknowledge webhooks within 10 s',
    area: WEBHOOK_RECEIVER,
    section: '8.5',
    apis: WH,
    severity: 'recommended',
    rule: 'Answer every valid delivery with 2xx within 10 seconds (store, then process); anything else is retried and holds back later events.',
    docs: `${WEBHOOKS}/api-guide/`,
  },
  {
    id: 'WH-IDEMPOTENT',
    title: 'Tolerate duplicate webhooks',
    area: WEBHOOK_RECEIVER,
    section: '8.5',
    apis: WH,
    severity: 'recommended',
    rule: 'The same event may arrive more than once; answer each with 2xx and change the order only once (key on reference + name + pspReference).',
    docs: `${WEBHOOKS}/api-guide/`,
  },
  {
    id: 'WH-SUCCESS-FLAG',
    title: 'Check the success flag',
    area: WEBHOOK_RECEIVER,
    section: '8.5',
    apis: WH,
    severity: 'recommended',
    rule: 'An event with success: false did not happen: do not book it.',
    docs: `${WEBHOOKS}/events/`,
  },
  {
    id: 'WH-NOT-TRUTH',
    title: 'Re-read the payment after a webhook',
    area: WEBHOOK_RECEIVER,
    section: '8.5',
    apis: WH,
    severity: 'recommended',
    rule: 'Treat a webhook as a signal: read the payment with GET payment before acting on it.',
    docs: `${WEBHOOKS}/api-guide/`,
  },
] as const satisfies readonly ChecklistItem[];
