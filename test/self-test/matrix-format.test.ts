// The detection matrix's bookkeeping, without running anything: how a run's verdicts are compared
// with a row's expectation, and how the table marks what was and was not expected.
import { describe, expect, it } from 'vitest';
import { FAULT_SWITCHES } from '../../examples/reference-merchant/src/config.ts';
import { CHECKLIST_ITEM_IDS } from '../../src/checks/index.ts';
import { FAULT_NAMES as SDK_SHOP_FAULTS } from '../../examples/sdk-shop/src/faults.ts';
import { FAULT_NAMES as ECOM_SHOP_FAULTS } from '../../examples/ecom-shop/src/config.ts';
import { FAULT_NAMES as REFERENCE_PSP_FAULTS } from '../../examples/reference-psp/src/config.ts';
import { FAULT_NAMES as PSP_API_FAULTS } from '../../examples/reference-psp/src/psp-api/config.ts';
import { compareDetections, PLATFORM_BASELINE, PLATFORM_EXPECTED_DETECTIONS, PLATFORM_FAULTS, PLATFORM_ROWS, ECOM_SHOP_EXPECTED_DETECTIONS, ECOM_SHOP_ROWS, PSP_API_EXPECTED_DETECTIONS, PSP_API_V2_ROWS, PSP_API_V3_ROWS, REFERENCE_PSP_EXPECTED_DETECTIONS, REFERENCE_PSP_ROWS, EXPECTED_DETECTIONS, expectedFor, MATRIX_ROWS, SDK_SHOP_EXPECTED_DETECTIONS, SDK_SHOP_ROWS, SHOPS } from './expected-detections.ts';
import { formatMatrix, matrixRows, rowLabel, verdictLine, type MatrixRow } from './matrix.ts';

describe('expected detections', () => {
  it('has a row for the baseline and every fault switch, naming only catalogue items, each with a reason', () => {
    expect(MATRIX_ROWS).toEqual(['baseline', ...FAULT_SWITCHES]);
    for (const sw of FAULT_SWITCHES) {
      const e = EXPECTED_DETECTIONS[sw];
      expect(e.fail.length + (e.warn?.length ?? 0), sw).toBeGreaterThan(0);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(CHECKLIST_ITEM_IDS, `${sw}: ${id}`).toContain(id);
      expect(new Set([...e.fail, ...(e.warn ?? [])]).size, `${sw}: an item is listed twice`).toBe(e.fail.length + (e.warn?.length ?? 0));
      expect(e.why.length, sw).toBeGreaterThan(10);
    }
    expect(expectedFor('baseline')).toMatchObject({ fail: [], warn: [] });
  });

  it('has a row for the SDK shop\'s clean run and each of its switches (examples/sdk-shop), each with its items and a reason', () => {
    expect(SDK_SHOP_ROWS).toEqual(['baseline', ...SDK_SHOP_FAULTS]);
    for (const sw of SDK_SHOP_FAULTS) {
      const e = SDK_SHOP_EXPECTED_DETECTIONS[sw];
      expect(e.fail.length + (e.warn?.length ?? 0), sw).toBeGreaterThan(0);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(CHECKLIST_ITEM_IDS, `${sw}: ${id}`).toContain(id);
      expect(e.why.length, sw).toBeGreaterThan(10);
      expect(expectedFor(sw, 'sdk-shop')).toBe(e);
    }
    expect(expectedFor('baseline', 'sdk-shop')).toMatchObject({ fail: [], warn: [] });
    // A row name shared by both shops means each shop's own expectation.
    expect(expectedFor('poll-too-fast', 'sdk-shop')).toBe(SDK_SHOP_EXPECTED_DETECTIONS['poll-too-fast']);
    expect(expectedFor('poll-too-fast')).toBe(EXPECTED_DETECTIONS['poll-too-fast']);
    expect(() => expectedFor('token-per-call', 'reference-merchant')).toThrow(/reference-merchant has no matrix row token-per-call/);
    expect(SHOPS['sdk-shop']).toMatchObject({ profile: 'config/sdk-shop.profile.yaml', faultsVariable: 'SDK_SHOP_FAULTS' });
    expect(SHOPS['reference-merchant']).toMatchObject({ profile: 'config/reference-merchant.profile.yaml', faultsVariable: 'REFERENCE_MERCHANT_FAULTS' });
  });

  it('has a row for the eCom shop\'s clean run and each of its switches (examples/ecom-shop), judged on EC- items only', () => {
    expect(ECOM_SHOP_ROWS).toEqual(['baseline', ...ECOM_SHOP_FAULTS]);
    for (const sw of ECOM_SHOP_FAULTS) {
      const e = ECOM_SHOP_EXPECTED_DETECTIONS[sw];
      expect(e.fail.length + (e.warn?.length ?? 0), sw).toBeGreaterThan(0);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(id, sw).toMatch(/^EC-/);
      expect(expectedFor(sw, 'ecom-shop')).toBe(e);
    }
    expect(SHOPS['ecom-shop']).toMatchObject({ profile: 'config/ecom-shop.profile.yaml', faultsVariable: 'ECOM_SHOP_FAULTS' });
  });

  it('has a row for the reference PSP\'s clean run and each of its switches (examples/reference-psp), judged on PSP- items only', () => {
    expect(REFERENCE_PSP_ROWS).toEqual(['baseline', ...REFERENCE_PSP_FAULTS]);
    for (const sw of REFERENCE_PSP_FAULTS) {
      const e = REFERENCE_PSP_EXPECTED_DETECTIONS[sw];
      expect(e.fail.length + (e.warn?.length ?? 0), sw).toBeGreaterThan(0);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(id, sw).toMatch(/^PSP-/);
      expect(expectedFor(sw, 'reference-psp')).toBe(e);
    }
    expect(SHOPS['reference-psp']).toMatchObject({ profile: 'config/reference-psp.profile.yaml', faultsVariable: 'REFERENCE_PSP_FAULTS' });
  });

  it('has rows for the PSP API mode (v2 every switch, v3 all but the v2-only one), judged on PSPAPI- items only', () => {
    expect(PSP_API_V2_ROWS).toEqual(['baseline', ...PSP_API_FAULTS]);
    expect(PSP_API_V3_ROWS).toEqual(['baseline', ...PSP_API_FAULTS.filter((f) => f !== 'ok-without-decrypt')]);
    for (const sw of PSP_API_FAULTS) {
      const e = PSP_API_EXPECTED_DETECTIONS[sw];
      expect(e.fail.length + (e.warn?.length ?? 0), sw).toBeGreaterThan(0);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(id, sw).toMatch(/^PSPAPI-/);
      expect(expectedFor(sw, 'reference-psp-v2')).toBe(e);
    }
  });

  it('has a row for the reference platform\'s clean run and each platform switch, each failing a PARTNER- item', () => {
    expect(PLATFORM_ROWS).toEqual(['baseline', ...PLATFORM_FAULTS]);
    expect(expectedFor('baseline', 'reference-platform')).toBe(PLATFORM_BASELINE);
    for (const sw of PLATFORM_FAULTS) {
      const e = PLATFORM_EXPECTED_DETECTIONS[sw];
      expect(e.fail.some((id) => id.startsWith('PARTNER-')), sw).toBe(true);
      for (const id of [...e.fail, ...(e.warn ?? [])]) expect(CHECKLIST_ITEM_IDS, sw).toContain(id);
      expect(expectedFor(sw, 'reference-platform')).toBe(e);
    }
    expect(SHOPS['reference-platform']).toMatchObject({ profile: 'config/reference-platform.profile.yaml', faultsVariable: 'REFERENCE_MERCHANT_FAULTS' });
  });

  it('selects rows by shop, and by name or label', () => {
    expect(matrixRows().map(rowLabel)).toEqual([...MATRIX_ROWS]);
    expect(matrixRows('sdk-shop').map(rowLabel)).toEqual(SDK_SHOP_ROWS.map((n) => `sdk-shop/${n}`));
    expect(matrixRows('all')).toHaveLength(MATRIX_ROWS.length + SDK_SHOP_ROWS.length + ECOM_SHOP_ROWS.length + REFERENCE_PSP_ROWS.length + PSP_API_V2_ROWS.length + PSP_API_V3_ROWS.length + PLATFORM_ROWS.length);
    expect(matrixRows('all', ['baseline']).map(rowLabel)).toEqual(['baseline', 'sdk-shop/baseline', 'ecom-shop/baseline', 'reference-psp/baseline', 'reference-psp-v2/baseline', 'reference-psp-v3/baseline', 'reference-platform/baseline']);
    expect(matrixRows('all', ['sdk-shop/poll-too-fast']).map(rowLabel)).toEqual(['sdk-shop/poll-too-fast']);
    expect(matrixRows('sdk-shop', ['token-per-call', 'webhooks-only'])).toEqual([{ shop: 'sdk-shop', name: 'token-per-call' }]);
  });

  it('compares FAILED and WARNING sets exactly: extra, missing, and a warning where a failure was expected', () => {
    const expected = { fail: ['EP-HEADERS'], warn: ['EP-POLLING'], why: 'test' };
    expect(compareDetections(expected, { 'EP-HEADERS': 'FAILED', 'EP-POLLING': 'WARNING', 'EP-REFERENCE': 'PASSED', 'EP-DESIGN': 'REVIEW' })).toEqual({ extra: [], missing: [], ok: true });
    expect(compareDetections(expected, { 'EP-HEADERS': 'WARNING', 'EP-POLLING': 'WARNING', 'EP-REFERENCE': 'FAILED' })).toEqual({
      extra: ['EP-HEADERS (warn)', 'EP-REFERENCE'],
      missing: ['EP-HEADERS'],
      ok: false,
    });
  });
});

describe('formatMatrix', () => {
  const row = (name: MatrixRow['name'], verdicts: Record<string, string>, extra: Partial<MatrixRow> = {}): MatrixRow => {
    const expected = expectedFor(name, extra.shop ?? 'reference-merchant');
    const comparison = compareDetections(expected, verdicts);
    return { name, expected, verdicts: verdicts as MatrixRow['verdicts'], comparison, stepFailed: [], exitCode: 0, durationMs: 1000, ok: comparison.ok, ...extra };
  };

  it('marks expected detections, unexpected ones (!) and misses, with a verdict line per row', () => {
    const rows = [
      row('baseline', { 'EP-HEADERS': 'PASSED' }),
      row('no-system-headers', { 'EP-HEADERS': 'FAILED' }),
      row('weak-references', { 'EP-REFERENCE': 'PASSED', 'EP-TOKEN-CACHE': 'WARNING' }),
    ];
    expect(verdictLine(rows[1])).toBe('as expected');
    expect(verdictLine(rows[2])).toBe('unexpected: +EP-TOKEN-CACHE (warn) −EP-REFERENCE');
    const text = formatMatrix({ rows, wallMs: 125_000, concurrency: 3, workers: '2', outDir: '/tmp/x' });
    const table = text.split('\n');
    const header = table.find((l) => /^\s+1\s+2\s+3$/.test(l));
    expect(header).toBeDefined();
    // Columns in catalogue order: EP-HEADERS, EP-TOKEN-CACHE, EP-REFERENCE.
    for (const [n, id] of [[1, 'EP-HEADERS'], [2, 'EP-TOKEN-CACHE'], [3, 'EP-REFERENCE']]) expect(text).toMatch(new RegExp(`\\b${n} ${id}\\b`));
    expect(table.find((l) => l.startsWith('baseline '))).toMatch(/^baseline\s+·\s+·\s+·$/);
    expect(table.find((l) => l.startsWith('no-system-headers '))).toMatch(/^no-system-headers\s+FAIL\s+·\s+·$/);
    expect(table.find((l) => l.startsWith('weak-references '))).toMatch(/^weak-references\s+·\s+WARN!\s+miss$/);
    expect(text).toContain('weak-references    unexpected: +EP-TOKEN-CACHE (warn) −EP-REFERENCE');
    expect(text).toMatch(/1 row NOT as expected\. Wall time 2 min 5 s for 3 runs/);
  });

  it('labels the SDK shop\'s rows with their shop, in one table with the reference merchant\'s', () => {
    const rows = [row('baseline', {}), row('poll-after-final', { 'EP-POLLING': 'WARNING' }, { shop: 'sdk-shop' }), row('baseline', { 'EP-POLLING': 'WARNING' }, { shop: 'sdk-shop', exitCode: 0 })];
    const text = formatMatrix({ rows, wallMs: 60_000, concurrency: 1, workers: '2', outDir: '/tmp/x' });
    expect(text).toMatch(/against the reference merchant and the SDK shop/);
    expect(text.split('\n').find((l) => l.startsWith('sdk-shop/poll-after-final '))).toMatch(/WARN$/);
    expect(text.split('\n').find((l) => l.startsWith('sdk-shop/baseline '))).toMatch(/WARN!$/);
    expect(text).toMatch(/sdk-shop\/baseline\s+unexpected: \+EP-POLLING \(warn\)/);
  });

  it('says when a run gave no summary, or the baseline could not complete a flow', () => {
    const broken = row('baseline', {}, { verdicts: undefined, error: 'the run produced no summary (exit 2)', ok: false, comparison: { extra: [], missing: [], ok: false } });
    expect(verdictLine(broken)).toBe('unexpected: the run produced no summary (exit 2)');
    const stuck = row('baseline', {}, { error: 'the healthy merchant could not complete support-view', ok: false, stepFailed: [{ id: 'support-view' }] });
    expect(verdictLine(stuck)).toBe('unexpected: the healthy merchant could not complete support-view');
  });
});
