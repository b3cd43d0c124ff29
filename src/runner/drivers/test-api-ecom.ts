import { ECOM_OP } from '../../contract/ecom.ts';
import { EnvironmentProblem } from '../../shared/errors.ts';
import type { SandboxControl } from '../control.ts';
import { aggregateDriver } from './aggregate.ts';
import { ForceApproveRefused, type TestApiClient } from './test-api-client.ts';
import type { TestApiCustomer } from './test-api.ts';
import type { ApiDriver, PaymentView } from './types.ts';

interface LogEntry {
  amount?: number;
  operation?: string;
  operationSuccess?: boolean;
  timeStamp?: string;
}

interface Details {
  orderId: string;
  transactionSummary?: { capturedAmount?: number; refundedAmount?: number; remainingAmountToCapture?: number };
  transactionLogHistory?: LogEntry[];
}

const nok = (value: number) => ({ value, currency: 'NOK' });

/**
 * An eCom order as the step driver reads it, from `GET /ecomm/v2/payments/{orderId}/details`:
 * its state is the newest successful operation of transactionLogHistory (the words the eCom
 * suite writes: INITIATE, RESERVE, CAPTURE, REFUND, VOID, CANCEL…), its aggregate the reserved,
 * captured and refunded amounts, and what a cancel released (all of it after a VOID, the
 * uncaptured rest after a CANCEL).
 */
export function ecomView(d: Details): PaymentView {
  const log = (d.transactionLogHistory ?? []).filter((e) => e.operationSuccess !== false);
  const newest = [...log].sort((a, b) => Date.parse(b.timeStamp ?? '') - Date.parse(a.timeStamp ?? ''))[0];
  const initiated = log.find((e) => e.operation === 'INITIATE')?.amount ?? 0;
  const reserved = log.filter((e) => e.operation === 'RESERVE' || e.operation === 'SALE').reduce((n, e) => Math.max(n, e.amount ?? 0), 0);
  const captured = d.transactionSummary?.capturedAmount ?? 0;
  const refunded = d.transactionSummary?.refundedAmount ?? 0;
  const cancelled = log.some((e) => e.operation === 'VOID') ? reserved : log.some((e) => e.operation === 'CANCEL') && reserved > 0 ? reserved - captured : 0;
  return {
    reference: d.orderId,
    state: newest?.operation ?? 'INITIATE',
    amount: nok(initiated || reserved),
    aggregate: { authorizedAmount: nok(reserved), capturedAmount: nok(captured), refundedAmount: nok(refunded), cancelledAmount: nok(cancelled) },
  };
}

/** eCom's documented force approve refusals (vipps-facts §6.1, §6.5): 81 is the phone number. */
export function ecomForceApproveHint(body: string): string {
  if (/"errorCode"\s*:\s*"?81\b|Invalid phone number/i.test(body))
    return 'error 81 "Invalid phone number for test": testApi.phoneNumber must be a test user of the MT environment (8 digits, no +47) who has approved one payment by hand in the MT app';
  return 'every test user must approve at least one payment by hand in the MT (test) app before force approve works';
}

/**
 * The eCom v2 driver for `--target test-api`: orders are read with GET details on the test API,
 * the customer is force approve (`POST /ecomm/v2/integration-test/payments/{orderId}/approve`,
 * `{customerPhoneNumber, token}`) or a person; the fallBack and landing URL come from the
 * integration's recorded initiate.
 */
export function testApiEcomDriver(client: TestApiClient, control: SandboxControl, msn: string, customer: TestApiCustomer): ApiDriver {
  const same = aggregateDriver('ecom-v2', control, msn);
  const initiates = async () => (await control.traffic({ operation: [ECOM_OP.initiate], msn, limit: 1000 })).exchanges.filter((e) => (e.response?.status ?? 0) < 300);
  const find = async (orderId: string): Promise<PaymentView | undefined> => {
    const res = await client.api('GET', `/ecomm/v2/payments/${encodeURIComponent(orderId)}/details`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new EnvironmentProblem(`GET details of ${orderId} on the test API answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    const view = ecomView(JSON.parse(res.text) as Details);
    const initiate = (await initiates()).find((e) => e.reference === orderId);
    const body = initiate?.request.body as { merchantInfo?: { fallBack?: string } } | undefined;
    return { ...view, returnUrl: body?.merchantInfo?.fallBack, redirectUrl: (initiate?.response?.body as { url?: string } | undefined)?.url };
  };
  const tokenOf = (url: string | undefined) => {
    try {
      return url ? (new URL(url).searchParams.get('token') ?? undefined) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    ...same,
    payment: async (orderId) => {
      const p = await find(orderId);
      if (!p) throw new EnvironmentProblem(`the test API has no eCom order ${orderId} for MSN ${msn}`);
      return p;
    },
    findPayment: find,
    async paymentOnLandingPage(urls) {
      const shown = new Set(urls.map(tokenOf).filter((t) => t !== undefined));
      const initiate = (await initiates()).reverse().find((e) => shown.has(tokenOf((e.response?.body as { url?: string } | undefined)?.url) ?? ''));
      return initiate?.reference ? find(initiate.reference) : undefined;
    },
    async decide(action, orderId, body) {
      if (customer.mode === 'interactive' || action !== 'approve')
        throw new EnvironmentProblem(`the eCom test API can only force-approve (${action} needs a person in the MT app; --interactive supports ePayment only)`);
      const phone = typeof body?.phoneNumber === 'string' ? body.phoneNumber : customer.phoneNumber;
      // eCom wants 8 digits without the country code.
      const customerPhoneNumber = phone?.replace(/^\+?47(?=\d{8}$)/, '');
      const token = customerPhoneNumber ? undefined : tokenOf((await find(orderId))?.redirectUrl);
      const res = await client.api('POST', `/ecomm/v2/integration-test/payments/${encodeURIComponent(orderId)}/approve`, { ...(customerPhoneNumber ? { customerPhoneNumber } : {}), ...(token ? { token } : {}) });
      if (res.status >= 300) throw new ForceApproveRefused(`the test API refused force approve of eCom order ${orderId} (HTTP ${res.status}: ${res.text.slice(0, 300)}) — ${ecomForceApproveHint(res.text)}`);
    },
  };
}
