import { Command } from 'commander';
import { runSandboxCommand } from './sandbox.ts';
import { DEFAULT_VALIDATE_PATHS, runValidateCommand } from './validate.ts';
import { DEFAULT_INIT_OUT, runInitCommand } from './init.ts';
import { runCommand } from './run.ts';

const program = new Command();
program.name('golive').description('Go-live checklist verifier and conformance runner for Vipps MobilePay integrations');

/** Usage errors exit 2 (subcommands do not inherit an exitOverride set after they are created). */
const usageExit = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? 0 : 2);

program
  .command('run', { isDefault: false })
  .exitOverride(usageExit)
  .description('verify an integration against the go-live checklist (default: the bundled reference merchant on the embedded sandbox)')
  .option('--profile <file>', 'merchant profile (default: config/reference-merchant.profile.yaml)')
  .option('--suite <path...>', 'suite files, directories or globs (default: suites/)')
  .option('--grep <regex>', 'only flows whose title or tags (@flow-id, @ITEM-ID) match')
  .option('--workers <n>', 'parallel Playwright workers')
  .option('--shard <i/n>', 'run shard i of n (merge the reports afterwards)')
  .option('--out <dir>', 'reports folder', 'reports')
  .option('--sandbox-url <url>', 'use an already running golive sandbox instead of starting one')
  .option('--action-timeout <ms>', 'how long golive waits for the integration to answer one action', '15000')
  .action(async (options) => {
    const outcome = await runCommand(options);
    process.exitCode = outcome.exitCode;
  });

program
  .command('sandbox')
  .exitOverride(usageExit)
  .description('run the embedded Vipps MobilePay test-API sandbox')
  .option('-p, --port <port>', 'port to listen on', '8089')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('-c, --config <file>', 'YAML file with extra merchants and settings')
  .option('--public-url <url>', 'base URL to put in redirectUrl and other links')
  .action(runSandboxCommand);

program
  .command('validate')
  .exitOverride(usageExit)
  .description(`check suites and merchant profiles (default: ${DEFAULT_VALIDATE_PATHS.join('/ and ')}/); problems as file:line:col: message`)
  .argument('[paths...]', 'files, directories or globs')
  .option('--strict', 'warnings fail too')
  .option('-q, --quiet', 'print only problems and the summary')
  .action(async (paths: string[], options: { strict?: boolean; quiet?: boolean }) => {
    process.exitCode = await runValidateCommand(paths, options);
  });

program
  .command('init')
  .exitOverride(usageExit)
  .description('write an annotated starter merchant profile')
  .option('-o, --out <file>', 'where to write it', DEFAULT_INIT_OUT)
  .option('-f, --force', 'overwrite an existing file')
  .action(async (options: { out: string; force?: boolean }) => {
    process.exitCode = await runInitCommand(options);
  });

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
