import { Command } from 'commander';
import { runSandboxCommand } from './sandbox.ts';
import { DEFAULT_VALIDATE_PATHS, runValidateCommand } from './validate.ts';
import { DEFAULT_INIT_OUT, runInitCommand } from './init.ts';
import { goliveVersion, runCommand } from './run.ts';
import { runReportCommand } from './report.ts';
import { runEvidenceCombineCommand, runEvidenceVerifyCommand } from './evidence.ts';
import { runPruneCommand } from './reports.ts';

const program = new Command();
program
  .name('golive')
  .description('Go-live checklist verifier and conformance runner for Vipps MobilePay integrations')
  .version(goliveVersion(), '-V, --version', 'print the golive version')
  // Usage errors are one line (the help is one `--help` away).
  .configureOutput({ outputError: (text, write) => write(`${text.trim().split('\n')[0]}\n`) })
  .showHelpAfterError(false);

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
  .option('--installations <ids>', "a platform's installations to run, comma-separated (default: all the profile's)")
  .option('--out <dir>', 'reports folder', 'reports')
  .option('--sandbox-url <url>', 'use an already running golive sandbox instead of starting one')
  .option('--target <target>', "what the integration talks to: sandbox (golive's embedded sandbox) or test-api (the real test environment through golive's recording proxy); default: the profile's target")
  .option('--upstream <url>', 'with --target test-api: the API the proxy forwards to (default https://apitest.vipps.no)')
  .option('--rate-limit <rps>', 'with --target test-api: most requests per second sent to the test API (default 10)')
  .option('--interactive', 'with --target test-api: a person approves in the MT app (golive prints the landing link and a QR code and waits)')
  .option('--action-timeout <duration>', "how long golive waits for the integration to answer one action (default: the profile's timeouts.action)")
  .option('--status-timeout <duration>', "default wait of expect steps for the integration's order status (default: the profile's timeouts.status)")
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
  .option('--api <api>', 'the API the integration is built on: epayment-v1, ecom-v2 or psp-v2', 'epayment-v1')
  .option('--kind <kind>', 'who builds it: direct (a merchant), partner (a platform or plugin) or psp (card passthrough on ePayment)', 'direct')
  .action(async (options: { out: string; force?: boolean; api?: string; kind?: string }) => {
    process.exitCode = await runInitCommand(options);
  });

const evidence = program.command('evidence').exitOverride(usageExit).description('check a run folder\'s evidence');
evidence
  .command('verify')
  .exitOverride(usageExit)
  .description('compare a run folder with its manifest.json: exit 1 on any changed, missing or added file; warns when the run is older than one month')
  .argument('<dir>', 'run folder, e.g. reports/latest')
  .option('--strict', 'evidence older than one month fails too')
  .option('--json', 'print the result as JSON')
  .action(async (dir: string, options: { strict?: boolean; json?: boolean }) => {
    process.exitCode = await runEvidenceVerifyCommand(dir, options);
  });
evidence
  .command('combine')
  .exitOverride(usageExit)
  .description('combine a --target test-api run and a sandbox run into one submission summary: per item the test API\'s proof where there is one, else the sandbox\'s verdict (sandbox only)')
  .argument('<test-api-run>', 'run folder of the --target test-api run')
  .argument('<sandbox-run>', 'run folder of the sandbox run')
  .option('-o, --out <dir>', 'where the combined summary goes (default: reports/combined-<time>)')
  .action(async (testApiDir: string, sandboxDir: string, options: { out?: string }) => {
    process.exitCode = await runEvidenceCombineCommand(testApiDir, sandboxDir, options);
  });

program
  .command('report')
  .exitOverride(usageExit)
  .description('render the Allure HTML report of a run from its allure-results (several run folders, e.g. --shard runs, merge into one report)')
  .argument('[run-dirs...]', 'run folders (default: reports/latest)')
  .option('--open', 'serve the report on 127.0.0.1 and print its URL (Ctrl+C stops)')
  .option('--port <port>', 'port for --open (default: a free one)')
  .option('-o, --out <dir>', 'where the HTML goes (default: <run-dir>/allure-report; required when merging)')
  .option('--no-generate', 'do not re-render; serve the existing HTML')
  .action(async (dirs: string[], options: { open?: boolean; port?: string; out?: string; generate?: boolean }) => {
    const outcome = await runReportCommand(dirs, options);
    if (outcome.close) {
      // Serve until interrupted.
      await new Promise<void>((done) => process.once('SIGINT', () => done()).once('SIGTERM', () => done()));
      await outcome.close();
    }
    process.exitCode = outcome.exitCode;
  });

const reports = program.command('reports').exitOverride(usageExit).description('manage the reports folder');
reports
  .command('prune')
  .exitOverride(usageExit)
  .description('delete all but the newest N run folders (never the one reports/latest points at)')
  .requiredOption('--keep <n>', 'how many run folders to keep')
  .option('--out <dir>', 'reports folder', 'reports')
  .action((options: { keep: string; out: string }) => {
    process.exitCode = runPruneCommand(options);
  });

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Whatever escaped a command is golive's own fault: one line, and the stack only on request.
  console.error(`golive: error: ${(err as Error)?.message ?? err}${process.env.GOLIVE_DEBUG ? `\n${(err as Error)?.stack}` : ' (GOLIVE_DEBUG=1 shows the stack)'}`);
  process.exitCode = 1;
}
