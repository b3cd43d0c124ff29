import { readFile, stat } from 'node:fs/promises';
import { formatDiagnostic, sortDiagnostics, YamlSource, type Diagnostic } from '../suite/diagnostics.ts';
import { detectKind, expandPaths, validateFile, type ValidatedFile } from '../suite/loader.ts';

export const DEFAULT_VALIDATE_PATHS = ['suites', 'config'];

export interface ValidateCommandOptions {
  /** Warnings fail the run too. */
  strict?: boolean;
  /** Print only problems, no per-file "ok" lines. */
  quiet?: boolean;
}

export interface ValidateReport {
  files: ValidatedFile[];
  /** YAML files found in directories or globs that are neither suites nor profiles (outside suites/). */
  skipped: string[];
  diagnostics: Diagnostic[];
  exitCode: 0 | 2;
}

/** Validate suites and profiles; diagnostics as `file:line:col: message`. */
export async function validatePaths(paths: string[], options: ValidateCommandOptions = {}): Promise<ValidateReport> {
  const explicit = paths.length > 0;
  const roots: string[] = [];
  for (const p of explicit ? paths : DEFAULT_VALIDATE_PATHS) {
    // Default locations that do not exist are skipped; explicit ones are reported.
    if (!explicit && !(await stat(p).catch(() => undefined))) continue;
    roots.push(p);
  }
  const files: string[] = [];
  const skipped: string[] = [];
  for (const root of roots) {
    const named = !(await stat(root).catch(() => undefined))?.isDirectory() && !/[*?[{]/.test(root);
    for (const file of await expandPaths([root])) {
      if (named) {
        files.push(file);
        continue;
      }
      // Found by a directory walk or a glob: other YAML (a sandbox config …) is not ours to judge,
      // except under suites/, where a file without `suite:` is a broken suite.
      const text = await readFile(file, 'utf8').catch(() => '');
      if (detectKind(file, text) === undefined && !file.split(/[\\/]/).includes('suites')) skipped.push(file);
      else files.push(file);
    }
  }
  const results: ValidatedFile[] = [];
  for (const file of [...new Set(files)]) results.push(await validateFile(file));

  const diagnostics = results.flatMap((r) => r.diagnostics);
  // Ids must be unique across files: suites by `suite`, profiles by `profile`.
  for (const [kind, idOf] of [
    ['suite', (r: ValidatedFile) => r.suite?.suite],
    ['profile', (r: ValidatedFile) => r.profile?.profile],
  ] as const) {
    const seen = new Map<string, string>();
    for (const r of results) {
      const id = idOf(r);
      if (id === undefined) continue;
      const prev = seen.get(id);
      if (prev === undefined) {
        seen.set(id, r.file);
        continue;
      }
      const pos = new YamlSource(r.file, await readFile(r.file, 'utf8')).locate([kind]);
      diagnostics.push({ file: r.file, line: pos.line, col: pos.col, path: kind, message: `duplicate ${kind} id "${id}" (also in ${prev})`, severity: 'error' });
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const failed = errors > 0 || (options.strict === true && warnings > 0) || files.length === 0;
  return { files: results, skipped, diagnostics: sortDiagnostics(diagnostics), exitCode: failed ? 2 : 0 };
}

/** `golive validate [paths…]`: prints problems and returns the exit code (0 ok, 2 problems). */
export async function runValidateCommand(paths: string[], options: ValidateCommandOptions = {}): Promise<number> {
  const report = await validatePaths(paths, options);
  if (report.files.length === 0) {
    console.error(`golive validate: no suite or profile files found in ${(paths.length > 0 ? paths : DEFAULT_VALIDATE_PATHS).join(', ')}`);
    return 2;
  }
  for (const d of report.diagnostics) console.log(formatDiagnostic(d));
  if (!options.quiet) {
    for (const f of report.skipped) console.log(`skipped ${f} (neither a suite nor a profile: no top-level suite: or profile:)`);
    for (const r of report.files) {
      if (r.diagnostics.some((d) => d.severity === 'error')) continue;
      const what = r.suite
        ? `suite ${r.suite.suite}: ${r.suite.flows.length} flow${r.suite.flows.length === 1 ? '' : 's'}, ${r.suite.flows.reduce((n, f) => n + f.steps.length, 0)} steps`
        : r.profile
          ? `profile ${r.profile.profile}: ${Object.keys(r.profile.actions).length} actions`
          : r.kind;
      console.log(`ok ${r.file} (${what})`);
    }
  }
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = report.diagnostics.length - errors;
  const n = report.files.length;
  console.log(`${n} file${n === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return report.exitCode;
}
