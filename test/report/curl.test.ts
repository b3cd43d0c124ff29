import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlCommand, curlScript, shellWord, singleQuote, toCurl } from '../../src/report/curl.ts';
import type { Exchange } from '../../src/traffic/types.ts';

function exchange(over: Partial<Omit<Exchange, 'request'>> & { request?: Partial<Exchange['request']> }): Exchange {
  const { request, ...rest } = over;
  return {
    seq: 7,
    id: 'x',
    kind: 'api',
    api: 'epayment',
    startedAt: 0,
    durationMs: 1,
    ...rest,
    request: { method: 'GET', url: '/epayment/v1/payments/r1', path: '/epayment/v1/payments/r1', headers: {}, ...request },
  } as Exchange;
}

/** What a POSIX shell makes of the command: each argv word curl would receive, with the given variables. */
function argv(command: string, env: Record<string, string> = {}): string[] {
  const script = `set -- ${command.replace(/^curl /, '').replace(/\\\n/g, ' ')}\nfor a in "$@"; do printf '%s\\0' "$a"; done`;
  const out = execFileSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('toCurl', () => {
  const create = exchange({
    kind: 'api',
    operation: 'createPayment',
    request: {
      method: 'POST',
      url: '/epayment/v1/payments',
      path: '/epayment/v1/payments',
      headers: {
        host: '127.0.0.1:8089',
        'content-length': '321',
        authorization: 'Bearer [REDACTED:1a2b3c4d]',
        'ocp-apim-subscription-key': '[REDACTED:0badf00d]',
        'merchant-serial-number': '123456',
        'idempotency-key': 'k-1',
        'content-type': 'application/json',
      },
      body: { amount: { currency: 'NOK', value: 49900 }, reference: "it's-a \"quoted\" $HOME `x` !bang", paymentDescription: 'Line 1\nLine 2' },
    },
  });

  it('puts secrets in well-known variables and never a redaction marker', () => {
    const { command, variables } = curlCommand(create);
    expect(command).toContain('"authorization: Bearer ${VIPPS_ACCESS_TOKEN}"');
    expect(command).toContain('"ocp-apim-subscription-key: ${VIPPS_SUBSCRIPTION_KEY}"');
    expect(command).not.toContain('[REDACTED');
    expect(variables).toEqual(['VIPPS_ACCESS_TOKEN', 'VIPPS_SUBSCRIPTION_KEY']);
    // Hop-by-hop and computed headers are left to curl.
    expect(command).not.toMatch(/content-length|host:/i);
    expect(command.startsWith("curl -i -X POST 'http://127.0.0.1:8089/epayment/v1/payments'")).toBe(true);
  });

  it('quotes a body with quotes, $, backticks, ! and newlines so the shell passes it through unchanged', () => {
    const words = argv(toCurl(create), { VIPPS_ACCESS_TOKEN: 'tok-123', VIPPS_SUBSCRIPTION_KEY: 'sub-456' });
    const data = words[words.indexOf('--data-raw') + 1];
    expect(JSON.parse(data)).toEqual(create.request.body);
    expect(words).toContain('authorization: Bearer tok-123');
    expect(words).toContain('ocp-apim-subscription-key: sub-456');
    expect(words).toContain('merchant-serial-number: 123456');
  });

  it('expands a redacted value inside the JSON body into its variable, named by its key', () => {
    const token = exchange({
      kind: 'api',
      api: 'access-token',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:8089/accesstoken/get',
        path: '/accesstoken/get',
        headers: { client_id: '[REDACTED:11111111]', client_secret: '[REDACTED:22222222]' },
        body: { grant: 'x', client_secret: '[REDACTED:22222222]', other: "o'k [REDACTED:33333333]" },
      },
    });
    const { command, variables } = curlCommand(token);
    expect(variables).toEqual(['VIPPS_CLIENT_ID', 'VIPPS_CLIENT_SECRET', 'REDACTED_33333333']);
    const words = argv(command, { VIPPS_CLIENT_ID: 'id-1', VIPPS_CLIENT_SECRET: 's3cr3t', REDACTED_33333333: 'zz' });
    expect(words).toContain('client_id: id-1');
    expect(words).toContain('client_secret: s3cr3t');
    expect(JSON.parse(words[words.indexOf('--data-raw') + 1])).toEqual({ grant: 'x', client_secret: 's3cr3t', other: "o'k zz" });
  });

  it('names webhook signatures by scheme and lets the caller rename variables', () => {
    const hook = exchange({
      kind: 'webhook',
      api: 'webhooks',
      request: { method: 'POST', url: 'http://127.0.0.1:9/hooks', path: '/hooks', headers: { authorization: 'HMAC-SHA256 [REDACTED:44444444]', 'x-ms-date': 'Sat, 21 Nov 2026 06:06:38 GMT' }, body: { name: 'CREATED' } },
    });
    expect(toCurl(hook)).toContain('${VIPPS_WEBHOOK_SIGNATURE}');
    expect(toCurl(hook, { secretVars: { authorization: 'SIG' } })).toContain('"authorization: HMAC-SHA256 ${SIG}"');
    expect(toCurl(hook, { secretVars: { '[REDACTED:44444444]': 'MY_SIG' } })).toContain('${MY_SIG}');
    expect(curlScript(hook)).toMatch(/re-sign before replaying/);
  });

  it('writes GETs without -X and uses a base URL for path-only exchanges', () => {
    const get = exchange({ request: { headers: {} } });
    expect(toCurl(get, { baseUrl: 'http://sandbox.test:1234' })).toBe("curl -i 'http://sandbox.test:1234/epayment/v1/payments/r1'");
  });
});

describe('shell quoting', () => {
  it('escapes single quotes the POSIX way', () => {
    expect(singleQuote("it's")).toBe(`'it'\\''s'`);
    expect(argv(`x ${singleQuote("a'b\"c$d`e\\f")}`)).toEqual(['x', "a'b\"c$d`e\\f"]);
  });

  it('falls back to mixed quoting when a word with a variable has unsafe literals', () => {
    const word = shellWord([{ lit: 'say "' }, { var: 'V' }, { lit: '" $now' }]);
    expect(word).toBe(`'say "'"\${V}"'" $now'`);
    expect(argv(`x ${word}`, { V: 'hi' })).toEqual(['x', 'say "hi" $now']);
  });
});
