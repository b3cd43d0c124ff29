import type { CustomerPayment } from '../shared/directory.ts';
import type { CustomerCard } from '../shared/card-customer.ts';
import { cardPicker } from './cards.ts';
import { escapeHtml as h, formatAmount, scopeLabels, STATE_TEXT } from './format.ts';

/**
 * The simulated customer's landing page. Self-contained HTML (inline CSS, no external
 * assets, no JavaScript: plain forms), with stable `data-testid` selectors for the golive
 * customer actor and for browser tests.
 */

const CSS = `
:root{--brand:#ff5b24;--brand-dark:#e0461a;--ink:#1d1d1f;--muted:#6b6b72;--line:#ebe6e1;--bg:#f6f3f0;--ok:#0f7a44;--ok-bg:#e5f4ec;--bad:#b3261e;--bad-bg:#fdeceb;--card:#fff}
*{box-sizing:border-box}
html,body{margin:0}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink);line-height:1.45;min-height:100vh;display:flex;flex-direction:column;align-items:center;-webkit-font-smoothing:antialiased}
.banner{width:100%;background:#26262a;color:#f2f2f3;font-size:12.5px;text-align:center;padding:7px 12px;letter-spacing:.02em}
.banner b{color:#ffb08f;font-weight:650}
.wrap{width:100%;max-width:430px;padding:26px 16px 36px}
.brand{display:flex;align-items:center;gap:10px;margin:0 0 16px;font-weight:700;font-size:17px}
.mark{width:32px;height:32px;border-radius:9px;background:var(--brand);display:grid;place-items:center;flex:none}
.pill{font-weight:600;color:var(--muted);font-size:11.5px;border:1px solid var(--line);border-radius:999px;padding:1px 8px;background:#fff;text-transform:uppercase;letter-spacing:.06em}
.card{background:var(--card);border-radius:20px;box-shadow:0 1px 2px rgba(0,0,0,.04),0 10px 30px rgba(40,20,10,.08);padding:24px 22px 22px}
.merchant{display:flex;align-items:center;gap:13px}
.avatar{width:46px;height:46px;border-radius:50%;background:#ffe8de;color:var(--brand-dark);display:grid;place-items:center;font-weight:750;font-size:19px;flex:none}
.label{margin:0;color:var(--muted);font-size:12.5px}
h1{margin:0;font-size:18.5px;line-height:1.25}
.amount{font-size:40px;font-weight:750;letter-spacing:-.02em;margin:20px 0 2px;white-space:nowrap;font-variant-numeric:tabular-nums}
.description{margin:0 0 16px;font-size:15.5px;color:#3a3a3f}
.meta{margin:0;padding:11px 0;border-top:1px solid var(--line);border-bottom:1px solid var(--line)}
.meta dt{color:var(--muted);font-size:11.5px;font-weight:650;text-transform:uppercase;letter-spacing:.06em;margin-bottom:2px}
.meta dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;color:#35353a;word-break:break-all}
.status{display:inline-flex;align-items:center;gap:7px;font-size:12.5px;font-weight:650;padding:4px 11px;border-radius:999px;background:#f1eeeb;color:#4a4a50;margin:16px 0 0}
.status.ok{background:var(--ok-bg);color:var(--ok)}
.status.bad{background:var(--bad-bg);color:var(--bad)}
.dot{width:7px;height:7px;border-radius:50%;background:currentColor}
.error{margin:14px 0 0;padding:11px 13px;border-radius:12px;background:var(--bad-bg);color:var(--bad);font-size:14.5px;border:1px solid #f4c5c0}
.consent{margin:14px 0 0;padding:11px 13px;border-radius:12px;background:#f7f5f3;font-size:13.5px;color:#3a3a3f}
.consent b{display:block;font-size:12.5px;color:var(--muted);font-weight:600;margin-bottom:2px}
form{margin:18px 0 0}
.field{display:block;font-size:13px;font-weight:650;margin-bottom:6px}
input[type=tel]{width:100%;font:inherit;font-size:18px;padding:11px 14px;border:1.5px solid #d3ccc5;border-radius:12px;background:#fff;letter-spacing:.04em;color:var(--ink)}
input[type=tel]:focus{outline:none;border-color:var(--brand);box-shadow:0 0 0 3px rgba(255,91,36,.18)}
.hint{margin:6px 0 0;font-size:12.5px;color:var(--muted)}
.actions{display:grid;gap:10px;margin-top:18px}
button,.button{display:block;width:100%;text-align:center;text-decoration:none;font:inherit;font-weight:650;font-size:16.5px;border-radius:999px;padding:13px 18px;cursor:pointer;border:0}
.primary{background:var(--brand);color:#fff}
.primary:hover{background:var(--brand-dark)}
.secondary{background:#fff;color:var(--ink);border:1.5px solid #d3ccc5}
.secondary:hover{border-color:#968f88}
.stay{display:flex;gap:8px;align-items:center;font-size:12.5px;color:var(--muted);margin-top:14px}
.stay input{accent-color:var(--brand);margin:0}
.leave{font-size:12.5px;color:var(--muted);margin:14px 0 0;text-align:center}
.result{text-align:center}
.result .icon{width:64px;height:64px;border-radius:50%;display:grid;place-items:center;margin:6px auto 12px}
.result .icon.ok{background:var(--ok-bg);color:var(--ok)}
.result .icon.bad{background:var(--bad-bg);color:var(--bad)}
.result .icon.neutral{background:#f1eeeb;color:#4a4a50}
.result h2{margin:0 0 6px;font-size:21px}
.result p.text{margin:0 auto 4px;max-width:330px;color:#45454b;font-size:14.5px}
.result .status{margin-top:12px}
.done{display:inline-block;margin:12px 0 0;padding:8px 14px;border-radius:12px;background:#f1eeeb;font-weight:650;font-size:14px;color:#2f2f34}
.summary{margin:20px 0 0;padding:14px 16px;border:1px solid var(--line);border-radius:14px;text-align:left;background:#fcfbfa}
.summary-row{display:flex;align-items:center;justify-content:space-between;gap:12px}
.summary .avatar{width:38px;height:38px;font-size:16px}
.summary h1{font-size:15.5px}
.summary .amount{font-size:19px;margin:0}
.summary .description{margin:10px 0;font-size:14px}
.summary .meta{border-bottom:0;padding-bottom:0}
footer{font-size:11.5px;color:var(--muted);text-align:center;margin-top:16px}
footer code{font-size:11px}
`;

const MARK = `<svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6.5 12 19l8-12.5" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
const ICON_OK = `<svg width="30" height="30" viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12.5 10 17l9-10" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
const ICON_BAD = `<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path d="M6.5 6.5l11 11M17.5 6.5l-11 11" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg>`;
const ICON_INFO = `<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 7.5v.01M12 11v6" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg>`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="banner"><b>golive sandbox</b> · simulated Vipps MobilePay test environment — no real money moves</div>
<div class="wrap">
<div class="brand"><span class="mark">${MARK}</span><span>Vipps MobilePay</span><span class="pill">test</span></div>
${body}
<footer>Served by the golive sandbox. Merchant pages must open this page unchanged and top-level.</footer>
</div>
</body>
</html>
`;
}

export interface PageModel {
  payment: CustomerPayment;
  merchantName: string;
  now: number;
}

export function merchantBlock(merchantName: string, label = 'Pay to'): string {
  const initial = (merchantName.trim()[0] ?? '?').toUpperCase();
  return `<div class="merchant"><div class="avatar" aria-hidden="true">${h(initial)}</div><div><p class="label">${h(label)}</p><h1 data-testid="landing-merchant">${h(merchantName)}</h1></div></div>`;
}

function statusBadge(payment: CustomerPayment, text?: string): string {
  const s = STATE_TEXT[payment.state] ?? { title: payment.apiState, tone: 'neutral' as const };
  return `<p class="status ${s.tone}" data-testid="landing-status" data-state="${h(payment.apiState)}"><span class="dot"></span>${h(text ?? s.title)}</p>`;
}

function errorBlock(error: string | undefined): string {
  return error ? `<div class="error" role="alert" data-testid="landing-error">${h(error)}</div>` : '';
}

function minutesLeft(payment: CustomerPayment, now: number): string {
  const ms = payment.expiresAt - now;
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const min = Math.ceil(ms / 60_000);
  if (min > 120) return ` It stays open until ${new Date(payment.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
  return ` It expires in about ${min} minute${min === 1 ? '' : 's'}.`;
}

/** The page where the customer approves or rejects (payment is CREATED). */
export function approvalPage(model: PageModel & { error?: string; phone?: string; card?: string; app?: boolean }): string {
  const { payment, merchantName } = model;
  const amount = formatAmount(payment.amount);
  const scopes = scopeLabels(payment.profileScope);
  const phone = model.phone ?? payment.customerPhoneNumber ?? '';
  const consent = scopes.length
    ? `<div class="consent" data-testid="landing-consent"><b>${h(merchantName)} asks you to share</b>${h(scopes.join(', '))}</div>`
    : '';
  const body = `<main class="card">
${merchantBlock(merchantName)}
<p class="amount" data-testid="landing-amount">${h(amount)}</p>
<p class="description" data-testid="landing-description">${h(payment.description ?? '')}</p>
<dl class="meta"><dt>Reference</dt><dd data-testid="landing-reference">${h(payment.reference)}</dd></dl>
${statusBadge(payment)}
${errorBlock(model.error)}
${consent}
<form method="post" action="/landing/approve">
<input type="hidden" name="token" value="${h(payment.landingToken)}">
${model.app ? '<input type="hidden" name="via" value="app">' : ''}
<label class="field" for="phone">Mobile number</label>
<input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" placeholder="4791234567" value="${h(phone)}" data-testid="landing-phone">
<p class="hint">Country code and number, digits only (e.g. 4791234567).</p>
${payment.card ? cardPicker(payment.card.cards as CustomerCard[], model.card) : ''}
<div class="actions">
<button type="submit" class="primary" data-testid="approve-button">Approve ${h(amount)}</button>
${scopes.length ? `<button type="submit" class="secondary" formaction="/landing/consent-decline" data-testid="consent-decline">Don't share (cancels the payment)</button>` : ''}
<button type="submit" class="secondary" formaction="/landing/reject" data-testid="reject-button">Reject</button>
</div>
${model.app ? '' : `<label class="stay"><input type="checkbox" name="redirect" value="false" data-testid="landing-stay">Stay on this page afterwards (simulates a customer who closes the app instead of returning to the shop)</label>`}
</form>
<p class="leave">To leave without deciding, just close this window.${h(minutesLeft(payment, model.now))}</p>
</main>`;
  return layout(`Pay ${amount} to ${merchantName}`, body);
}

/** A payment that can no longer be acted on, or the "done" page after `redirect=false`. */
export function resultPage(model: PageModel & { error?: string; done?: boolean; app?: boolean }): string {
  const { payment, merchantName } = model;
  const s = STATE_TEXT[payment.state] ?? { title: payment.apiState, text: '', tone: 'neutral' as const };
  const icon = s.tone === 'ok' ? ICON_OK : s.tone === 'bad' ? ICON_BAD : ICON_INFO;
  const done = model.done ? `<p class="done" data-testid="landing-done">Done — you can close this window.</p>` : '';
  // In the app (a push, or the app inbox) nothing leads back to the shop's page.
  const back = payment.returnUrl && !model.app
    ? `<div class="actions"><a class="button ${model.done ? 'secondary' : 'primary'}" href="${h(payment.returnUrl)}" data-testid="landing-return-link">Back to ${h(merchantName)}</a></div>`
    : '';
  const body = `<main class="card result">
<div class="icon ${s.tone}">${icon}</div>
<h2 data-testid="landing-headline">${h(s.title)}</h2>
<p class="text">${h(s.text)}</p>
${done}
<div>${statusBadge(payment, payment.apiState)}</div>
${errorBlock(model.error)}
<div class="summary">
<div class="summary-row">${merchantBlock(merchantName, 'Merchant')}<p class="amount" data-testid="landing-amount">${h(formatAmount(payment.amount))}</p></div>
${payment.description ? `<p class="description" data-testid="landing-description">${h(payment.description)}</p>` : ''}
<dl class="meta"><dt>Reference</dt><dd data-testid="landing-reference">${h(payment.reference)}</dd></dl>
</div>
${back}
</main>`;
  return layout(`${s.title} – ${merchantName}`, body);
}

/** Unknown or malformed token, or the sandbox cannot serve the page. */
export function messagePage(title: string, message: string): string {
  const body = `<main class="card result">
<div class="icon bad">${ICON_BAD}</div>
<h2 data-testid="landing-headline">${h(title)}</h2>
<div class="error" role="alert" data-testid="landing-error">${h(message)}</div>
</main>`;
  return layout(title, body);
}
