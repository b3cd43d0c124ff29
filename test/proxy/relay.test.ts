import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ECOM_OP } from '../../src/contract/ecom.ts';
import { PSP_OP } from '../../src/contract/psp-api.ts';
import { CARD_CALLBACK_OP } from '../../src/contract/card-passthrough.ts';
import { readAnswer as readCardAnswer } from '../../src/sandbox/epayment/card-passthrough/callback.ts';
import { readAnswer } from '../../src/sandbox/psp-api/make-payment.ts';
import { startDeliveryRelay, type DeliveryRelay } from '../../src/proxy/relay.ts';
import { environmentProblemOf } from '../../src/traffic/environment.ts';
import { TrafficLog } from '../../src/traffic/log.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import { deadPort, startUpstream, type TestUpstream } from './helpers.ts';

/** What the integration gave Vipps through the recording proxy: a webhook registration or an eCom initiate. */
function given(log: TrafficLog, what: 'webhook' | 'ecom', url: string): void {
  const webhook = what === 'webhook';
  log.append({
    kind: 'api',
    api: webhook ? 'webhooks' : 'ecom-v2',
    operation: webhook ? 'registerWebhook' : ECOM_OP.initiate,
    request: { method: 'POST', url: '/', path: '/', headers: {}, body: webhook ? { url, events: ['epayments.payment.captured.v1'] } : { merchantInfo: { callbackPrefix: url } } },
    response: { status: webhook ? 201 : 200, headers: {}, body: webhook ? { id: 'wh-1', secret: 'whsec-relay-secret' } : { orderId: 'o-1' } },
    startedAt: Date.now(),
    durationMs: 1,
  });
}

/** A PSP initiate the integration made through the proxy, naming its makePaymentUrl. */
function pspInitiate(log: TrafficLog, version: 'v2' | 'v3', pspTransactionId: string, makePaymentUrl: string): void {
  log.append({
    kind: 'api',
    api: `psp-${version}`,
    operation: PSP_OP[version].initiate,
    msn: '223344',
    reference: pspTransactionId,
    request: { method: 'POST', url: '/', path: `/psp/${version}/psppayments/init`, headers: {}, body: { pspTransactionId, makePaymentUrl, makePaymentToken: 'mp-token-secret-1', pspRedirectUrl: 'https://psp.example/return' } },
    response: { status: 200, headers: {}, body: { pspTransactionId, vippsRedirectUrl: 'https://landing.example/?token=t1' } },
    startedAt: Date.now(),
    durationMs: 1,
  });
}

/** An ePayment card-passthrough create the PSP made through the proxy, naming its cardCallbackUrl. */
function cardCreate(log: TrafficLog, reference: string, pspReference: string, cardCallbackUrl: string): void {
  log.append({
    kind: 'api',
    api: 'epayment',
    operation: 'createPayment',
    msn: '223344',
    reference,
    request: { method: 'POST', url: '/', path: '/epayment/v1/payments', headers: {}, body: { reference, paymentMethod: { type: 'CARD_PASSTHROUGH' }, cardPassthrough: { pspReference, cardCallbackUrl, cardCallbackAuthHeader: 'psp-auth-secret-1' } } },
    response: { status: 201, headers: {}, body: { reference, redirectUrl: 'https://landing.example/?token=t1' } },
    startedAt: Date.now(),
    durationMs: 1,
  });
}

describe('the delivery relay', () => {
  let integration: TestUpstream | undefined;
  let relay: DeliveryRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    await integration?.close();
    relay = integration = undefined;
  });

  it('forwards a webhook to the integration with its Host, answers with the integration\'s bytes, and records the delivery as the sandbox would', async () => {
    integration = await startUpstream((_req, res) => {
      res.writeHead(202, { 'content-type': 'text/plain', 'x-receiver': ['a', 'b'] });
      res.end('stored');
    });
    const log = new TrafficLog();
    const redactor = new Redactor();
    relay = await startDeliveryRelay({ forwardTo: `${integration.url}/ignored-path`, log, redactor, timeoutMs: 2000 });
    given(log, 'webhook', `${relay.publicUrl}/webhooks/vipps?shop=1`);
    const payload = JSON.stringify({ msn: '123456', reference: 'acme-1', name: 'CAPTURED', amount: { value: 1000, currency: 'NOK' }, success: true });
    const host = new URL(relay.url).host;
    const res = await request(`${relay.url}/webhooks/vipps?shop=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJlLXZhbHVl', 'x-ms-date': new Date().toUTCString() },
      body: payload,
    });
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-receiver']).toEqual(['a', 'b']);
    expect(await res.body.text()).toBe('stored');

    // The integration got the delivery unchanged: path and query, body bytes, the Host Vipps signed.
    const got = integration.received[0];
    expect(got.url).toBe('/webhooks/vipps?shop=1');
    expect(got.body.toString()).toBe(payload);
    const headers = Object.fromEntries(Array.from({ length: got.rawHeaders.length / 2 }, (_, i) => [got.rawHeaders[2 * i].toLowerCase(), got.rawHeaders[2 * i + 1]]));
    expect(headers.host).toBe(host);
    expect(headers.authorization).toMatch(/^HMAC-SHA256 SignedHeaders=/);

    const [delivery] = log.query({ kind: 'webhook' });
    expect(delivery).toMatchObject({ api: 'webhooks', operation: 'deliverWebhook', msn: '123456', reference: 'acme-1', notes: { webhookId: 'wh-1', eventType: 'epayments.payment.captured.v1', relayed: true } });
    expect(delivery.request).toMatchObject({ method: 'POST', url: `${relay.publicUrl}/webhooks/vipps?shop=1`, path: '/webhooks/vipps', body: JSON.parse(payload) });
    expect(delivery.response).toMatchObject({ status: 202, body: 'stored' });
    expect(delivery.error).toBeUndefined();
    // The signature is never stored in the clear.
    expect(JSON.stringify(redactor.exchange(delivery))).not.toContain('c2lnbmF0dXJlLXZhbHVl');
  });

  it('records an eCom callback to a callbackPrefix the integration gave, and forwards anything else unrecorded', async () => {
    integration = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const log = new TrafficLog();
    relay = await startDeliveryRelay({ forwardTo: integration.url, publicUrl: 'https://tunnel.example/', log, redactor: new Redactor(), timeoutMs: 2000 });
    expect(relay.publicUrl).toBe('https://tunnel.example');
    given(log, 'ecom', 'https://tunnel.example/vipps/callback');
    const callback = { merchantSerialNumber: 123456, orderId: 'o-1', transactionInfo: { amount: 1000, status: 'RESERVED', timeStamp: new Date().toISOString(), transactionId: '5001' } };
    const sent = await request(`${relay.url}/vipps/callback/v2/payments/o-1`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'ecom-auth-token-value' }, body: JSON.stringify(callback) });
    expect(sent.statusCode).toBe(200);
    await sent.body.text();
    // A customer's browser on the return page passes through the relay too; it is not a delivery.
    const page = await request(`${relay.url}/return?order=o-1`);
    expect(page.statusCode).toBe(200);
    await page.body.text();
    expect(integration.received.map((r) => r.url)).toEqual(['/vipps/callback/v2/payments/o-1', '/return?order=o-1']);

    const recorded = log.query({ kind: 'callback' });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ api: 'ecom-v2', operation: ECOM_OP.callback, msn: '123456', reference: 'o-1', notes: { status: 'RESERVED', relayed: true } });
    expect(recorded[0].request.url).toBe('https://tunnel.example/vipps/callback/v2/payments/o-1');
    expect(log.all().filter((e) => e.kind !== 'api')).toHaveLength(1);
  });

  it("records an integration that does not answer as the integration's failure, not the environment's", async () => {
    const log = new TrafficLog();
    relay = await startDeliveryRelay({ forwardTo: `http://127.0.0.1:${await deadPort()}`, log, redactor: new Redactor(), timeoutMs: 2000 });
    given(log, 'webhook', `${relay.publicUrl}/hooks`);
    const res = await request(`${relay.url}/hooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msn: '123456', reference: 'r-9', name: 'AUTHORIZED' }) });
    expect(res.statusCode).toBe(502);
    await res.body.text();
    const [delivery] = log.query({ kind: 'webhook' });
    expect(delivery.reference).toBe('r-9');
    expect(delivery.response).toBeUndefined();
    expect(delivery.error).toMatch(/^the integration did not answer \(upstream-unreachable/);
    expect(environmentProblemOf(delivery)).toBeUndefined();
  });

  it('records a PSP API makePayment to the makePaymentUrl the PSP gave, with the notes the sandbox records for the same answer', async () => {
    const answers: Record<string, unknown[]> = {
      'psp-ok': [{ paymentInfo: { pspTransactionId: 'psp-ok', status: 'OK' } }],
      'psp-3ds': [{ paymentInfo: { pspTransactionId: 'psp-3ds', status: 'SOFT_DECLINE', url3dSecure: 'https://psp.example/3ds' }, errorMessage: { errorId: 1036, errorText: 'Soft Decline' } }, { paymentInfo: { pspTransactionId: 'psp-3ds', status: 'OK' } }],
      'psp-cancel': [{ paymentInfo: { pspTransactionId: 'psp-cancel', status: 'FAIL' }, errorMessage: { errorId: 93, errorText: 'Status from Vipps:CANCEL' } }],
    };
    integration = await startUpstream((_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[JSON.parse(body.toString()).pspTransactionId]?.shift() ?? {})));
    const log = new TrafficLog();
    const redactor = new Redactor();
    relay = await startDeliveryRelay({ forwardTo: integration.url, log, redactor, timeoutMs: 2000 });
    const url = `${relay.publicUrl}/vipps/make-payment`;
    pspInitiate(log, 'v3', 'psp-ok', url);
    pspInitiate(log, 'v3', 'psp-3ds', url);
    pspInitiate(log, 'v2', 'psp-cancel', url);
    const send = async (body: Record<string, unknown>) => {
      const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8', authorization: 'mp-token-secret-1' }, body: JSON.stringify({ merchantSerialNumber: '223344', ...body }) });
      expect(res.statusCode).toBe(200);
      return res.body.json();
    };
    const sent = [
      await send({ pspTransactionId: 'psp-ok', paymentState: 'ACCEPTED', networkToken: { number: '4111' } }),
      await send({ pspTransactionId: 'psp-3ds', paymentState: 'ACCEPTED' }),
      await send({ pspTransactionId: 'psp-3ds', paymentState: 'ACCEPTED' }),
      await send({ pspTransactionId: 'psp-cancel', confirmed: 'CANCEL' }),
    ];
    const calls = log.query({ kind: 'callback' });
    expect(calls.map((e) => [e.api, e.operation, e.reference, e.msn, e.notes?.round])).toEqual([
      ['psp-v3', PSP_OP.v3.makePayment, 'psp-ok', '223344', 'first'],
      ['psp-v3', PSP_OP.v3.makePayment, 'psp-3ds', '223344', 'first'],
      ['psp-v3', PSP_OP.v3.makePayment, 'psp-3ds', '223344', '3ds-completion'],
      ['psp-v2', PSP_OP.v2.makePayment, 'psp-cancel', '223344', 'first'],
    ]);
    expect(calls[0].notes).toMatchObject({ version: 'v3', confirmed: 'YES', paymentState: 'ACCEPTED', outcome: 'ok', relayed: true });
    expect(calls[1].notes).toMatchObject({ outcome: 'soft-decline', errorId: 1036, errorText: 'Soft Decline' });
    expect(calls[3].notes).toMatchObject({ version: 'v2', confirmed: 'CANCEL', outcome: 'fail', errorId: 93, expectedErrorId: 93 });
    expect(calls[3].notes).not.toHaveProperty('paymentState');
    // The same reading as the sandbox's for each answer.
    calls.forEach((e, i) => {
      const sandbox = readAnswer({ url, requestHeaders: {}, sentBody: '', status: 200, responseBody: sent[i], durationMs: 1, startedAt: 0 }, e.reference!, e.notes!.round as 'first');
      expect({ outcome: e.notes!.outcome, errorId: e.notes!.errorId }, e.reference).toEqual({ outcome: sandbox.outcome, errorId: sandbox.errorId });
      expect(typeof e.notes!.answerMs).toBe('number');
    });
    // The makePaymentToken (its Authorization) is never stored in the clear.
    expect(JSON.stringify(calls.map((e) => redactor.exchange(e)))).not.toContain('mp-token-secret-1');
    // A POST to another URL under the relay is no makePayment.
    const other = await request(`${relay.url}/vipps/other`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pspTransactionId: 'psp-cancel' }) });
    await other.body.text();
    expect(log.query({ kind: 'callback' })).toHaveLength(4);
  });

  it('records a card callback to the cardCallbackUrl of a card-passthrough create, with the notes the sandbox records for the same answer', async () => {
    const answers: Record<string, unknown[]> = {
      'psp-ref-ok': [{ status: 'RESERVE', networkTransactionReference: 'ntr-1' }],
      'psp-ref-3ds': [{ status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds/a2' }, { status: 'SOFT_DECLINE', softDeclineUrl: 'https://psp.example/3ds/a2' }],
      'psp-ref-fail': [{ status: 'FAIL', errorCode: 51, errorMessage: 'Insufficient funds' }],
    };
    integration = await startUpstream((_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[JSON.parse(body.toString()).pspReference]?.shift() ?? {})));
    const log = new TrafficLog();
    const redactor = new Redactor();
    relay = await startDeliveryRelay({ forwardTo: integration.url, log, redactor, timeoutMs: 2000 });
    const url = `${relay.publicUrl}/card-callback`;
    cardCreate(log, 'pay-ok', 'psp-ref-ok', url);
    cardCreate(log, 'pay-3ds', 'psp-ref-3ds', url);
    cardCreate(log, 'pay-fail', 'psp-ref-fail', url);
    const send = async (pspReference: string, attempt: string, cardType: string, headers: Record<string, string>) => {
      const body = { pspReference, authorizationAttemptId: attempt, merchantSerialNumber: '223344', amount: { currency: 'NOK', value: 1000 }, softDeclineCompletedRedirectUrl: 'https://landing.example/done', cardInfo: { maskedCardNumber: '411111******1111', cardType, cardIssuedInCountryCode: 'NO', cardDataType: 'TOKEN' } };
      const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect(res.statusCode).toBe(200);
      return res.body.json();
    };
    const hmac = { authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2ln', 'x-ms-date': new Date().toUTCString(), 'x-ms-content-sha256': 'aGFzaA==' };
    const sent = [
      await send('psp-ref-ok', 'a1', 'VISA-DEBIT', { authorization: 'psp-auth-secret-1' }),
      await send('psp-ref-3ds', 'a2', 'VISA-CREDIT', hmac),
      await send('psp-ref-3ds', 'a2', 'VISA-CREDIT', hmac),
      await send('psp-ref-fail', 'a3', 'DANKORT', { ...hmac, authorization: 'psp-auth-secret-1', 'x-vipps-authorization': hmac.authorization }),
    ];
    const calls = log.query({ kind: 'callback' });
    expect(calls.map((e) => [e.api, e.operation, e.reference, e.msn, e.notes?.authorizationAttemptId, e.notes?.round, e.notes?.cardType, e.notes?.auth, e.notes?.outcome])).toEqual([
      ['epayment', CARD_CALLBACK_OP, 'pay-ok', '223344', 'a1', 'first', 'VISA_DEBIT', 'auth-header', 'reserved'],
      ['epayment', CARD_CALLBACK_OP, 'pay-3ds', '223344', 'a2', 'first', 'VISA_CREDIT', 'hmac', 'soft-decline'],
      ['epayment', CARD_CALLBACK_OP, 'pay-3ds', '223344', 'a2', 'soft-decline-completion', 'VISA_CREDIT', 'hmac', 'invalid'],
      ['epayment', CARD_CALLBACK_OP, 'pay-fail', '223344', 'a3', 'first', 'DANKORT', 'both', 'declined'],
    ]);
    expect(calls[0].notes).toMatchObject({ callbackCardType: 'VISA-DEBIT', relayed: true });
    expect(calls[2].notes).toMatchObject({ retryable: false });
    expect(calls[3].notes).toMatchObject({ retryable: true });
    // The same reading as the sandbox's for each answer.
    calls.forEach((e, i) => {
      const sandbox = readCardAnswer({ url, requestHeaders: {}, sentBody: '', status: 200, responseBody: sent[i], durationMs: 1, startedAt: 0 }, { revision: 'current', round: e.notes!.round as 'first' });
      expect(e.notes!.outcome, e.reference).toBe(sandbox.outcome);
      expect(typeof e.notes!.answerMs).toBe('number');
    });
    // The PSP's auth header value is never stored in the clear.
    expect(JSON.stringify(calls.map((e) => redactor.exchange(e)))).not.toContain('psp-auth-secret-1');
  });
});
