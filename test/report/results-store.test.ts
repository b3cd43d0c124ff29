import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ATTACHMENT_MAP, compactResults, missingAttachments, readResults, withFullResults } from '../../src/report/results-store.ts';

/** A results folder and the report Allure rendered from it (same bytes, other names). */
function fixture() {
  const run = mkdtempSync(join(tmpdir(), 'golive-store-'));
  const results = join(run, 'allure-results');
  const attachments = join(run, 'allure-report', 'data', 'attachments');
  mkdirSync(results, { recursive: true });
  mkdirSync(attachments, { recursive: true });
  writeFileSync(join(results, 'a-result.json'), '{"name":"flow"}');
  writeFileSync(join(results, 'v1-attachment.webm'), 'video bytes');
  writeFileSync(join(results, 's1-attachment.png'), 'png bytes');
  writeFileSync(join(results, 'only-here-attachment.txt'), 'not rendered');
  writeFileSync(join(attachments, 'aa.webm'), 'video bytes');
  writeFileSync(join(attachments, 'bb.png'), 'png bytes');
  return { run, results, attachments };
}

describe('the Allure results of a rendered run, stored without duplicates', () => {
  it('removes the results copy of every rendered attachment, records where it is, and gzips the result JSONs', () => {
    const { results } = fixture();
    expect(compactResults(results, join(results, '..', 'allure-report'))).toBeGreaterThanOrEqual('video bytes'.length + 'png bytes'.length - 30);
    expect(readdirSync(results).sort()).toEqual(['a-result.json.gz', ATTACHMENT_MAP, 'only-here-attachment.txt']);
    expect(readResults(results)).toEqual([{ name: 'flow' }]);
    expect(JSON.parse(gunzipSync(readFileSync(join(results, ATTACHMENT_MAP))).toString('utf8'))).toEqual({
      'v1-attachment.webm': '../allure-report/data/attachments/aa.webm',
      's1-attachment.png': '../allure-report/data/attachments/bb.png',
    });
    expect(missingAttachments(results)).toEqual([]);
  });

  it('stages the results with their attachments in a temporary folder, leaving the run folder as it is', () => {
    const { results } = fixture();
    compactResults(results, join(results, '..', 'allure-report'));
    const before = readdirSync(results).sort();
    const staged = withFullResults(results);
    expect(staged.dir).not.toBe(results);
    expect(readdirSync(staged.dir).sort()).toEqual(['a-result.json', 'only-here-attachment.txt', 's1-attachment.png', 'v1-attachment.webm']);
    expect(readFileSync(join(staged.dir, 'v1-attachment.webm'), 'utf8')).toBe('video bytes');
    expect(readdirSync(results).sort()).toEqual(before);
    staged.done();
    expect(existsSync(staged.dir)).toBe(false);
  });

  it('restores them in place when the report they live in is about to be replaced', () => {
    const { results } = fixture();
    compactResults(results, join(results, '..', 'allure-report'));
    expect(withFullResults(results, { inPlace: true }).dir).toBe(results);
    expect(readdirSync(results).sort()).toEqual(['a-result.json', 'only-here-attachment.txt', 's1-attachment.png', 'v1-attachment.webm']);
  });

  it('names the attachments whose only copy is gone', () => {
    const { results, attachments } = fixture();
    compactResults(results, join(results, '..', 'allure-report'));
    writeFileSync(join(attachments, 'aa.webm'), 'video bytes');
    expect(missingAttachments(results)).toEqual([]);
    rmSync(join(attachments, 'aa.webm'));
    expect(missingAttachments(results)).toEqual(['v1-attachment.webm']);
  });

  it('leaves a folder without a map alone', () => {
    const { results } = fixture();
    expect(withFullResults(results).dir).toBe(results);
  });
});
