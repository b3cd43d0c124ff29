import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../problem.ts';
import type { IdempotencyDecision, IdempotencyStore, StoredOutcome } from './idempotency.ts';

/**
 * Route plumbing every simulated API's handlers share: answers kept as exact bytes (so an
 * idempotent replay is byte for byte the first answer), notes on the traffic record, and the
 * reserve → apply → store sequence of an idempotent operation. What differs per API — its
 * error shape, its conflict codes, its key header — comes in as arguments.
 */

/** How an API writes its errors: live, and as a stored outcome (replayed on a repeated key). */
export interface ErrorShape {
  send(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply;
  outcome(request: FastifyRequest, err: ApiError): StoredOutcome;
}

export function jsonOutcome(status: number, body: unknown): StoredOutcome {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

export function sendOutcome(reply: FastifyReply, outcome: StoredOutcome): FastifyReply {
  return reply.code(outcome.status).type(outcome.contentType).send(outcome.body);
}

/** Add notes to the exchange's traffic record. */
export function note(request: FastifyRequest, notes: Record<string, unknown>): void {
  request.exchangeNotes = request.exchangeNotes ? { ...request.exchangeNotes, ...notes } : notes;
}

export interface IdempotentCall {
  /** From `idempotencyScope()`: MSN, reference, operation, key. */
  scope: string;
  body: unknown;
  /** The API's answer for the key reused with another body. */
  conflict: () => ApiError;
  /** The API's answer while the first request with the key is still running. */
  inProgress: () => ApiError;
  /** The operation; what it throws as `ApiError` is stored and replayed like a success. */
  apply: () => StoredOutcome;
}

/**
 * Run an operation once per request key. Synchronous from `begin()` to `complete()`, so
 * concurrent duplicates can never apply twice. Anything but an `ApiError` is a sandbox bug:
 * the reservation is released so the key is not poisoned, and the error goes on.
 */
export function runIdempotent(store: IdempotencyStore, shape: ErrorShape, request: FastifyRequest, reply: FastifyReply, call: IdempotentCall): FastifyReply {
  const decision = store.begin(call.scope, call.body);
  if (decision.kind !== 'new') return answerRepeat(shape, request, reply, decision, call);
  let outcome: StoredOutcome;
  try {
    outcome = call.apply();
  } catch (err) {
    if (!(err instanceof ApiError)) {
      store.release(call.scope);
      throw err;
    }
    outcome = shape.outcome(request, err);
  }
  store.complete(call.scope, outcome);
  return sendOutcome(reply, outcome);
}

function answerRepeat(shape: ErrorShape, request: FastifyRequest, reply: FastifyReply, decision: Exclude<IdempotencyDecision, { kind: 'new' }>, call: IdempotentCall): FastifyReply {
  note(request, { idempotency: decision.kind });
  if (decision.kind === 'replay') return sendOutcome(reply, decision.outcome);
  return shape.send(request, reply, decision.kind === 'conflict' ? call.conflict() : call.inProgress());
}
