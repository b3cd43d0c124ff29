import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { hostGivenExplicitly } from '../../src/cli/sandbox.ts';

/** `golive sandbox`: only an explicit `--host` opens the control API to non-loopback clients. */
describe('golive sandbox --host', () => {
  const parse = (argv: string[]) => {
    const command = new Command('sandbox').option('--host <host>', 'address to bind', '127.0.0.1').exitOverride();
    command.parse(argv, { from: 'user' });
    return command;
  };
  it('is explicit only when given on the command line', () => {
    expect(hostGivenExplicitly(parse([]))).toBe(false);
    expect(parse([]).opts().host).toBe('127.0.0.1');
    expect(hostGivenExplicitly(parse(['--host', '0.0.0.0']))).toBe(true);
    expect(hostGivenExplicitly(parse(['--host', '127.0.0.1']))).toBe(true);
    expect(hostGivenExplicitly(undefined)).toBe(false);
  });
});
