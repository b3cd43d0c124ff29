/**
 * Whose fault a failure is, carried by the error's class (the report sorts flows by it; Allure's
 * categories.json matches the `[kind]` prefix `classifyError` in src/report/allure.ts puts on it).
 */
export type FailureKind = 'integration defect' | 'environment problem' | 'golive error';

/** An error golive throws on purpose. Its kind, unless a subclass says otherwise: golive itself broke. */
export class GoliveError extends Error {
  get kind(): FailureKind {
    return 'golive error';
  }
}

/** The integration under test did something wrong: a step's expectation or a checklist item failed. */
export class IntegrationDefect extends GoliveError {
  override get kind(): FailureKind {
    return 'integration defect';
  }
}

/** The test environment got in the way (sandbox control API, browser, ports, disk): rerun before blaming the integration. */
export class EnvironmentProblem extends GoliveError {
  override get kind(): FailureKind {
    return 'environment problem';
  }
}

/**
 * The kind of an error golive did not throw itself (Playwright's, Node's), from its class and
 * message — the only place messages are read: such errors carry no kind of their own.
 */
export function foreignFailureKind(err: unknown): FailureKind {
  const e = err as { name?: string; message?: string } | undefined;
  const message = String(e?.message ?? err ?? '');
  if (/ECONNREFUSED 127\.0\.0\.1|EADDRINUSE|ENOSPC|EMFILE|browserType\.launch|Executable doesn't exist|Target page, context or browser has been closed|browser has disconnected/i.test(message))
    return 'environment problem';
  // A Playwright timeout inside a step: the integration's page did not get there in time.
  if (e?.name === 'TimeoutError') return 'integration defect';
  return 'golive error';
}
