import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProfileYaml } from '../helpers/profiles.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * An integration's answers reach golive's terminal inside failure reasons. Control characters in
 * them must be shown escaped: a test server here clears the screen and paints a fake verdict.
 */
describe('golive run with an integration that answers with terminal escapes', () => {
  const FAKE = '\u001b[2J\u001b[H\u001b[32mPASS ALL CHECKLIST ITEMS\u001b[0m\u0007\r';
  const server = createServer((req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${FAKE} ${'x'.repeat(5000)}`);
  });
  const dir = mkdtempSync(join(tmpdir(), 'golive-hostile-'));
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'hostile.suite.yaml'),
      `suite: hostile
title: Hostile answers
api: epayment-v1
flows:
  - id: hostile-checkout
    title: Checkout answered with escapes
    checklist: [EP-ENDPOINT-CREATE]
    steps:
      - merchant.checkout: {}
`,
    );
    writeFileSync(join(dir, 'hostile.profile.yaml'), httpProfileYaml({ id: 'hostile', baseUrl: `http://127.0.0.1:${port}` }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('shows the escapes as text, cuts long reasons, and still exits 1 with a summary', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        process.execPath,
        ['bin/golive.mjs', 'run', '--profile', join(dir, 'hostile.profile.yaml'), '--suite', join(dir, 'hostile.suite.yaml'), '--out', join(dir, 'reports')],
        { cwd: root, timeout: 120_000, maxBuffer: 16 * 2 ** 20 },
        (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code, r.stderr).toBe(1);
    const terminal = r.stdout + r.stderr;
    expect(terminal).toMatch(/Checklist verdicts/);
    // Not one raw control byte from the answer (and no colours: this is not a TTY).
    expect(terminal).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(terminal).toContain('\\e[2J\\e[H\\e[32mPASS ALL CHECKLIST ITEMS');
    // The 5,000-character answer is cut on the terminal; no line is longer than a screen or two.
    expect(Math.max(...terminal.split('\n').map((l) => l.length))).toBeLessThan(600);
  }, 150_000);
});
