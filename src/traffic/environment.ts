import type { FailureKind } from '../shared/errors.ts';
import type { Exchange } from './types.ts';

/**
 * An exchange whose outcome the test environment decided, not the integration: the recording
 * proxy could not reach the upstream (refused, DNS, TLS), it timed out, or it broke off mid-body.
 * The note sits under `notes[ENVIRONMENT_NOTE]`, so checks and the report can leave such
 * exchanges out (or rerun) instead of blaming the integration for them.
 */
export const ENVIRONMENT_NOTE = 'environmentProblem';

export interface EnvironmentNote {
  kind: Extract<FailureKind, 'environment problem'>;
  /** Short machine-readable cause, e.g. `upstream-unreachable`, `upstream-timeout`. */
  cause: string;
  detail: string;
}

export function environmentNote(cause: string, detail: string): Record<string, EnvironmentNote> {
  return { [ENVIRONMENT_NOTE]: { kind: 'environment problem', cause, detail } };
}

/** The environment note of an exchange, if it has one. */
export function environmentProblemOf(e: Pick<Exchange, 'notes'>): EnvironmentNote | undefined {
  const note = e.notes?.[ENVIRONMENT_NOTE] as EnvironmentNote | undefined;
  return note && note.kind === 'environment problem' ? note : undefined;
}
