// The proxy sits beside the sandbox (docs/architecture.md): it may use contract, traffic and
// shared, nothing above them — nor the sandbox, so `--target test-api` never loads the simulator.
import { describe, expect, it } from 'vitest';
import { allImports, folderOf } from '../architecture/imports.ts';

describe('layering of src/proxy/', () => {
  it('imports only src/contract, src/traffic, src/shared and itself', () => {
    const proxyImports = allImports().filter((i) => folderOf(i.from) === 'proxy' && i.to !== undefined);
    expect(proxyImports.length).toBeGreaterThan(5);
    const outside = proxyImports.filter((i) => !['proxy', 'contract', 'traffic', 'shared'].includes(folderOf(i.to)));
    expect(outside.map((i) => `src/${i.from}:${i.line} imports src/${i.to}`)).toEqual([]);
  });

  it('keeps the lower layers free of the proxy', () => {
    const into = allImports().filter((i) => folderOf(i.to) === 'proxy' && ['contract', 'traffic', 'shared', 'sandbox', 'checks'].includes(folderOf(i.from)));
    expect(into).toEqual([]);
  });
});
