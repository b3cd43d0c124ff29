/**
 * The same text as one flat string. V8 keeps the result of `a + b` and of template literals as a
 * rope (a tree of 32-byte nodes pointing at the pieces) until something reads it character by
 * character; a key kept for a sandbox's lifetime (idempotency scopes, UUIDs, which Node also
 * builds by concatenation) would hold its rope forever: ~30 bytes per piece (issue #17).
 */
export function flatString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
