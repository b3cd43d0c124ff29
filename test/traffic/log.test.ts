import { describe, expect, it } from 'vitest';
import { TrafficLog } from '../../src/traffic/log.ts';
import { HeaderPacker, Interner, unpackHeaders } from '../../src/traffic/compact.ts';
import { Redactor } from '../../src/traffic/redact.ts';
import type { Exchange, ExchangeInput } from '../../src/traffic/types.ts';

// The compact traffic log (issue #17): what a reader gets back equals what was appended.

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.bench-token-value.signature';

function createInput(n: number): ExchangeInput {
  return {
    kind: 'api',
    api: 'epayment',
    operation: 'createPayment',
    msn: '123456',
    reference: `order-${n}`,
    idempotencyKey: `key-${n}`,
    request: {
      method: 'POST',
      url: '/epayment/v1/payments?x=1',
      path: '/epayment/v1/payments',
      headers: { host: '127.0.0.1', authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': `key-${n}`, 'x-multi': ['a', 'b'] },
      body: { amount: { currency: 'NOK', value: 1000 + n }, reference: `order-${n}` },
    },
    response: { status: 201, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': 42 as unknown as string }, body: { reference: `order-${n}` } },
    startedAt: 1_780_000_000_000 + n,
    durationMs: 1.25,
    notes: { idempotency: 'new' },
  };
}

/** A JSON-roundtrip copy: what the exchange looks like to readers (getters resolved). */
const plain = (e: unknown) => JSON.parse(JSON.stringify(e));

describe('TrafficLog (compact)', () => {
  it('reads back what was appended, field for field, with seq and id', () => {
    const log = new TrafficLog();
    const input = createInput(1);
    const expected = plain(input);
    const returned = log.append(input);
    const [read] = log.all();
    expect(read).toEqual({ ...expected, seq: 1, id: returned.id });
    expect(returned.seq).toBe(1);
    expect(returned.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(log.get(1)).toEqual(read);
    expect(read.response!.headers['content-length']).toBe(42);
    expect(read.request.headers['x-multi']).toEqual(['a', 'b']);
  });

  it('keeps a producer-chosen id, and no keys that were not given', () => {
    const log = new TrafficLog();
    log.append({ kind: 'webhook', api: 'webhooks', id: 'my-id', request: { method: 'POST', url: 'https://x.test/hook', path: '/hook', headers: {} }, error: 'timeout', startedAt: 5, durationMs: 0 });
    const [e] = log.all();
    expect(e.id).toBe('my-id');
    expect(e.request.path).toBe('/hook');
    expect(e.response).toBeUndefined();
    expect(Object.keys(e)).toEqual(['kind', 'api', 'request', 'error', 'startedAt', 'durationMs', 'seq', 'id']);
    expect('body' in e.request).toBe(false);
  });

  it('decodes bodies handed over as text on read: JSON parsed, non-JSON and empty text stay text', () => {
    const log = new TrafficLog();
    const input = createInput(2);
    const body = input.request.body;
    delete input.response!.body;
    log.append(input, { request: { text: JSON.stringify(body), json: true }, response: { text: '{"reference":"order-2"}', json: true } });
    const text = createInput(3);
    log.append(text, { request: { text: 'not json at all', json: false }, response: { text: '{broken', json: true } });
    const empty = createInput(4);
    log.append(empty, { response: { text: '', json: true } });
    const [a, b, c] = log.all();
    expect(a.request.body).toEqual(body);
    expect(a.response!.body).toEqual({ reference: 'order-2' });
    expect(b.request.body).toBe('not json at all');
    expect(b.response!.body).toBe('{broken');
    expect(c.response!.body).toBe('');
    // Bodies are own enumerable properties to readers: spread, JSON and assignment work.
    expect({ ...a.request }.body).toEqual(body);
    expect(plain(a).response.body).toEqual({ reference: 'order-2' });
    a.response!.body = 'changed';
    expect(a.response!.body).toBe('changed');
    expect(log.all()[0].response!.body).toEqual({ reference: 'order-2' });
  });

  it('drops the oldest first at its cap, counting them, and seq stays monotonic', () => {
    const log = new TrafficLog({ capacity: 3 });
    for (let n = 1; n <= 5; n++) log.append(createInput(n));
    expect(log.length).toBe(3);
    expect(log.dropped).toBe(2);
    expect(log.lastSeq).toBe(5);
    expect(log.all().map((e) => [e.seq, e.reference])).toEqual([
      [3, 'order-3'],
      [4, 'order-4'],
      [5, 'order-5'],
    ]);
    expect(log.get(2)).toBeUndefined();
    expect(log.get(4)?.reference).toBe('order-4');
    log.clear();
    expect(log.all()).toEqual([]);
    log.append(createInput(6));
    expect(log.all().map((e) => e.seq)).toEqual([6]);
  });

  it('queries by every filter, afterSeq and limit included', () => {
    const log = new TrafficLog({ capacity: 10 });
    for (let n = 1; n <= 12; n++) {
      const e = createInput(n);
      if (n % 2) e.operation = 'getPayment';
      if (n === 12) e.flowId = 'flow-a';
      log.append(e);
    }
    const refs = (es: Exchange[]) => es.map((e) => e.reference);
    expect(refs(log.query({ operation: 'getPayment' }))).toEqual(['order-3', 'order-5', 'order-7', 'order-9', 'order-11']);
    expect(refs(log.query({ operation: ['getPayment'], afterSeq: 8, limit: 1 }))).toEqual(['order-9']);
    expect(refs(log.query({ afterSeq: 1 }))).toHaveLength(10);
    expect(refs(log.query({ afterSeq: 12 }))).toEqual([]);
    expect(refs(log.query({ reference: 'order-6', msn: '123456', kind: 'api', api: ['epayment'] }))).toEqual(['order-6']);
    expect(refs(log.query({ msn: 'other' }))).toEqual([]);
    expect(refs(log.query({ flowId: 'flow-a' }))).toEqual(['order-12']);
    expect(refs(log.query({ since: 1_780_000_000_011 }))).toEqual(['order-11', 'order-12']);
  });

  it('returns fresh objects: a reader changing one leaves the log alone; update() changes it', () => {
    const log = new TrafficLog({ annotate: (e) => (e.flowId = 'tagged') });
    log.append(createInput(1));
    const [first] = log.all();
    first.notes = { changed: true };
    first.request.headers.authorization = 'nope';
    expect(log.all()[0].notes).toEqual({ idempotency: 'new' });
    expect(log.all()[0].request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(log.all()[0].flowId).toBe('tagged');
    expect(log.update(1, { notes: { late: 1 }, flowId: 'flow-b' })).toBe(true);
    expect(log.query({ flowId: 'flow-b' })[0].notes).toEqual({ late: 1 });
    expect(log.update(2, { notes: {} })).toBe(false);
  });

  it('gives listeners the exchange as stored, and survives a faulty one', () => {
    const log = new TrafficLog();
    const seen: Exchange[] = [];
    log.subscribe(() => {
      throw new Error('faulty');
    });
    const off = log.subscribe((e) => seen.push(e));
    const input = createInput(1);
    delete input.response!.body;
    log.append(input, { response: { text: '{"ok":true}', json: true } });
    off();
    log.append(createInput(2));
    expect(seen.map((e) => [e.seq, e.response?.body])).toEqual([[1, { ok: true }]]);
  });

  it('redaction still applies on read', () => {
    const log = new TrafficLog();
    const redactor = new Redactor();
    redactor.addSecret(TOKEN);
    const input = createInput(1);
    input.request.url = `/epayment/v1/payments?token=${TOKEN}`;
    input.response!.headers = { 'content-type': 'application/json' };
    log.append(input, { request: { text: JSON.stringify({ secret: 'hush-hush-secret', ref: TOKEN }), json: true } });
    const out = JSON.stringify(log.all().map((e) => redactor.exchange(e)));
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('hush-hush-secret');
    expect(out).toContain('Bearer [REDACTED:');
  });
});

describe('header packing', () => {
  const fresh = (s: string) => Buffer.from(s).toString();

  it('interns repeated values and stops interning a header whose values keep changing', () => {
    const interner = new Interner(4);
    const a = fresh('Bearer x');
    expect(interner.value('authorization', a)).toBe(a);
    expect(interner.value('authorization', fresh('Bearer x'))).toBe(a);
    expect(interner.kept).toBe(true);
    for (let n = 1; n < 10; n++) interner.value('idempotency-key', `k${n}`);
    interner.value('idempotency-key', 'k1');
    expect(interner.kept).toBe(false);
  });

  it('shares one array for a repeated header set, and round-trips every set', () => {
    const packer = new HeaderPacker(new Interner(4));
    const get = () => ({ host: fresh('127.0.0.1:1'), authorization: fresh('Bearer x'), 'content-length': '12' });
    const a = packer.pack(get());
    expect(packer.pack(get())).toBe(a);
    expect(unpackHeaders(a)).toEqual(get());
    const withKey = (n: number) => ({ ...get(), 'idempotency-key': `k${n}`, 'set-cookie': ['a=1', 'b=2'] });
    for (let n = 1; n < 10; n++) expect(unpackHeaders(packer.pack(withKey(n)))).toEqual(withKey(n));
    expect(packer.pack(withKey(20))).not.toBe(packer.pack(withKey(20)));
    expect(unpackHeaders(packer.pack({}))).toEqual({});
    expect(packer.pack(undefined)).toBeUndefined();
    // Right after a shared set, a set that differs in one value, one header more or less, or order is its own.
    const base = get();
    const shared = packer.pack(base);
    for (const other of [{ ...base, host: 'other:2' }, { ...base, extra: 'x' }, { host: base.host, authorization: base.authorization }, { authorization: base.authorization, host: base.host, 'content-length': '12' }]) {
      expect(packer.pack(base)).toBe(shared);
      expect(unpackHeaders(packer.pack(other))).toEqual(other);
      expect(Object.keys(unpackHeaders(packer.pack(other)))).toEqual(Object.keys(other));
    }
    // What a reader gets is its own: changing it leaves the shared set alone.
    const mine = unpackHeaders(a);
    mine.host = 'changed';
    expect(unpackHeaders(a).host).toBe('127.0.0.1:1');
  });
});
