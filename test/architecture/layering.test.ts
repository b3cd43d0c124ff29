// Layering (docs: /work/shared/DESIGN.md "Layers"; issue 8): lower layers never import higher
// ones. Parsed from the import statements of every file under src/, so a violation fails here
// before it shows up as a tangle.
import { describe, expect, it } from 'vitest';
import { allImports, cycles, folderGraph, folderOf, importsOf, type Import } from './imports.ts';

const imports = allImports();
const describeImport = (i: Import) => `src/${i.from}:${i.line} imports src/${i.to}`;
const violations = (from: string, forbidden: readonly string[]) =>
  imports.filter((i) => folderOf(i.from) === from && forbidden.includes(folderOf(i.to))).map(describeImport);

describe('layering of src/', () => {
  it('reads the imports of every source file', () => {
    expect(imports.length).toBeGreaterThan(200);
    expect(imports.some((i) => i.from === 'sandbox/index.ts' && i.to === 'traffic/redact.ts')).toBe(true);
  });

  it('the sandbox imports nothing from report, runner, checks, actors or cli', () => {
    expect(violations('sandbox', ['report', 'runner', 'checks', 'actors', 'cli'])).toEqual([]);
  });

  it('checks import nothing from the runner or the sandbox', () => {
    expect(violations('checks', ['runner', 'sandbox'])).toEqual([]);
  });

  it('the checklist imports nothing from other src/ folders', () => {
    expect(imports.filter((i) => folderOf(i.from) === 'checklist' && folderOf(i.to) !== 'checklist').map(describeImport)).toEqual([]);
  });

  it('has no import cycles between top-level folders', () => {
    expect(cycles(folderGraph(imports))).toEqual([]);
  });
});

describe('the import reader', () => {
  it('finds static, re-export, side-effect, multi-line and dynamic imports, resolved inside src/', () => {
    const text = [
      "import { a } from '../report/redact.ts';",
      "import type { B } from './b.ts';",
      "export { c } from '../../outside.ts';",
      "import 'node:fs';",
      'import {',
      '  d,',
      "} from '../runner/x.ts';",
      "const e = await import('../cli/main.ts');",
    ].join('\n');
    expect(importsOf('sandbox/index.ts', text).map((i) => [i.to, i.line, i.typeOnly])).toEqual([
      ['report/redact.ts', 1, false],
      ['sandbox/b.ts', 2, true],
      ['runner/x.ts', 5, false],
      ['cli/main.ts', 8, false],
    ]);
  });

  it('finds a cycle between folders, and none in a layered graph', () => {
    const edge = (e: string): Import => ({ from: `${e.split('>')[0]}/a.ts`, to: `${e.split('>')[1]}/b.ts`, line: 1, typeOnly: false });
    const graph = (edges: string[]) => folderGraph([...edges.map(edge), edge('checks>checks')]);
    expect(cycles(graph(['suite>checklist', 'checks>suite', 'runner>checks']))).toEqual([]);
    expect(cycles(graph(['suite>checks', 'checks>traffic', 'traffic>suite', 'runner>checks']))).toEqual([['checks', 'traffic', 'suite', 'checks']]);
  });
});

describe('src/index.ts (package.json exports["."])', () => {
  it('exports the public API', async () => {
    const api = await import('../../src/index.ts');
    for (const name of ['createSandbox', 'loadSuite', 'loadProfile', 'CHECKLIST', 'evaluateFlow', 'evaluateRun', 'mergeResults']) expect(api, name).toHaveProperty(name);
  });
});
