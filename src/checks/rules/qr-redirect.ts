/**
 * Merchant-redirect QR — "Generate a merchant redirect QR code that contains the link to your
 * website" with `POST /qr/v1/merchant-redirect` (seed 003); the code never expires unless given
 * a ttl and any camera works; `PUT /qr/v1/merchant-redirect/{id}` changes its redirectUrl
 * without changing the printed code, DELETE is permanent for that image (vipps-facts §7.7).
 * https://developer.vippsmobilepay.com/docs/APIs/qr-api/
 *
 * Rule: the QR the customer scans is made with the QR API; its redirectUrl carries no browser
 * session (SESSION_PARAMETER_PATTERN: it is printed once and scanned by anyone, months later)
 * and opens (2xx) in a fresh browser; changing where it leads uses PUT, not a delete and a new
 * create (which kills the printed code).
 *
 * Evidence (flow): QR API calls (`api: qr`, or `/qr/v1/merchant-redirect` paths), role-action
 * observations of merchantRedirectQr, qr-scan observations of merchant-redirect codes (what the
 * sandbox said the code leads to and what a fresh browser got). Recommended: WARNING for a
 * breach. Not applicable unless the profile declares `capabilities.qrMerchantRedirect`. No
 * merchant-redirect QR made or scanned in the flow: no evidence (WARNING: never a pass).
 */
import type { Rule } from '../types.ts';
import type { Exchange } from '../../traffic/types.ts';
import { SESSION_PARAMETER_PATTERN } from '../../contract/in-person.ts';
import { breachVerdict, noEvidence, plural, Tally } from '../support/findings.ts';
import { judgeEachFlow } from '../support/flows.ts';
import { declaredOn } from '../support/profile.ts';
import { observationsOf } from '../support/payments.ts';
import { bodyOf, describe, isOk } from '../support/traffic.ts';

const QR_PATH = /\/qr\/v1\/merchant-redirect(?:\/([^/?#]+))?\/?(?:[?#].*)?$/;
type QrOp = 'create' | 'update' | 'delete' | 'read';
const OPS: Record<string, QrOp> = {
  CreateMerchantRedirectQr: 'create',
  UpdateMerchantRedirectUrl: 'update',
  DeleteMerchantRedirectQr: 'delete',
  GetMerchantRedirectQrById: 'read',
  GetAllMerchantRedirectQrs: 'read',
};

/** A QR API merchant-redirect call: what it did and to which id. */
export function qrCallOf(e: Exchange): { op: QrOp; id?: string } | undefined {
  if (e.kind !== 'api') return undefined;
  const m = QR_PATH.exec(e.request.path || e.request.url || '');
  const op = e.operation ? OPS[e.operation] : undefined;
  if (!m && !op) return undefined;
  const method = e.request.method.toUpperCase();
  const inferred: QrOp | undefined = op ?? (method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : method === 'GET' ? 'read' : undefined);
  if (!inferred) return undefined;
  const id = m?.[1] ? decodeURIComponent(m[1]) : typeof bodyOf(e)?.id === 'string' ? bodyOf(e)!.id : undefined;
  return { op: inferred, id };
}

/** Query (or `;jsessionid=`-style path) parameters of a URL that tie it to one browser session. */
export function sessionParametersOf(url: string): string[] {
  try {
    const u = new URL(url);
    const names = [...u.searchParams.keys(), ...u.pathname.split(';').slice(1).map((p) => p.split('=')[0])];
    return [...new Set(names.filter((n) => SESSION_PARAMETER_PATTERN.test(n)))];
  } catch {
    return [];
  }
}

export const qrRedirect: Rule = {
  notApplicable: (profile) => (declaredOn(profile, 'qrMerchantRedirect') ? undefined : 'the profile declares no merchant-redirect QR codes (capabilities.qrMerchantRedirect)'),
  judge: (input, { item }) =>
    judgeEachFlow(item, input, (flowInput) => {
      const breach = breachVerdict(item);
      const t = new Tally();
      const calls = flowInput.traffic.map((e) => ({ e, call: qrCallOf(e) })).filter((c): c is { e: Exchange; call: { op: QrOp; id?: string } } => c.call !== undefined);
      const scans = observationsOf(flowInput, 'qr-scan').filter((s) => s.kind === 'merchant-redirect');
      const roleRuns = observationsOf(flowInput, 'role-action').filter((o) => o.role === 'merchantRedirectQr');
      if (calls.length === 0 && scans.length === 0 && roleRuns.length === 0) return noEvidence(item, flowInput, 'No merchant-redirect QR was made or scanned in this flow.');
      const written = calls.filter((c) => (c.call.op === 'create' || c.call.op === 'update') && isOk(c.e));
      if (roleRuns.length > 0 && calls.length === 0) t.add(breach, `the merchantRedirectQr action ran (${roleRuns[0].name}) but the integration made no QR API call: the code must come from POST /qr/v1/merchant-redirect`);
      for (const { e } of written) {
        const url = bodyOf(e)?.redirectUrl;
        const session = typeof url === 'string' ? sessionParametersOf(url) : [];
        if (session.length > 0) t.add(breach, `${describe(e)}: redirectUrl ${url} carries session parameter${session.length > 1 ? 's' : ''} ${session.join(', ')}; a printed code is scanned by anyone, in any browser`, e);
        else t.cite(e);
      }
      const deleted = calls.filter((c) => c.call.op === 'delete' && isOk(c.e));
      for (const d of deleted) {
        const recreated = calls.find((c) => c.call.op === 'create' && c.e.startedAt > d.e.startedAt);
        if (recreated) t.add(breach, `${describe(d.e)} then ${describe(recreated.e)}: the target was changed by deleting the printed code and making a new one; PUT /qr/v1/merchant-redirect/{id} changes it and keeps the code`, d.e, recreated.e);
      }
      for (const s of scans) {
        const what = s.qrId ?? '?';
        if (s.error) {
          t.add(breach, `scanning QR ${what} led nowhere (${s.error}): the printed code no longer works`);
          continue;
        }
        const session = s.target ? sessionParametersOf(s.target) : [];
        if (session.length > 0 && !written.length) t.add(breach, `QR ${what} leads to ${s.target}, which carries session parameter${session.length > 1 ? 's' : ''} ${session.join(', ')}`);
        if (!s.opened) continue;
        if (s.opened.status === undefined || s.opened.status >= 300) t.add(breach, `QR ${what} leads to ${s.target}, which ${s.opened.status === undefined ? 'did not open' : `answered HTTP ${s.opened.status}`} in a fresh browser`);
        else t.note(`QR ${what}: ${s.target} opened (HTTP ${s.opened.status}) in a fresh browser`);
      }
      if (t.problems > 0) return t.finding(item, flowInput, `Merchant-redirect QR: ${t.summary()}.`);
      const opened = scans.filter((s) => s.opened && s.opened.status !== undefined && s.opened.status < 300);
      if (written.length === 0 || opened.length === 0)
        return t.finding(item, flowInput, `Not proven: ${written.length === 0 ? 'no QR API create or update was seen' : 'no scanned code was opened in a fresh browser'} in this flow.`, breach);
      return t.finding(item, flowInput, `Merchant-redirect QR made with the QR API (${plural(written.length, 'call')}), session-free, opened in a fresh browser (${plural(opened.length, 'scan')}).`);
    }),
};
