import QRCode from 'qrcode';
import { EnvironmentProblem } from '../../shared/errors.ts';
import type { SandboxControl } from '../control.ts';
import { aggregateDriver } from './aggregate.ts';
import { TestApiClient, type EpaymentPayment } from './test-api-client.ts';
import type { ApiDriver, PaymentView } from './types.ts';

export interface TestApiCustomer {
  /** force-approve: the documented test endpoint; interactive: a person approves in the MT app. */
  mode: 'force-approve' | 'interactive';
  /** The test user's phone number (profile testApi.phoneNumber); without it force approve sends the redirectUrl's token. */
  phoneNumber?: string;
  /** How long a person may take to approve (interactive). */
  timeoutMs: number;
  /** Where the interactive prompt goes (default stderr: Playwright passes a worker's stderr through). */
  print?: (text: string) => void;
  pollMs?: number;
}

/** The redirectUrl's `token` query value, which force approve also accepts (vipps-facts §2.3). */
const tokenOf = (url: string | undefined): string | undefined => {
  try {
    return url ? (new URL(url).searchParams.get('token') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The ePayment driver for `--target test-api`: payments are read with GET payment on the test API
 * itself (golive's own client, the profile's credentials), and the customer is force approve or a
 * person. The returnUrl the test API does not show is read from the integration's recorded create
 * (the run-control server's traffic), as the landing page knows it. Matching and default amounts
 * are the sandbox driver's: the aggregate is the same.
 */
export function testApiEpaymentDriver(client: TestApiClient, control: SandboxControl, msn: string, customer: TestApiCustomer): ApiDriver {
  const same = aggregateDriver('epayment', control, msn);
  const returnUrls = new Map<string, string | undefined>();
  async function returnUrlOf(reference: string): Promise<string | undefined> {
    if (!returnUrls.has(reference)) {
      const { exchanges } = await control.traffic({ operation: ['createPayment'], reference, limit: 5 });
      const body = exchanges.find((e) => (e.response?.status ?? 0) < 300)?.request.body as { returnUrl?: unknown } | undefined;
      if (!exchanges.length) return undefined; // not recorded yet: ask again next time
      returnUrls.set(reference, typeof body?.returnUrl === 'string' ? body.returnUrl : undefined);
    }
    return returnUrls.get(reference);
  }
  const view = async (p: EpaymentPayment): Promise<PaymentView> => ({
    reference: p.reference,
    state: p.state,
    amount: p.amount,
    aggregate: p.aggregate,
    redirectUrl: p.redirectUrl,
    returnUrl: await returnUrlOf(p.reference),
  });
  const find = async (reference: string) => {
    const p = await client.findPayment(reference);
    return p && view(p);
  };
  return {
    ...same,
    payment: async (reference) => {
      const p = await find(reference);
      if (!p) throw new EnvironmentProblem(`the test API has no payment ${reference} for MSN ${msn}`);
      return p;
    },
    findPayment: find,
    // The landing page is Vipps' own: its payment is the recorded create whose redirectUrl it shows.
    async paymentOnLandingPage(urls) {
      const shown = new Set(urls.map(tokenOf).filter((t) => t !== undefined));
      if (shown.size === 0) return undefined;
      const { exchanges } = await control.traffic({ operation: ['createPayment'], msn, limit: 1000 });
      const create = exchanges.reverse().find((e) => shown.has(tokenOf((e.response?.body as { redirectUrl?: string } | undefined)?.redirectUrl) ?? ''));
      return create?.reference ? find(create.reference) : undefined;
    },
    async decide(action, reference, body) {
      if (customer.mode === 'interactive') return awaitPerson(client, reference, action, customer);
      if (action !== 'approve') throw new EnvironmentProblem(`the test API cannot ${action} a payment on the customer's behalf (only force approve exists); run with --interactive to ${action} in the MT app`);
      const phoneNumber = typeof body?.phoneNumber === 'string' ? body.phoneNumber : customer.phoneNumber;
      const token = phoneNumber ? undefined : tokenOf((await client.findPayment(reference))?.redirectUrl);
      await client.forceApprove(reference, { phoneNumber, token });
    },
  };
}

/** Print the landing link and a terminal QR code, then poll GET payment until a person decided (bounded). */
async function awaitPerson(client: TestApiClient, reference: string, action: string, c: TestApiCustomer): Promise<void> {
  const print = c.print ?? ((t: string) => process.stderr.write(`${t}\n`));
  const first = await client.findPayment(reference);
  if (!first) throw new EnvironmentProblem(`the test API has no payment ${reference}`);
  if (first.state !== 'CREATED') return;
  const link = first.redirectUrl;
  const qr = link ? await QRCode.toString(link, { type: 'terminal', small: true }).catch(() => '') : '';
  print(
    [
      `golive: payment ${reference} waits for the customer — ${action} it in the MT (test) app within ${Math.round(c.timeoutMs / 1000)} s`,
      link ? `  open ${link}` : '  (no landing link: the payment was sent to the phone number)',
      qr,
    ].join('\n'),
  );
  const deadline = Date.now() + c.timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, c.pollMs ?? 2000));
    const p = await client.findPayment(reference);
    if (p && p.state !== 'CREATED') return;
  }
  throw new EnvironmentProblem(`nobody acted on payment ${reference} in the MT app within ${Math.round(c.timeoutMs / 1000)} s (interactive customer)`);
}
