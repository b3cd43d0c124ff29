/**
 * Tiny server-side HTML helpers: an `html` template tag that escapes every interpolated value
 * (so order descriptions or error texts can never inject markup), and the page layout.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Value = string | number | boolean | undefined | null | SafeHtml | Value[];

function render(v: Value): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof SafeHtml) return v.value;
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new SafeHtml(out);
}

/**
 * Small inline SVG icons (no emoji: many systems lack a colour-emoji font and show empty boxes).
 */
const ICON_PATHS: Record<string, { color: string; d: string }> = {
  check: { color: '#1f7a4d', d: 'M7 12.5l3.2 3.2L17 9' },
  cross: { color: '#b3261e', d: 'M8.5 8.5l7 7M15.5 8.5l-7 7' },
  clock: { color: '#a15c00', d: 'M12 7v5.2l3.2 2' },
  box: { color: '#1f7a4d', d: 'M6.5 9.5L12 7l5.5 2.5v6L12 18l-5.5-2.5zM6.5 9.5L12 12l5.5-2.5M12 12v6' },
  back: { color: '#2a4aa8', d: 'M10 8l-3.5 3.5L10 15M7 11.5h6.5a3.5 3.5 0 010 7H12' },
};

export function icon(name: keyof typeof ICON_PATHS | string, size = 56): SafeHtml {
  const i = ICON_PATHS[name] ?? ICON_PATHS.check;
  return new SafeHtml(
    `<svg width="${size}" height="${size}" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="${i.color}" opacity=".12"/>` +
      `<path d="${i.d}" fill="none" stroke="${i.color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
  );
}

/** A coffee bag, in the product's colour. */
export function coffeeBag(color: string): SafeHtml {
  return new SafeHtml(
    `<svg width="64" height="72" viewBox="0 0 64 72" aria-hidden="true"><path d="M14 10h36l4 56H10z" fill="${color}"/>` +
      `<path d="M14 10l6-6h24l6 6" fill="${color}" opacity=".75"/><rect x="20" y="30" width="24" height="18" rx="3" fill="#fff" opacity=".9"/>` +
      `<ellipse cx="32" cy="39" rx="5" ry="7" fill="${color}" transform="rotate(25 32 39)"/><path d="M30 33c3 3 1 9 4 12" stroke="#fff" stroke-width="1.2" fill="none"/></svg>`,
  );
}

const CSS = `
:root { --ink:#1f1b16; --muted:#6b6259; --line:#e8e1d9; --bg:#faf7f2; --card:#fff; --accent:#5b3a29; --vipps:#ff5b24; --ok:#1f7a4d; --warn:#a15c00; --bad:#b3261e; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header { background:var(--accent); color:#fff; }
header .bar { max-width:960px; margin:0 auto; padding:14px 24px; display:flex; align-items:center; justify-content:space-between; }
header a { color:#fff; text-decoration:none; }
header .brand { font-weight:700; font-size:20px; letter-spacing:.2px; }
header nav a { margin-left:20px; opacity:.9; }
main { max-width:960px; margin:0 auto; padding:28px 24px 48px; }
h1 { font-size:28px; margin:0 0 6px; } h2 { font-size:19px; margin:0 0 12px; }
p.lead { color:var(--muted); margin:0 0 24px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:14px; padding:22px; margin-bottom:20px; box-shadow:0 1px 2px rgba(0,0,0,.03); }
.grid { display:grid; grid-template-columns:repeat(3,1fr); gap:16px; margin-bottom:24px; }
.product { display:flex; flex-direction:column; gap:6px; }
.product .pic { height:104px; border-radius:10px; display:flex; align-items:center; justify-content:center; }
.product .name { font-weight:600; } .product .price { color:var(--muted); }
.product a { margin-top:auto; color:var(--accent); font-weight:600; text-decoration:none; }
label { display:block; font-weight:600; margin:0 0 6px; font-size:14px; }
input[type=text] { width:100%; padding:10px 12px; border:1px solid #d6cdc3; border-radius:8px; font-size:16px; background:#fff; }
.row { display:grid; grid-template-columns:1fr 2fr; gap:16px; margin-bottom:18px; }
.btn { display:inline-flex; align-items:center; gap:8px; border:0; border-radius:8px; padding:11px 18px; font-size:15px; font-weight:600; cursor:pointer; text-decoration:none; }
.btn-vipps { background:var(--vipps); color:#fff; padding:13px 26px; font-size:17px; border-radius:10px; }
.btn-vipps:hover { background:#e84a15; }
.btn-plain { background:#efe8e0; color:var(--ink); }
.btn-danger { background:#fbe9e7; color:var(--bad); }
.status { display:inline-block; padding:3px 12px; border-radius:999px; font-size:13px; font-weight:700; text-transform:uppercase; letter-spacing:.4px; background:#eee; }
.status.pending { background:#fff4e0; color:var(--warn); }
.status.paid, .status.captured, .status.partially-captured { background:#e4f4ea; color:var(--ok); }
.status.refunded, .status.partially-refunded { background:#e8eefc; color:#2a4aa8; }
.status.failed, .status.expired, .status.cancelled, .status.terminated { background:#fbe9e7; color:var(--bad); }
.big-status { text-align:center; padding:36px 22px; }
.big-status .icon { line-height:0; margin-bottom:10px; }
.alert { border-radius:10px; padding:12px 16px; margin-bottom:18px; }
.alert.error { background:#fbe9e7; color:var(--bad); border:1px solid #f3c7c2; }
.alert.success { background:#e4f4ea; color:var(--ok); border:1px solid #bfe3cd; }
table { width:100%; border-collapse:collapse; font-size:14px; }
th, td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.nowrap, .status { white-space:nowrap; } .small { font-size:12px; }
td a { color:var(--accent); font-weight:600; }
.muted { color:var(--muted); } .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:13px; }
.actions { display:flex; flex-wrap:wrap; gap:14px; align-items:flex-end; }
.actions form { display:flex; gap:8px; align-items:flex-end; }
.actions input { width:130px; }
.cols { display:grid; grid-template-columns:1fr 1fr; gap:20px; }
.spinner { width:28px; height:28px; border:3px solid #f1dcc9; border-top-color:var(--vipps); border-radius:50%; margin:0 auto 12px; animation:spin 1s linear infinite; }
@keyframes spin { to { transform:rotate(360deg); } }
footer { max-width:960px; margin:0 auto; padding:0 24px 32px; color:var(--muted); font-size:13px; }
@media (max-width:720px) { .grid, .cols, .row { grid-template-columns:1fr; } }
`;

export function layout(opts: { title: string; shopName: string; body: SafeHtml; refreshSeconds?: number; testid: string }): string {
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${opts.title} · ${opts.shopName}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body data-testid="${opts.testid}">
<header><div class="bar"><a class="brand" href="/">${opts.shopName}</a><nav><a href="/">Shop</a><a href="/admin" data-testid="nav-admin">Back office</a></nav></div></header>
<main>${opts.body}</main>
<footer>A reference integration of the Vipps MobilePay ePayment API. Prices include VAT.</footer>
</body>
</html>`}`;
}
