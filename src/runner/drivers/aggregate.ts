import { AGGREGATE_KEYS } from '../../contract/epayment.ts';
import type { SandboxControl } from '../control.ts';
import type { ApiDriver, Modification, PaymentView, PaymentWant } from './types.ts';

/** The landing page's token, from the first of these URLs that is a `/landing?token=` page. */
export function landingToken(urls: readonly string[]): string | undefined {
  for (const url of urls) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      continue; // about:blank and the like name no page
    }
    const token = u.searchParams.get('token');
    if (u.pathname.endsWith('/landing') && token) return token;
  }
  return undefined;
}

const valueOf = (p: PaymentView | undefined, key: (typeof AGGREGATE_KEYS)[number]): number | undefined => p?.aggregate?.[key]?.value;

/**
 * APIs whose control records carry the aggregate's four amounts: ePayment v1 (payments by MSN +
 * reference), and eCom v2, whose sandbox record keeps the same aggregate beside its
 * transactionSummary (orderId as reference), and the PSP API v2/v3 (pspTransactionId as reference).
 * Only the state words differ, and the suite writes them.
 */
export function aggregateDriver(api: 'epayment' | 'ecom-v2' | 'psp-api', control: SandboxControl, msn: string): ApiDriver {
  return {
    api,
    payment: (reference) => control.payment(msn, reference),
    findPayment: (reference) => control.findPayment(msn, reference),
    async paymentOnLandingPage(urls) {
      const token = landingToken(urls);
      return token ? control.findPaymentByToken(token) : undefined;
    },
    async decide(action, reference, body) {
      await control.customer(action, msn, reference, body);
    },
    defaultAmount(action: Modification, p: PaymentView, orderAmount: number) {
      if (action === 'capture') return (valueOf(p, 'authorizedAmount') ?? orderAmount) - (valueOf(p, 'capturedAmount') ?? 0) - (valueOf(p, 'cancelledAmount') ?? 0);
      if (action === 'refund') return (valueOf(p, 'capturedAmount') ?? 0) - (valueOf(p, 'refundedAmount') ?? 0);
      return undefined; // a cancel releases whatever is left
    },
    wantOf(args) {
      const want: PaymentWant = {};
      if (args.state) want.state = args.state;
      for (const k of AGGREGATE_KEYS) if (args[k] !== undefined) want[k] = args[k];
      return want;
    },
    matches: (p, want) => p !== undefined && Object.entries(want).every(([k, v]) => (k === 'state' ? (Array.isArray(v) ? v.includes(p.state) : p.state === v) : valueOf(p, k as (typeof AGGREGATE_KEYS)[number]) === v)),
    describe: (p) => `${p?.state} with ${p?.aggregate ? AGGREGATE_KEYS.map((k) => `${k} ${valueOf(p, k) ?? '?'}`).join(', ') : 'no aggregate'}`,
  };
}
