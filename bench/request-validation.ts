/**
 * Request validation on the sandbox's hot path: `validateCreate` (the ePayment create body) on
 * a typical web-checkout body and on a full in-person body (customer, profile, receipt with
 * lines, metadata), against a baseline measured in the same run: `JSON.parse` of the same body,
 * which every request pays anyway. Reported as ns per call and as the ratio to the baseline, so
 * runs on different machines compare. Issue #8 measured it before and after the shape checks
 * moved from hand-written code to validators compiled from the spec (ajv).
 *
 *   node bin/run-ts.mjs bench/request-validation.ts [--iterations 100000] [--rounds 7]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateCreate } from '../src/sandbox/epayment/validation.ts';
import { DEFAULT_TEST_MERCHANT } from '../src/sandbox/index.ts';
import { root } from './support/processes.ts';

const args = process.argv.slice(2);
const iterations = args.includes('--iterations') ? Number(args[args.indexOf('--iterations') + 1]) : 100_000;
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const webCheckout = {
  amount: { currency: 'NOK', value: 49900 },
  paymentMethod: { type: 'WALLET' },
  reference: 'acme-shop-1001-abcdef',
  userFlow: 'WEB_REDIRECT',
  returnUrl: 'https://example.com/return?reference=acme-shop-1001-abcdef',
  paymentDescription: 'Coffee beans 1 kg',
};
const inPerson = {
  ...webCheckout,
  userFlow: 'PUSH_MESSAGE',
  customer: { phoneNumber: '4791234567' },
  customerInteraction: 'CUSTOMER_PRESENT',
  profile: { scope: 'phoneNumber name' },
  metadata: { table: '7', waiter: 'anna' },
  receipt: {
    orderLines: [
      { name: 'Soup', id: 'l1', totalAmount: 24950, totalAmountExcludingTax: 21696, totalTaxAmount: 3254, taxRate: 1500, unitInfo: { unitPrice: 24950, quantity: '1', quantityUnit: 'PCS' } },
      { name: 'Bread', id: 'l2', totalAmount: 24950, totalAmountExcludingTax: 21696, totalTaxAmount: 3254, taxRate: 1500 },
    ],
    bottomLine: { currency: 'NOK', receiptNumber: '0527013501' },
  },
};
const merchant = { ...(DEFAULT_TEST_MERCHANT as any), allowPushMessage: true, allowedScopes: ['name', 'address', 'email', 'phoneNumber', 'birthDate', 'nin'], currency: 'NOK' };
const env = { merchant, referenceMaxLength: 50, maxExpiresAtDays: 28, now: Date.now() };

function time(fn: () => void): number {
  for (let i = 0; i < Math.min(20_000, iterations); i++) fn(); // warm up (JIT)
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const rows: Record<string, { validateNs: number; parseNs: number; ratio: number }> = {};
for (const [name, body] of Object.entries({ webCheckout, inPerson })) {
  const text = JSON.stringify(body);
  // Each side parses: validation gets a fresh object, as a request would.
  // Rounds interleave baseline and subject, so a noisy neighbour hits both; medians reported.
  const parse: number[] = [];
  const validate: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const p = time(() => JSON.parse(text));
    const v = time(() => validateCreate(JSON.parse(text), env as any)) - p;
    parse.push(p);
    validate.push(v);
    ratios.push(v / p);
  }
  const parseNs = median(parse);
  const validateNs = median(validate);
  rows[name] = { validateNs, parseNs, ratio: median(ratios) };
  console.log(`  ${name.padEnd(12)} validateCreate ${validateNs.toFixed(0).padStart(6)} ns/call · JSON.parse ${parseNs.toFixed(0).padStart(6)} ns · ratio ${median(ratios).toFixed(2)}× (median of ${rounds} rounds)`);
}
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/request-validation.json'), `${JSON.stringify({ iterations, rounds, rows }, null, 2)}\n`);
