import { Command } from 'commander';
import { runSandboxCommand } from './sandbox.ts';

const program = new Command();
program.name('golive').description('Go-live checklist verifier and conformance runner for Vipps MobilePay integrations');

program
  .command('sandbox')
  .description('run the embedded Vipps MobilePay test-API sandbox')
  .option('-p, --port <port>', 'port to listen on', '8089')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('-c, --config <file>', 'YAML file with extra merchants and settings')
  .option('--public-url <url>', 'base URL to put in redirectUrl and other links')
  .action(runSandboxCommand);

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
