// Baseline: a bare Fastify server answering a GetPaymentResponse-sized JSON body (and a
// create-sized one to a POST) with no auth, no state and no recording — the ceiling any Fastify
// app can reach on this machine.
import Fastify from 'fastify';

const body = {
  aggregate: {
    authorizedAmount: { currency: 'NOK', value: 49900 },
    cancelledAmount: { currency: 'NOK', value: 0 },
    capturedAmount: { currency: 'NOK', value: 0 },
    refundedAmount: { currency: 'NOK', value: 0 },
  },
  amount: { currency: 'NOK', value: 49900 },
  state: 'AUTHORIZED',
  paymentMethod: { type: 'WALLET' },
  profile: {},
  pspReference: '2f3a0c54-6f3f-4a53-9f39-4b1e6c0d8a11',
  reference: 'bench-order-000001',
};
const app = Fastify({ logger: false });
app.get('/epayment/v1/payments/:reference', async () => body);
// The create answer's shape and size (JSON body parsed, 201 with redirectUrl and reference): the
// ceiling for the sandbox's create, which validates, stores and records besides.
app.post('/epayment/v1/payments', async (req, reply) => {
  const reference = (req.body as { reference?: string } | undefined)?.reference;
  return reply.code(201).send({ redirectUrl: 'http://127.0.0.1:1/landing?token=0qQR_HMdG1tNlOKbUW2IdQ2We3cpUlJS', reference });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address() as { port: number };
process.stdout.write(`http://127.0.0.1:${address.port}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
