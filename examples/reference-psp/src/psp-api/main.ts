// The reference PSP, PSP API mode: `PSP_API_VERSION=v2|v3 node bin/run-ts.mjs examples/reference-psp/src/psp-api/main.ts` (README.md).
import { runPspProcess } from '../shared/main.ts';
import { startPspApi } from './app.ts';
import { loadPspApiConfig } from './config.ts';

await runPspProcess({ name: 'reference-psp (PSP API)', title: (c) => `reference-psp (PSP API ${c.version})`, load: () => loadPspApiConfig(), start: (config) => startPspApi(config) });
