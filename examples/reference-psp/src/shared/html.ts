/** The HTML frame both PSP modes' pages share (return, 3-D Secure and admin pages). */

export const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const kroner = (øre: number) => `${(øre / 100).toFixed(2)} kr`;

export function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<title>${escape(title)} · Reference PSP</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
button{background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:.8rem 1.4rem;font-size:1.05rem;cursor:pointer}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;font-size:.9rem}</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>`;
}

export function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p>(none)</p>';
  return `<table><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

export function notFoundPage(what: string): string {
  return page('Not found', `<p id="error">${escape(what)}</p>`);
}

/** The test 3-D Secure challenge: one button (`#complete-3ds`) that POSTs to `action`. */
export function threeDSecureForm(action: string, amount: number): string {
  return page(
    '3-D Secure',
    `<p>Confirm the payment of <strong>${kroner(amount)}</strong> with your card issuer (test challenge).</p>
<form method="post" action="${escape(action)}">
<button id="complete-3ds" type="submit">Complete 3-D Secure</button>
</form>`,
  );
}
