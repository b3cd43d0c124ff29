import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePaths } from '../../src/cli/validate.ts';
import { formatDiagnostic } from '../../src/suite/diagnostics.ts';
import { parseSuite } from '../../src/suite/loader.ts';

/** A "billion laughs": each level repeats the one before nine times (9^6 nodes expanded). */
const BOMB = `suite: bomb
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`;

describe('YAML limits', () => {
  it('reports an alias bomb as file:line:col: too many aliases, without expanding it', () => {
    const res = parseSuite(BOMB, 'bomb.suite.yaml');
    expect(res.value).toBeUndefined();
    expect(res.diagnostics.map(formatDiagnostic)).toEqual(['bomb.suite.yaml:3:8: too many aliases (their expansion exceeds 1000 nodes)']);
  });

  it('refuses a file over 1 MiB with a clear message', () => {
    const big = `suite: big\ntitle: ${'x'.repeat(1024 * 1024)}\n`;
    expect(parseSuite(big, 'big.suite.yaml').diagnostics.map(formatDiagnostic)).toEqual([`big.suite.yaml:1:1: file is ${big.length} bytes; at most 1048576 bytes (1 MiB) are read`]);
  });

  it('still validates the other files of the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-bomb-'));
    writeFileSync(join(dir, 'bomb.suite.yaml'), BOMB);
    writeFileSync(join(dir, 'ok.suite.yaml'), readFileSync(resolve(import.meta.dirname, '../../suites/epayment/checklist.yaml'), 'utf8'));
    const report = await validatePaths([dir]);
    const byFile = new Map(report.files.map((f) => [f.file.split('/').pop(), f]));
    expect(byFile.get('bomb.suite.yaml')?.diagnostics.map((d) => d.message)).toEqual(['too many aliases (their expansion exceeds 1000 nodes)']);
    expect(byFile.get('ok.suite.yaml')?.suite?.suite).toBe('epayment-checklist');
  });
});
