#!/usr/bin/env node
// node bin/run-ts.mjs file.ts [args…] — runs a TypeScript script with tsx's loader.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
register();
const [, , file, ...rest] = process.argv;
process.argv = [process.argv[0], resolve(file), ...rest];
await import(pathToFileURL(resolve(file)).href);
