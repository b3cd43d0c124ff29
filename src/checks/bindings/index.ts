import type { Binding } from '../types.ts';
import { EPAYMENT_BINDINGS } from './epayment.ts';
import { WEBHOOK_BINDINGS } from './webhooks.ts';
import { ECOM_BINDINGS } from './ecom.ts';
import { PSP_BINDINGS } from './psp.ts';
import { PSP_API_BINDINGS } from './psp-api.ts';
import { PARTNER_BINDINGS } from './partner.ts';

/** Every binding of every API, in checklist order. A new API adds its table here. */
export const BINDINGS: readonly Binding[] = [...EPAYMENT_BINDINGS, ...WEBHOOK_BINDINGS, ...PARTNER_BINDINGS, ...PSP_BINDINGS, ...ECOM_BINDINGS, ...PSP_API_BINDINGS];
