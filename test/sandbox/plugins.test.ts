import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sandboxPlugin } from '../../src/sandbox/shared/plugins.ts';
import { createSandbox } from '../../src/sandbox/index.ts';

describe('sandbox plugins', () => {
  it('boot in order: every declared dependency is registered first', async () => {
    const sandbox = await createSandbox();
    await sandbox.close();
  });

  it('a plugin whose dependency is missing fails at boot, naming both', async () => {
    const app = Fastify();
    app.register(sandboxPlugin('golive-webhooks', async () => {}, ['golive-epayment']));
    await expect(app.ready()).rejects.toThrow(/golive-epayment.*golive-webhooks|golive-webhooks.*golive-epayment/);
  });

  it('keeps encapsulation: an error handler set inside one plugin does not leak to another', async () => {
    const app = Fastify();
    app.register(sandboxPlugin('a', async (a) => {
      a.setErrorHandler((_e, _r, reply) => reply.code(418).send('a'));
      a.get('/a', async () => { throw new Error('x'); });
    }));
    app.register(sandboxPlugin('b', async (b) => {
      b.get('/b', async () => { throw new Error('x'); });
    }, ['a']));
    expect((await app.inject('/a')).statusCode).toBe(418);
    expect((await app.inject('/b')).statusCode).toBe(500);
  });
});
