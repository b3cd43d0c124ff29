// The reference PSP: `node bin/run-ts.mjs examples/reference-psp/src/main.ts` (README.md for the environment).
import { startPsp } from './app.ts';
import { loadConfig } from './config.ts';
import { runPspProcess } from './shared/main.ts';

await runPspProcess({ name: 'reference-psp', load: () => loadConfig(), start: startPsp });
