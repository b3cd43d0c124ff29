/**
 * The detection matrix as a table (issues 4 and 9): golive's ePayment suite against an example
 * shop, healthy and with each fault switch on; every row must fail exactly the items
 * test/self-test/expected-detections.ts lists for it.
 *
 *   node bin/run-ts.mjs scripts/detection-matrix.ts [--shop reference-merchant|sdk-shop|ecom-shop|reference-psp|reference-psp-v2|reference-psp-v3|reference-platform|all] [--concurrency 3] [--only a,b] [--save-fixtures] [--keep-runs] [--workers 2]
 *
 * --shop          which example integration: reference-merchant (default; REFERENCE_MERCHANT_FAULTS),
 *                 sdk-shop (examples/sdk-shop, SDK_SHOP_FAULTS), ecom-shop (examples/ecom-shop, ECOM_SHOP_FAULTS;
 *                 the eCom v2 suite), reference-psp (examples/reference-psp, REFERENCE_PSP_FAULTS;
 *                 the PSP card-passthrough suite), reference-platform (the reference merchant in platform
 *                 mode, config/reference-platform.profile.yaml, its platform switches) or all (every
 *                 shop, reference merchant first)
 * --only          rows to run: baseline and/or switch names (comma-separated); with --shop all a
 *                 bare name picks it in every shop that has it, sdk-shop/<name> one shop's row
 * --save-fixtures write test/checks/fixtures/recorded/<row>.json.gz for reference-merchant rows that came out as expected
 * --keep-runs     keep the run folders of rows that came out as expected (.tmp/matrix/…)
 * Exit code 1 when any row is not as expected, 2 for bad arguments.
 */
import { parseArgs } from 'node:util';
import { SHOP_NAMES, type Shop } from '../test/self-test/expected-detections.ts';
import { formatMatrix, matrixRows, rowLabel, runMatrix } from '../test/self-test/matrix.ts';

let args;
try {
  args = parseArgs({
    options: {
      shop: { type: 'string', default: 'reference-merchant' },
      concurrency: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      only: { type: 'string' },
      'save-fixtures': { type: 'boolean', default: false },
      'keep-runs': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (err) {
  console.error(`detection-matrix: ${(err as Error).message}`);
  process.exit(2);
}
const shop = args.shop as Shop | 'all';
if (shop !== 'all' && !SHOP_NAMES.includes(shop)) {
  console.error(`detection-matrix: unknown --shop ${shop}; shops are ${[...SHOP_NAMES, 'all'].join(', ')}`);
  process.exit(2);
}
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
const selectable = matrixRows(shop);
const unknown = only.filter((n) => !selectable.some((r) => r.name === n || rowLabel(r) === n));
const concurrency = Number(args.concurrency);
if (unknown.length > 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  if (unknown.length) console.error(`detection-matrix: unknown row(s) ${unknown.join(', ')}; rows are ${selectable.map(rowLabel).join(', ')}`);
  else console.error('detection-matrix: --concurrency must be a whole number ≥ 1');
  process.exit(2);
}

const rows = matrixRows(shop, only);
console.log(`detection matrix (${shop}): ${rows.length} runs, ${concurrency} at a time, ${args.workers} workers each${args['save-fixtures'] ? ', saving fixtures (reference-merchant rows)' : ''}`);
const result = await runMatrix({
  shop,
  only,
  concurrency,
  workers: args.workers,
  outDir: args.out,
  saveFixtures: args['save-fixtures'],
  keepRuns: args['keep-runs'],
  log: (line) => console.log(line),
});
console.log(`\n${formatMatrix(result)}`);
if (result.interrupted) {
  console.error(`detection-matrix: ${result.interrupted === 'SIGINT' ? 'interrupted' : 'terminated'} after ${result.rows.length} of ${rows.length} runs`);
  process.exit(result.interrupted === 'SIGINT' ? 130 : 143);
}
process.exit(result.rows.every((r) => r.ok) ? 0 : 1);
