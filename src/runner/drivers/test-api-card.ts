import { CARD_CALLBACK_OP, CARD_CALLBACK_TIMEOUT_MS } from '../../contract/card-passthrough.ts';
import { EnvironmentProblem } from '../../shared/errors.ts';
import type { SandboxControl } from '../control.ts';
import type { TestApiClient } from './test-api-client.ts';
import { testApiEpaymentDriver, type TestApiCustomer } from './test-api.ts';
import type { ApiDriver } from './types.ts';
import { isObject } from '../../shared/objects.ts';

/** How long after force approve golive waits for the relayed card callback: the PSP's answer deadline, and some. */
const CARD_CALLBACK_WAIT_MS = CARD_CALLBACK_TIMEOUT_MS + 5000;
/** A payment that left CREATED had its callback answered; the relay records it when it forwards the answer, so a moment at most. */
const RECORD_GRACE_MS = 3000;

/**
 * The ePayment card-passthrough (PSP) driver for `--target test-api`: the ePayment driver, whose
 * force approve is followed by Vipps's card callback to the PSP's cardCallbackUrl — seen through
 * the delivery relay. A payment the test environment authorized with no card callback golive saw
 * proves nothing about the PSP (it never got the card): the flow ends as an environment problem,
 * not as the PSP's failure. The environment's documentation does not say force approve calls
 * the card callback; --interactive (a person in the MT app picks the card) is the documented path.
 */
export function testApiCardDriver(client: TestApiClient, control: SandboxControl, msn: string, customer: TestApiCustomer): ApiDriver {
  const base = testApiEpaymentDriver(client, control, msn, customer);
  const callbacks = async (reference: string) =>
    (await control.traffic({ kind: ['callback'], api: ['epayment'], operation: [CARD_CALLBACK_OP], reference, limit: 100 })).exchanges.filter((e) => !e.notes?.forged);
  const cardCallbackUrl = async (reference: string): Promise<string | undefined> => {
    const { exchanges } = await control.traffic({ operation: ['createPayment'], reference, limit: 5 });
    const body = exchanges.find((e) => (e.response?.status ?? 0) < 300)?.request.body;
    return isObject(body) && isObject(body.cardPassthrough) && typeof body.cardPassthrough.cardCallbackUrl === 'string' ? body.cardPassthrough.cardCallbackUrl : undefined;
  };
  return {
    ...base,
    async decide(action, reference, body) {
      await base.decide(action, reference, body);
      if (customer.mode === 'interactive' || action !== 'approve') return;
      const url = await cardCallbackUrl(reference);
      if (url === undefined) return; // not a card-passthrough payment
      const unseen = `either the test environment's force approve does not call the PSP's cardCallbackUrl for CARD_PASSTHROUGH payments (undocumented; run with --interactive: a person in the MT app picks the card), or ${url} is not under {{relay.url}}`;
      const deadline = Date.now() + CARD_CALLBACK_WAIT_MS;
      let leftCreatedAt: number | undefined;
      for (;;) {
        if ((await callbacks(reference)).length > 0) return;
        const p = await client.findPayment(reference);
        if (p && p.state !== 'CREATED') leftCreatedAt ??= Date.now();
        if (leftCreatedAt !== undefined && Date.now() - leftCreatedAt > RECORD_GRACE_MS)
          throw new EnvironmentProblem(`${reference}: force approve made the payment ${p?.state ?? 'leave CREATED'} with no card callback reaching golive — the PSP never saw the card; ${unseen}`);
        if (Date.now() >= deadline) throw new EnvironmentProblem(`${reference}: no card callback reached golive within ${CARD_CALLBACK_WAIT_MS / 1000} s of force approve — ${unseen}`);
        await new Promise((r) => setTimeout(r, customer.pollMs ?? 500));
      }
    },
  };
}
