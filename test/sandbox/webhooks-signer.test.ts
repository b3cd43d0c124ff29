import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_PREFIX,
  computeContentHash,
  computeSignature,
  httpDate,
  sign,
  signDetailed,
  stringToSign,
  urlParts,
  verify,
} from '../../src/sandbox/webhooks/signer.ts';

/** vipps-facts.md §3.4: the published known-answer test. */
const PUBLISHED = {
  secret: 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==',
  url: 'https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
  body: '{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}',
  date: 'Thu, 30 Mar 2023 08:38:32 GMT',
  contentHash: 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
  stringToSign: 'POST\n/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63\nThu, 30 Mar 2023 08:38:32 GMT;webhook.site;lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
  signature: 'agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
  authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
};

/** vipps-facts.md §3.4: the second, self-computed vector (with a query string). */
const SECOND = {
  secret: '090a478d-37ff-4e77-970e-d457aeb26a3a',
  url: 'https://example.com/mystore_website_backend?x=1',
  date: 'Mon, 14 Aug 2023 12:48:46 GMT',
  body: '{"msn":"123456","reference":"acme-shop-123-order123abc","pspReference":"1234567891","name":"AUTHORIZED","amount":{"currency":"NOK","value":35000},"timestamp":"2023-08-14T12:48:46.260Z","idempotencyKey":"49ca711a9487112e1def","success":true}',
  contentHash: '6sli/RDaTvUtT1bm+0gUUJxjYC8UlM9P72CdwZ11Vp0=',
  signature: 'BiuXd+AU+cNd/q3jYKF5YvCn23v/d9+2funjAl+vM90=',
};

describe('webhook signer: known-answer tests', () => {
  it('reproduces the published vector exactly', () => {
    expect(computeContentHash(PUBLISHED.body)).toBe(PUBLISHED.contentHash);
    const { pathAndQuery, host } = urlParts(PUBLISHED.url);
    expect(pathAndQuery).toBe('/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63');
    expect(host).toBe('webhook.site');
    const toSign = stringToSign({ pathAndQuery, host, date: PUBLISHED.date, contentHash: PUBLISHED.contentHash });
    expect(toSign).toBe(PUBLISHED.stringToSign);
    expect(computeSignature(PUBLISHED.secret, toSign)).toBe('agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=');

    const headers = sign(PUBLISHED.secret, PUBLISHED.url, PUBLISHED.body, PUBLISHED.date);
    expect(headers).toEqual({
      'content-type': 'application/json',
      host: 'webhook.site',
      'x-ms-date': PUBLISHED.date,
      'x-ms-content-sha256': PUBLISHED.contentHash,
      authorization: PUBLISHED.authorization,
    });
  });

  it('does not base64-decode the secret (that gives the documented wrong value)', () => {
    // What a receiver that decodes the secret would compute.
    const decodedKeySig = createHmac('sha256', Buffer.from(PUBLISHED.secret, 'base64')).update(PUBLISHED.stringToSign).digest('base64');
    expect(decodedKeySig).toBe('T3+NXHMmhNVEjW5PeJ4Gql70nf0MOXCAY9CoZDxuVQw=');
    expect(computeSignature(PUBLISHED.secret, PUBLISHED.stringToSign)).not.toBe(decodedKeySig);
  });

  it('reproduces the second vector (query string kept in pathAndQuery)', () => {
    const d = signDetailed(SECOND.secret, SECOND.url, SECOND.body, SECOND.date);
    expect(d.contentHash).toBe(SECOND.contentHash);
    expect(d.stringToSign).toBe(`POST\n/mystore_website_backend?x=1\n${SECOND.date};example.com;${SECOND.contentHash}`);
    expect(d.signature).toBe(SECOND.signature);
    expect(d.headers.authorization).toBe(AUTHORIZATION_PREFIX + SECOND.signature);
  });

  it('hashes raw bytes: strings as UTF-8, buffers as given', () => {
    const text = '{"city":"Bærum ✓"}';
    expect(computeContentHash(Buffer.from(text, 'utf8'))).toBe(computeContentHash(text));
    expect(computeContentHash(Buffer.from(text, 'latin1'))).not.toBe(computeContentHash(text));
  });

  it('formats x-ms-date as an RFC 7231 date and includes a non-default port in host', () => {
    expect(httpDate(Date.UTC(2023, 2, 30, 8, 38, 32))).toBe(PUBLISHED.date);
    expect(urlParts('http://127.0.0.1:8089/hooks/vipps?shop=1')).toEqual({ pathAndQuery: '/hooks/vipps?shop=1', host: '127.0.0.1:8089' });
    expect(urlParts('https://shop.example:443/x')).toEqual({ pathAndQuery: '/x', host: 'shop.example' });
    const onPort = sign('s3cret-value', 'http://127.0.0.1:8089/cb', '{}', PUBLISHED.date);
    const noPort = sign('s3cret-value', 'http://127.0.0.1/cb', '{}', PUBLISHED.date);
    expect(onPort.host).toBe('127.0.0.1:8089');
    expect(onPort.authorization).not.toBe(noPort.authorization);
  });
});

describe('webhook signer: verify()', () => {
  const good = () => ({ ...sign(PUBLISHED.secret, PUBLISHED.url, PUBLISHED.body, PUBLISHED.date) }) as Record<string, string>;

  it('accepts the published delivery, by registered URL or by received path + Host header', () => {
    const v = verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: PUBLISHED.body, headers: good() });
    expect(v).toEqual({ ok: true, contentHash: PUBLISHED.contentHash, stringToSign: PUBLISHED.stringToSign });
    const headers = { ...good(), Host: 'webhook.site' } as Record<string, string>;
    delete headers.host;
    // Header names in any case, host from the Host header.
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verify({ secret: PUBLISHED.secret, pathAndQuery: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', body: Buffer.from(PUBLISHED.body), headers: upper }).ok).toBe(true);
  });

  it('rejects a wrong secret', () => {
    const v = verify({ secret: PUBLISHED.secret.replace('A0', 'B0'), url: PUBLISHED.url, body: PUBLISHED.body, headers: good() });
    expect(v).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('rejects a body altered after signing (content hash), even by one byte', () => {
    const v = verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: PUBLISHED.body.replace('hello', 'hellO'), headers: good() });
    expect(v).toMatchObject({ ok: false, reason: 'content-hash-mismatch' });
    // Altered body with a matching (recomputed) content hash: the HMAC still fails.
    const altered = PUBLISHED.body.replace('hello', 'hellO');
    const v2 = verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: altered, headers: { ...good(), 'x-ms-content-sha256': computeContentHash(altered) } });
    expect(v2).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('rejects a re-serialised body (whitespace differs from the bytes signed)', () => {
    const reserialised = JSON.stringify(JSON.parse(PUBLISHED.body), null, 1);
    expect(verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: reserialised, headers: good() })).toMatchObject({ ok: false, reason: 'content-hash-mismatch' });
  });

  it('rejects an x-ms-date changed after signing', () => {
    const v = verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: PUBLISHED.body, headers: { ...good(), 'x-ms-date': 'Thu, 30 Mar 2023 07:38:32 GMT' } });
    expect(v).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('rejects another path, query or host than the one signed', () => {
    for (const url of [
      'https://webhook.site/other',
      'https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63?x=1',
      'https://webhook.site:8443/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
      'https://evil.example/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
    ]) {
      expect(verify({ secret: PUBLISHED.secret, url, body: PUBLISHED.body, headers: good() })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    }
  });

  it('rejects missing or malformed headers, each with its reason', () => {
    const without = (name: string) => {
      const h = good();
      delete h[name];
      return h;
    };
    const v = (headers: Record<string, string>) => verify({ secret: PUBLISHED.secret, url: PUBLISHED.url, body: PUBLISHED.body, headers });
    expect(v(without('authorization'))).toMatchObject({ ok: false, reason: 'missing-authorization' });
    expect(v(without('x-ms-date'))).toMatchObject({ ok: false, reason: 'missing-date' });
    expect(v(without('x-ms-content-sha256'))).toMatchObject({ ok: false, reason: 'missing-content-hash' });
    expect(v({ ...good(), authorization: `Bearer ${PUBLISHED.signature}` })).toMatchObject({ ok: false, reason: 'malformed-authorization' });
    expect(v({ ...good(), authorization: AUTHORIZATION_PREFIX })).toMatchObject({ ok: false, reason: 'malformed-authorization' });
    expect(v({ ...good(), authorization: `${AUTHORIZATION_PREFIX}${PUBLISHED.signature}x` })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    const noHost = without('host');
    expect(verify({ secret: PUBLISHED.secret, pathAndQuery: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', body: PUBLISHED.body, headers: noHost })).toMatchObject({
      ok: false,
      reason: 'missing-host',
    });
  });

  it('optionally rejects stale dates (a correctly signed replay)', () => {
    const signedAt = Date.parse(PUBLISHED.date);
    const base = { secret: PUBLISHED.secret, url: PUBLISHED.url, body: PUBLISHED.body, headers: good() };
    expect(verify({ ...base, now: signedAt + 60_000 }).ok).toBe(true);
    expect(verify({ ...base, now: signedAt + 3600_000 })).toMatchObject({ ok: false, reason: 'stale-date' });
    expect(verify({ ...base, now: signedAt + 3600_000, maxSkewMs: 2 * 3600_000 }).ok).toBe(true);
    const garbled = sign(PUBLISHED.secret, PUBLISHED.url, PUBLISHED.body, 'not a date');
    expect(verify({ ...base, headers: { ...garbled }, now: signedAt })).toMatchObject({ ok: false, reason: 'invalid-date' });
  });
});
