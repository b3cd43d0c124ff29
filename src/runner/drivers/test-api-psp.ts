import QRCode from 'qrcode';
import { PSP_API_NAME, PSP_MAKE_PAYMENT_OPS, PSP_OP, PSPAPI_CALLBACK_TIMEOUT_MS, type MakePaymentNotes, type PspApiVersion, type PspPaymentState } from '../../contract/psp-api.ts';
import { EnvironmentProblem } from '../../shared/errors.ts';
import { PSP_V2_NO_FORCE_APPROVE } from '../../suite/applicability.ts';
import type { Exchange } from '../../traffic/types.ts';
import type { SandboxControl } from '../control.ts';
import { aggregateDriver } from './aggregate.ts';
import { ForceApproveRefused, type TestApiClient } from './test-api-client.ts';
import type { TestApiCustomer } from './test-api.ts';
import type { ApiDriver, PaymentView } from './types.ts';
import { isObject } from '../../shared/objects.ts';

const ok = (e: Exchange) => e.response !== undefined && e.response.status < 300;
const nok = (value: number) => ({ value, currency: 'NOK' });
const PSP_INITIATES: readonly string[] = [PSP_OP.v2.initiate, PSP_OP.v3.initiate];
/** How long after force approve golive waits for the relayed makePayment: the PSP's answer deadline, and some. */
const MAKE_PAYMENT_WAIT_MS = PSPAPI_CALLBACK_TIMEOUT_MS + 5000;

const tokenOf = (url: string | undefined): string | undefined => {
  try {
    return url ? (new URL(url).searchParams.get('token') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
};

/** A non-YES makePayment ends the payment at Vipps whatever the PSP answers (src/sandbox/psp-api/machine.ts `end`). */
const ENDED_BY: Record<string, PspPaymentState> = { TIMEOUT: 'EXPIRED', CANCEL: 'CANCELLED', NO: 'FAILED' };

/**
 * A PSP API payment as the sandbox's machine would hold it, rebuilt from the run's traffic: the
 * PSP has no GET payment, so its state is what its initiate, Vipps's makePayment calls (relayed)
 * and the PSP's accepted updatestatus reports made of it — the same states (INITIATED, RESERVED,
 * CAPTURED, REFUNDED, CANCELLED, EXPIRED, FAILED) and amounts the sandbox's control record shows.
 */
export function pspView(init: Exchange, makePayments: readonly Exchange[], updates: readonly Exchange[]): PaymentView {
  const body = isObject(init.request.body) ? init.request.body : {};
  const reference = init.reference ?? String(body.pspTransactionId);
  const amount = typeof body.amount === 'number' ? body.amount : 0;
  let state: PspPaymentState = 'INITIATED';
  let reserved = 0;
  for (const e of [...makePayments].sort((a, b) => a.seq - b.seq)) {
    const n = (e.notes ?? {}) as Partial<MakePaymentNotes>;
    if (state !== 'INITIATED') break;
    if (n.confirmed && n.confirmed !== 'YES') state = ENDED_BY[n.confirmed];
    else if (n.outcome === 'ok') (state = 'RESERVED'), (reserved = amount);
    else if (n.outcome !== 'soft-decline') state = 'FAILED'; // soft-decline: waits for the re-send after 3-D Secure
  }
  let captured = 0;
  let refunded = 0;
  let cancelled = 0;
  for (const e of [...updates].sort((a, b) => a.seq - b.seq)) {
    const txs = isObject(e.request.body) && Array.isArray(e.request.body.transactions) ? e.request.body.transactions : [];
    for (const tx of txs) {
      if (!isObject(tx) || tx.pspTransactionId !== reference || tx.operationStatus === 'FAILED' || reserved === 0) continue;
      const n = typeof tx.amount === 'number' ? tx.amount : 0;
      if (tx.status === 'CAPTURED') (captured += n), (state = 'CAPTURED');
      else if (tx.status === 'REFUNDED') (refunded += n), (state = 'REFUNDED');
      else if (tx.status === 'CANCELLED') {
        cancelled += Math.max(0, reserved - captured - cancelled);
        if (captured === 0) state = 'CANCELLED';
      }
    }
  }
  const answer = isObject(init.response?.body) ? init.response.body : {};
  return {
    reference,
    state,
    amount: nok(amount),
    aggregate: { authorizedAmount: nok(reserved), capturedAmount: nok(captured), refundedAmount: nok(refunded), cancelledAmount: nok(cancelled) },
    redirectUrl: typeof answer.vippsRedirectUrl === 'string' ? answer.vippsRedirectUrl : undefined,
    returnUrl: typeof body.pspRedirectUrl === 'string' ? body.pspRedirectUrl : undefined,
  };
}

/** The PSP API's force approve refusals: the test user's prerequisites (vipps-facts §2.11, §5). */
export function pspForceApproveHint(status: number, body: string): string {
  if (status === 404) return 'the test API has no such payment for this PSP and MSN, or no force approve at this path (PSP API v3 only)';
  if (/customerPhoneNumber|phone/i.test(body)) return 'testApi.phoneNumber must be a test user of the MT environment (8 digits after 47) who has approved one payment by hand in the MT app';
  return 'the test user must have approved one payment by hand in the MT (test) app, and have a card there, before force approve works';
}

/**
 * The PSP API (v2/v3) driver for `--target test-api`. Payments are rebuilt from the run's
 * traffic (pspView); the customer is v3's force approve through golive's own client, or a
 * person (--interactive: v2 has no force approve). Matching and default amounts are the sandbox
 * driver's: the aggregate is the same.
 */
export function testApiPspDriver(client: TestApiClient, control: SandboxControl, msn: string, customer: TestApiCustomer): ApiDriver {
  const same = aggregateDriver('psp-api', control, msn);
  const initiates = async () => (await control.traffic({ kind: ['api'], api: Object.values(PSP_API_NAME), operation: [...PSP_INITIATES], msn, limit: 1000 })).exchanges.filter(ok);
  const makePayments = async (reference: string) =>
    (await control.traffic({ kind: ['callback'], operation: [...PSP_MAKE_PAYMENT_OPS], reference, limit: 100 })).exchanges.filter((e) => !(e.notes as { forged?: unknown } | undefined)?.forged);
  const find = async (reference: string): Promise<(PaymentView & { version: PspApiVersion; makePayments: number }) | undefined> => {
    const init = (await initiates()).reverse().find((e) => e.reference === reference);
    if (!init) return undefined;
    const calls = await makePayments(reference);
    // v2 and v3 share updatestatus's operationId.
    const updates = (await control.traffic({ kind: ['api'], api: Object.values(PSP_API_NAME), operation: [PSP_OP.v3.updateStatus], msn, limit: 1000 })).exchanges.filter(ok);
    return { ...pspView(init, calls, updates), version: init.api === PSP_API_NAME.v2 ? 'v2' : 'v3', makePayments: calls.length };
  };
  /** Poll the payment (bounded) until `done`; else an environment problem saying `why`. */
  const waitFor = async (reference: string, timeoutMs: number, done: (p: NonNullable<Awaited<ReturnType<typeof find>>>) => boolean, why: () => string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await find(reference);
      if (p && done(p)) return;
      if (Date.now() >= deadline) throw new EnvironmentProblem(why());
      await new Promise((r) => setTimeout(r, customer.pollMs ?? 500));
    }
  };
  const unseen = (reference: string, url: string | undefined) => () =>
    `${reference}: no makePayment reached golive — Vipps calls the PSP's makePaymentUrl${url ? ` ${url}` : ''}, which golive sees only when it is under {{relay.url}}`;
  return {
    ...same,
    payment: async (reference) => {
      const p = await find(reference);
      if (!p) throw new EnvironmentProblem(`the integration initiated no PSP API payment ${reference} for MSN ${msn} through golive's proxy`);
      return p;
    },
    findPayment: find,
    async paymentOnLandingPage(urls) {
      const shown = new Set(urls.map(tokenOf).filter((t) => t !== undefined));
      const init = (await initiates()).reverse().find((e) => shown.has(tokenOf((e.response?.body as { vippsRedirectUrl?: string } | undefined)?.vippsRedirectUrl) ?? ''));
      return init?.reference ? find(init.reference) : undefined;
    },
    async decide(action, reference, body) {
      const p = await find(reference);
      if (!p) throw new EnvironmentProblem(`the integration initiated no PSP API payment ${reference} through golive's proxy`);
      const init = (await initiates()).find((e) => e.reference === reference);
      const makePaymentUrl = isObject(init?.request.body) && typeof init.request.body.makePaymentUrl === 'string' ? init.request.body.makePaymentUrl : undefined;
      if (customer.mode === 'interactive') {
        const nobody = () => `nobody acted on PSP payment ${reference} in the MT app within ${Math.round(customer.timeoutMs / 1000)} s (or ${unseen(reference, makePaymentUrl)()})`;
        // A person also completes a 3-D Secure step-up: wait for the payment's outcome, not the first makePayment.
        return awaitPerson(p, action, customer, () => waitFor(reference, customer.timeoutMs, (now) => now.state !== 'INITIATED', nobody));
      }
      if (action !== 'approve') throw new EnvironmentProblem(`the test API cannot ${action} a PSP payment on the customer's behalf (only v3 force approve exists); run with --interactive`);
      if (p.version === 'v2') throw new EnvironmentProblem(PSP_V2_NO_FORCE_APPROVE);
      const phone = typeof body?.phoneNumber === 'string' ? body.phoneNumber : (customer.phoneNumber ?? (isObject(init?.request.body) ? init.request.body.customerMobileNumber : undefined));
      const customerPhoneNumber = typeof phone === 'string' ? phone.replace(/^\+?47(?=\d{8}$)/, '') : undefined;
      if (!customerPhoneNumber) throw new ForceApproveRefused(`PSP API v3 force approve of ${reference} needs the test user's phone number: set testApi.phoneNumber in the profile`);
      const res = await client.api('POST', `/psp/v3/integration-test/psppayments/${encodeURIComponent(reference)}/approve`, { customerPhoneNumber, token: tokenOf(p.redirectUrl) });
      if (res.status >= 300) throw new ForceApproveRefused(`the test API refused force approve of PSP payment ${reference} (HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 300)}` : ''}) — ${pspForceApproveHint(res.status, res.text)}`);
      // The test API answers once Vipps called makePayment; its outcome is what the relay recorded.
      await waitFor(reference, MAKE_PAYMENT_WAIT_MS, (now) => now.state !== 'INITIATED' || now.makePayments > 0, unseen(reference, makePaymentUrl));
    },
  };
}

/** Print the landing link and a terminal QR code, then wait (bounded) for the outcome. */
async function awaitPerson(p: PaymentView, action: string, c: TestApiCustomer, outcome: () => Promise<void>): Promise<void> {
  if (p.state !== 'INITIATED') return;
  const print = c.print ?? ((t: string) => process.stderr.write(`${t}\n`));
  const qr = p.redirectUrl ? await QRCode.toString(p.redirectUrl, { type: 'terminal', small: true }).catch(() => '') : '';
  print([`golive: PSP payment ${p.reference} waits for the customer — ${action} it in the MT (test) app within ${Math.round(c.timeoutMs / 1000)} s`, p.redirectUrl ? `  open ${p.redirectUrl}` : '', qr].join('\n'));
  await outcome();
}
