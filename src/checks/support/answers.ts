/**
 * Reading what an integration's HTTP answer tells the customer, for API checkouts (a JSON
 * checkout API instead of a page): the shop's front end shows its error field, so that field is
 * what a person reads; the HTTP status says whether the shop reports success.
 */
import { excerpt, rawErrorIn, showsFailure, showsSuccess } from './text.ts';

/** The readable message of an error answer: `error` (a string or `{message}`), `message`, `detail` or `title`. */
export function errorMessageOf(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const nested = b.error !== null && typeof b.error === 'object' ? (b.error as Record<string, unknown>).message : undefined;
  const found = [b.error, nested, b.message, b.detail, b.title].find((v): v is string => typeof v === 'string' && v.trim().length > 0);
  return found?.trim();
}

export type AnswerJudgement = { level: 'FAILED' | 'WARNING'; why: string } | { level: 'ok'; why: string };

/** An answer after a failed Vipps call: a readable error (any status) is right; a success answer or nothing readable is not. */
export function judgeErrorAnswer(status: number | undefined, text: string): AnswerJudgement {
  const message = errorMessageOf(text);
  const ok = status !== undefined && status >= 200 && status < 300;
  if (!message) {
    if (ok) return { level: 'FAILED', why: `answered HTTP ${status} with no error: the customer is told it went through: "${excerpt(text)}"` };
    return { level: 'FAILED', why: `answered HTTP ${status ?? '(none)'} without a readable error message: "${excerpt(text)}"` };
  }
  const raw = rawErrorIn(message);
  if (raw) return { level: 'FAILED', why: `its error message shows ${raw}: "${excerpt(message)}"` };
  if (showsSuccess(message) && !showsFailure(message)) return { level: 'FAILED', why: `its error message reads as success: "${excerpt(message)}"` };
  if (message.length < 10) return { level: 'WARNING', why: `its error message says little: "${message}"` };
  return { level: 'ok', why: `HTTP ${status}: "${excerpt(message)}"` };
}
