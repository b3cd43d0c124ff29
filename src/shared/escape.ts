/**
 * Escaping for HTML, SVG and XML output (reports, the landing page, JUnit): one function for
 * text and attribute values alike. `&#39;` rather than `&apos;` so the result is valid in both.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Like escapeHtml, and drops the characters XML 1.0 forbids (SVG, JUnit). */
export function escapeXml(value: unknown): string {
  return escapeHtml(String(value ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}
