/**
 * The detection matrix as a table (issue 4): golive's ePayment suite against the reference
 * merchant, healthy and with each fault switch on; every row must fail exactly the items
 * test/self-test/expected-detections.ts lists for it.
 *
 *   node bin/run-ts.mjs scripts/detection-matrix.ts [--concurrency 3] [--only a,b] [--save-fixtures] [--keep-runs] [--workers 2]
 *
 * --only          rows to run: baseline and/or switch names (comma-separated)
 * --save-fixtures write test/checks/fixtures/recorded/<row>.json.gz for rows that came out as expected
 * --keep-runs     keep the run folders of rows that came out as expected (.tmp/matrix/…)
 * Exit code 1 when any row is not as expected, 2 for bad arguments.
 */
import { parseArgs } from 'node:util';
import { MATRIX_ROWS, type MatrixRowName } from '../test/self-test/expected-detections.ts';
import { formatMatrix, runMatrix } from '../test/self-test/matrix.ts';

let args;
try {
  args = parseArgs({
    options: {
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
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
const unknown = only.filter((n) => !MATRIX_ROWS.includes(n as MatrixRowName));
const concurrency = Number(args.concurrency);
if (unknown.length > 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  if (unknown.length) console.error(`detection-matrix: unknown row(s) ${unknown.join(', ')}; rows are ${MATRIX_ROWS.join(', ')}`);
  else console.error('detection-matrix: --concurrency must be a whole number ≥ 1');
  process.exit(2);
}

const rows = only.length ? (only as MatrixRowName[]) : MATRIX_ROWS;
console.log(`detection matrix: ${rows.length} runs, ${concurrency} at a time, ${args.workers} workers each${args['save-fixtures'] ? ', saving fixtures' : ''}`);
const result = await runMatrix({
  only: only as MatrixRowName[],
  concurrency,
  workers: args.workers,
  outDir: args.out,
  saveFixtures: args['save-fixtures'],
  keepRuns: args['keep-runs'],
  log: (line) => console.log(line),
});
console.log(`\n${formatMatrix(result)}`);
process.exit(result.rows.every((r) => r.ok) ? 0 : 1);
