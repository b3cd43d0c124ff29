import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/suite/duration.ts';
import { evalJsonPath, isJsonPath, parseJsonPath } from '../../src/suite/jsonpath.ts';
import { interpolate, InterpolationError, missingEnvironment, templateExpressions, TemplateSyntaxError } from '../../src/suite/template.ts';

const scope = {
  reference: 'shop-1001-1',
  amount: 49900,
  baseUrl: 'http://localhost:3000',
  vars: { amount: 49900, flag: true, nothing: null, list: [1, 2], nested: { a: { b: 'deep' } } },
  env: { SHOP_TOKEN: 'tok' },
  sandbox: { url: 'http://127.0.0.1:8089' },
  order: { reference: 'shop-1000-1', redirectUrl: 'http://127.0.0.1:8089/landing?x=1' },
};

describe('interpolate', () => {
  it('a string that is exactly one {{x}} keeps the value\'s type', () => {
    expect(interpolate('{{vars.amount}}', scope)).toBe(49900);
    expect(interpolate('{{ vars.flag }}', scope)).toBe(true);
    expect(interpolate('{{vars.nothing}}', scope)).toBeNull();
    expect(interpolate('{{vars.list}}', scope)).toEqual([1, 2]);
    expect(interpolate('{{vars.nested}}', scope)).toEqual({ a: { b: 'deep' } });
  });

  it('inside text, values are stringified', () => {
    expect(interpolate('{{baseUrl}}/orders/{{reference}}', scope)).toBe('http://localhost:3000/orders/shop-1001-1');
    expect(interpolate('{{vars.amount}} øre', scope)).toBe('49900 øre');
    expect(interpolate('[{{vars.nothing}}] {{vars.list}} {{vars.nested.a.b}}', scope)).toBe('[] [1,2] deep');
    expect(interpolate('{{order.reference}} via {{sandbox.url}} with {{env.SHOP_TOKEN}}', scope)).toBe('shop-1000-1 via http://127.0.0.1:8089 with tok');
  });

  it('walks arrays and objects and leaves other values alone', () => {
    expect(interpolate({ url: '{{baseUrl}}/c', body: { amount: '{{amount}}', n: 3, ok: false, list: ['{{reference}}', null] } }, scope)).toEqual({
      url: 'http://localhost:3000/c',
      body: { amount: 49900, n: 3, ok: false, list: ['shop-1001-1', null] },
    });
    expect(interpolate('no templates here', scope)).toBe('no templates here');
    expect(interpolate(42, scope)).toBe(42);
  });

  it('unknown variables are errors naming all of them, with the known ones', () => {
    let err: unknown;
    try {
      interpolate({ a: '{{vars.missing}}', b: 'x {{order.colour}} y', c: ['{{nope}}', '{{vars.missing}}'] }, scope);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InterpolationError);
    expect((err as InterpolationError).unknown).toEqual(['vars.missing', 'order.colour', 'nope']);
    expect((err as Error).message).toMatch(/^unknown variables \{\{vars\.missing\}\}, \{\{order\.colour\}\}, \{\{nope\}\} \(known: reference, amount, baseUrl, vars\.amount, /);
    expect((err as Error).message).toContain('env.*');
  });

  it('unset environment variables are named as such', () => {
    expect(() => interpolate('{{env.NOT_SET_ANYWHERE}}', scope)).toThrow('environment variable NOT_SET_ANYWHERE not set');
  });

  it('a property of a scalar or a prototype key is not a variable', () => {
    expect(() => interpolate('{{reference.length}}', scope)).toThrow(InterpolationError);
    expect(() => interpolate('{{vars.toString}}', scope)).toThrow(InterpolationError);
  });

  it('template syntax errors', () => {
    expect(templateExpressions('{{a}} and {{ b.c }}')).toEqual(['a', 'b.c']);
    expect(() => templateExpressions('{{a')).toThrow(TemplateSyntaxError);
    expect(() => templateExpressions('{{}}')).toThrow('empty {{}}');
    expect(() => templateExpressions('{{a..b}}')).toThrow('invalid variable name "a..b"');
    expect(() => templateExpressions('a}}')).toThrow('}} without {{');
    expect(() => interpolate('{{reference', scope)).toThrow(TemplateSyntaxError);
  });
});

describe('parseDuration', () => {
  it('accepts ms, s, m, h, combinations, decimals and numbers', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(' 10 s ')).toBe(10_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it('rejects everything else, naming the value', () => {
    for (const bad of ['fast', '15', '15sec', '-1s', '', 's', '1d']) expect(() => parseDuration(bad), bad).toThrow(`not a duration: ${JSON.stringify(bad)}`);
    expect(() => parseDuration(-5)).toThrow('not a duration: -5');
    expect(() => parseDuration(Number.NaN)).toThrow(RangeError);
  });

  it('formatDuration is the inverse for readable values', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(7_200_000)).toBe('2h');
    for (const d of ['250ms', '1.5s', '2m', '2h', '45s']) expect(formatDuration(parseDuration(d))).toBe(d);
  });
});

describe('JSON path subset', () => {
  const doc = { reference: 'r1', data: { items: [{ id: 'a' }, { id: 'b' }] }, headers: { 'idempotency-key': 'k' } };
  it('evaluates $.a.b[0].c and bracketed names', () => {
    expect(evalJsonPath(doc, '$.reference')).toBe('r1');
    expect(evalJsonPath(doc, '$.data.items[1].id')).toBe('b');
    expect(evalJsonPath(doc, "$.headers['idempotency-key']")).toBe('k');
    expect(evalJsonPath(doc, '$')).toBe(doc);
    expect(evalJsonPath(doc, '$.data.items[5].id')).toBeUndefined();
    expect(evalJsonPath(doc, '$.reference.x')).toBeUndefined();
    expect(evalJsonPath(doc, '$.data[0]')).toBeUndefined();
  });
  it('rejects paths outside the subset', () => {
    expect(parseJsonPath('$.a["b c"][2]')).toEqual(['a', 'b c', 2]);
    for (const bad of ['reference', '$..a', '$.a[*]', '$.a[-1]', 'a.b']) expect(isJsonPath(bad), bad).toBe(false);
    expect(() => evalJsonPath(doc, '$..a')).toThrow('not a supported JSON path');
  });
});

describe('flowScope', () => {
  it('builds the start-of-flow scope: vars (flow wins) resolved against env, sandbox, baseUrl, msn, flow and suite', async () => {
    const { flowScope } = await import('../../src/suite/scope.ts');
    const scope = flowScope({
      suite: { suite: 'epayment-checklist', title: 'T', vars: { amount: 100, tag: '{{suite.id}}/{{flow.id}}', shop: '{{baseUrl}}' } },
      flow: { id: 'order-captured', title: 'F', vars: { amount: 250, hook: '{{sandbox.url}}/hook?msn={{msn}}' } },
      profile: { baseUrl: '{{env.SHOP_URL}}', merchant: { msn: '123456' } },
      sandboxUrl: 'http://127.0.0.1:8089',
      env: { SHOP_URL: 'http://shop.test', UNSET: undefined },
    });
    expect(scope).toEqual({
      env: { SHOP_URL: 'http://shop.test' },
      sandbox: { url: 'http://127.0.0.1:8089' },
      flow: { id: 'order-captured', title: 'F' },
      suite: { id: 'epayment-checklist', title: 'T' },
      baseUrl: 'http://shop.test',
      msn: '123456',
      phoneNumber: '4712345678', // the sandbox test customer, as the profile names none
      qrTarget: '', // no QR scanned yet
      qrId: '',
      // A single merchant is its own installation (a profile without an id: `merchant`).
      installation: { id: 'merchant', msn: '123456', title: 'merchant' },
      vars: { amount: 250, tag: 'epayment-checklist/order-captured', shop: 'http://shop.test', hook: 'http://127.0.0.1:8089/hook?msn=123456' },
    });
  });

  it('without a profile, {{baseUrl}} in vars is an unknown variable', async () => {
    const { flowScope } = await import('../../src/suite/scope.ts');
    expect(() => flowScope({ suite: { suite: 's', title: 'T', vars: { u: '{{baseUrl}}' } }, flow: { id: 'f', title: 'F', vars: {} }, env: {} })).toThrow(InterpolationError);
  });
});

describe('{{env.NAME:-default}} and missing variables', () => {
  it('takes the default when the variable is unset or empty, the value otherwise', () => {
    expect(interpolate('http://127.0.0.1:{{env.PORT:-4100}}/x', { env: {} })).toBe('http://127.0.0.1:4100/x');
    expect(interpolate('{{env.PORT:-4100}}', { env: { PORT: '' } })).toBe('4100');
    expect(interpolate('{{ env.PORT :-4100}}', { env: { PORT: '5000' } })).toBe('5000');
    expect(interpolate('{{env.EMPTY_OK:-}}', { env: {} })).toBe('');
    expect(() => interpolate('{{env.PORT}}', { env: {} })).toThrow(/environment variable PORT not set/);
  });
  it('allows a default for environment variables only', () => {
    expect(templateExpressions('{{env.A:-x}}')).toEqual(['env.A']);
    expect(() => templateExpressions('{{baseUrl:-x}}')).toThrow(/a default \(:-\) is for environment variables only/);
  });
  it('lists every {{env.NAME}} without a default that the environment lacks, with where it is', () => {
    const doc = { baseUrl: 'http://{{env.HOST}}:{{env.PORT:-80}}', start: { env: { A: '{{env.HOST}}', B: '{{env.SET}}' } } };
    expect(missingEnvironment(doc, { SET: '1' })).toEqual([{ name: 'HOST', paths: ['baseUrl', 'start.env.A'] }]);
    expect(missingEnvironment(doc, { SET: '1', HOST: 'h' })).toEqual([]);
  });
});
