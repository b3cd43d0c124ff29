import { escapeXml } from '../shared/escape.ts';
import type { Observation } from '../checks/types.ts';
import type { Exchange } from '../traffic/types.ts';
import { exchangeLabel, lanesOf, signatureVerdict, type Lane } from './exchange-attachments.ts';
import { AGGREGATE_KEYS } from '../contract/epayment.ts';

/**
 * A sequence diagram of one flow, drawn from its traffic log and the runner's observations:
 * four lanes — Customer (browser), golive, Merchant (the integration), Vipps (sandbox) — one
 * arrow per HTTP exchange, labelled `POST /epayment/v1/payments → 201` with the time since the
 * flow started, and notes for what golive saw or did (customer actions, faults, pages, errors).
 *
 * The width is fixed; long labels wrap onto more lines, so a flow with many exchanges grows
 * downwards and stays readable. Pure: same input, same SVG.
 */

export interface SequenceDiagramInput {
  exchanges: readonly Exchange[];
  observations?: readonly Observation[];
  title?: string;
  /** Time zero for the `+1.234 s` column (sandbox clock ms); default: the earliest event. */
  startedAt?: number;
}

export const LANES: readonly { id: Lane; title: string; subtitle: string }[] = [
  { id: 'customer', title: 'Customer', subtitle: 'browser' },
  { id: 'golive', title: 'golive', subtitle: 'test driver' },
  { id: 'merchant', title: 'Merchant', subtitle: 'integration under test' },
  { id: 'vipps', title: 'Vipps', subtitle: 'sandbox' },
];

const FONT = 12;
/** Advance of one character of the monospace font at FONT px (DejaVu Sans Mono: 0.602 em). */
const CHAR_W = FONT * 0.61;
const LINE_H = 15;
const TIME_W = 92;
/**
 * Lifeline positions: most traffic runs between the merchant and Vipps, so that gap is the
 * widest (about 55 characters before a label wraps).
 */
const LANE_X: Record<Lane, number> = { customer: 200, golive: 420, merchant: 640, vipps: 1070 };
const HEAD_W = 190;
const NOTE_W = 300;
const HEAD_H = 44;
const TOP = 40;
const WIDTH = LANE_X.vipps + HEAD_W / 2 + 20;

const COLORS = {
  ink: '#1d1d1f',
  muted: '#6b6b72',
  line: '#b9b4ae',
  ok: '#1f6f43',
  warn: '#a15c00',
  bad: '#b3261e',
  webhook: '#5b3cc4',
  customer: '#0b63b6',
};

type Row =
  | { kind: 'arrow'; at: number; from: Lane; to: Lane; lines: string[]; color: string; dashed: boolean; marks: string[]; seq: number }
  | { kind: 'note'; at: number; lane: Lane; lines: string[]; tone: 'info' | 'bad' | 'warn' | 'customer' | 'muted' };

export function sequenceDiagramSvg(input: SequenceDiagramInput): string {
  const rows = buildRows(input);
  const times = rows.map((r) => r.at).filter((t) => Number.isFinite(t));
  const zero = input.startedAt ?? (times.length ? Math.min(...times) : 0);
  const x = (lane: Lane) => LANE_X[lane];

  const body: string[] = [];
  let y = TOP + HEAD_H + 18;
  for (const row of rows) {
    const rel = `+${((row.at - zero) / 1000).toFixed(3)} s`;
    if (row.kind === 'arrow') {
      const x1 = x(row.from);
      const x2 = x(row.to);
      const left = Math.min(x1, x2);
      const textY = y + FONT;
      const lineY = y + row.lines.length * LINE_H + 6;
      body.push(`<g class="arrow" data-seq="${row.seq}">`);
      body.push(text(8, lineY + 4, rel, { fill: COLORS.muted, cls: 'time' }));
      row.lines.forEach((l, i) => body.push(text(left + 8, textY + i * LINE_H, l, { fill: i === 0 ? row.color : COLORS.ink, cls: 'label' })));
      const dir = x2 > x1 ? 1 : -1;
      body.push(
        `<line x1="${x1}" y1="${lineY}" x2="${x2 - dir * 2}" y2="${lineY}" stroke="${row.color}" stroke-width="1.6"${row.dashed ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#head-${colorKey(row.color)})"/>`,
      );
      if (row.marks.length) body.push(text(x2 - dir * 10, lineY - 3, row.marks.join(' '), { fill: COLORS.bad, anchor: dir > 0 ? 'end' : 'start', cls: 'mark', bold: true }));
      body.push('</g>');
      y = lineY + 12;
    } else {
      const w = Math.min(NOTE_W, Math.max(...row.lines.map((l) => l.length)) * CHAR_W + 16);
      const left = Math.min(Math.max(x(row.lane) - w / 2, TIME_W + 4), WIDTH - 8 - w);
      const h = row.lines.length * LINE_H + 8;
      const tone = NOTE_TONES[row.tone];
      body.push(`<g class="note note-${row.tone}">`);
      body.push(text(8, y + FONT + 3, rel, { fill: COLORS.muted, cls: 'time' }));
      body.push(`<rect x="${left.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" rx="4" fill="${tone.fill}" stroke="${tone.stroke}"/>`);
      row.lines.forEach((l, i) => body.push(text(left + 8, y + FONT + 3 + i * LINE_H, l, { fill: tone.ink, cls: 'note-text' })));
      body.push('</g>');
      y += h + 10;
    }
  }
  const bottom = y + 8;
  const height = bottom + HEAD_H + 12;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${FONT}">`,
  );
  out.push(`<title>${esc(input.title ?? 'golive flow')}</title>`);
  out.push('<defs>');
  for (const color of new Set(Object.values(COLORS))) {
    out.push(`<marker id="head-${colorKey(color)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(text(8, 24, input.title ?? 'golive flow', { fill: COLORS.ink, bold: true, size: 14 }));
  const counts = `${input.exchanges.length} HTTP exchange${input.exchanges.length === 1 ? '' : 's'}`;
  out.push(text(WIDTH - 8, 24, counts, { fill: COLORS.muted, anchor: 'end' }));
  for (const lane of LANES) {
    const cx = x(lane.id);
    out.push(`<line class="lifeline" x1="${cx}" y1="${TOP + HEAD_H}" x2="${cx}" y2="${bottom}" stroke="${COLORS.line}" stroke-dasharray="4 4"/>`);
    for (const top of [TOP, bottom]) out.push(laneHead(cx, top, lane.title, lane.subtitle));
  }
  out.push(...body);
  out.push('</svg>');
  return out.join('\n');
}

const NOTE_TONES = {
  info: { fill: '#f4f1ec', stroke: '#d8d2ca', ink: COLORS.ink },
  customer: { fill: '#e8f1fb', stroke: '#a9c8ec', ink: '#0a3f73' },
  warn: { fill: '#fff4e0', stroke: '#f0c27a', ink: '#6b3d00' },
  bad: { fill: '#fdeceb', stroke: '#eea39e', ink: COLORS.bad },
  muted: { fill: '#f7f7f8', stroke: '#dedee2', ink: COLORS.muted },
} as const;

function laneHead(cx: number, top: number, title: string, subtitle: string): string {
  const w = HEAD_W;
  return [
    `<g class="lane-head">`,
    `<rect x="${cx - w / 2}" y="${top}" width="${w}" height="${HEAD_H - 6}" rx="6" fill="#26262a"/>`,
    text(cx, top + 16, title, { fill: '#ffffff', anchor: 'middle', bold: true }),
    text(cx, top + 31, subtitle, { fill: '#c9c9cf', anchor: 'middle', size: 11 }),
    '</g>',
  ].join('');
}

function buildRows(input: SequenceDiagramInput): Row[] {
  const rows: Row[] = [];
  for (const e of input.exchanges) {
    const { from, to } = lanesOf(e);
    const width = Math.floor((Math.abs(LANE_X[from] - LANE_X[to]) - 16) / CHAR_W);
    const failed = !e.response || e.response.status >= 400;
    const faulted = Boolean(e.fault);
    const color = faulted || failed ? COLORS.bad : e.kind === 'webhook' || e.kind === 'callback' ? COLORS.webhook : from === 'customer' ? COLORS.customer : e.response && e.response.status >= 300 ? COLORS.warn : COLORS.ok;
    const lines = wrap(exchangeLabel(e, { path: e.kind !== 'webhook' }), width);
    const extra: string[] = [];
    if (e.kind === 'webhook' || e.kind === 'callback') extra.push(signatureVerdict(e).short);
    if (e.fault) extra.push(`fault: ${e.fault}`);
    if (e.error && e.response) extra.push(`error: ${e.error}`);
    if (e.operation) extra.push(`[${e.operation}${e.durationMs !== undefined ? `, ${Math.round(e.durationMs)} ms` : ''}]`);
    for (const x of extra) lines.push(...wrap(x, width));
    rows.push({ kind: 'arrow', at: e.startedAt, from, to, lines, color, dashed: !e.response, marks: faulted ? ['⚡'] : !e.response ? ['✕'] : [], seq: e.seq });
  }
  let previous = '';
  for (const o of input.observations ?? []) {
    const note = noteOf(o);
    // The runner re-records an unchanged order status as evidence; once is enough here.
    if (!note || `${note.lane} ${note.text}` === previous) continue;
    previous = `${note.lane} ${note.text}`;
    rows.push({ kind: 'note', at: o.at, lane: note.lane, tone: note.tone, lines: wrap(note.text, Math.floor((NOTE_W - 16) / CHAR_W)) });
  }
  // Stable by time; at equal times an exchange comes before the note that reports on it.
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.at - b.r.at || (a.r.kind === b.r.kind ? a.i - b.i : a.r.kind === 'arrow' ? -1 : 1))
    .map(({ r }) => r);
}

function noteOf(o: Observation): { lane: Lane; text: string; tone: 'info' | 'bad' | 'warn' | 'customer' | 'muted' } | undefined {
  switch (o.type) {
    case 'customer':
      return {
        lane: 'customer',
        tone: 'customer',
        text: o.action === 'ignore' ? 'customer ignores the payment' : `customer ${o.action === 'open-landing' ? 'opens the landing page' : `${o.action}s`} (${o.via === 'landing' ? 'on the landing page' : o.via === 'app' ? `in the app${o.consent ? `, consent: ${o.consent}` : ''}` : 'simulated via sandbox control'})${o.redirect ? ', is sent back' : ''}`,
      };
    case 'qr-scan':
      return {
        lane: 'customer',
        tone: o.error || (o.opened?.status ?? 200) >= 400 ? 'bad' : 'customer',
        text: `customer scans the ${o.kind} QR ${o.qrId ?? o.reference ?? ''}: ${o.error ? `leads nowhere (${o.error})` : `${o.target ?? ''}${o.opened ? ` (${o.opened.status ?? 'no answer'} in a fresh browser)` : ''}`}`,
      };
    case 'page':
      return { lane: 'customer', tone: 'info', text: `page ${o.name}${o.status ? ` (${o.status})` : ''}${o.freshBrowser ? ' in a fresh browser' : ''}${o.url ? `: ${o.url}` : ''}` };
    case 'navigation':
      return { lane: 'customer', tone: o.topLevel ? 'info' : 'bad', text: `browser opened the Vipps page ${o.topLevel ? 'top-level' : 'INSIDE AN IFRAME'}` };
    case 'payment':
      return { lane: 'golive', tone: 'muted', text: `Vipps says ${o.reference}: ${o.state}${o.aggregate ? ` (${aggregateText(o.aggregate)})` : ''}` };
    case 'merchant-order':
      return { lane: 'golive', tone: 'muted', text: `merchant shows ${o.reference}: ${o.status}` };
    case 'fault':
      return { lane: 'vipps', tone: 'warn', text: `⚡ fault armed: ${o.description}` };
    case 'clock':
      return { lane: 'vipps', tone: 'muted', text: `sandbox clock +${formatMs(o.advancedMs)}` };
    case 'webhook-forgery':
      return {
        lane: 'golive',
        tone: o.responseStatus !== undefined && o.responseStatus < 300 ? 'bad' : 'info',
        text: `forged webhook (${o.tamper}) answered ${o.responseStatus ?? 'nothing'}; order ${o.statusBefore ?? '?'} → ${o.statusAfter ?? '?'}`,
      };
    case 'crossed-delivery':
      return {
        lane: 'golive',
        tone: o.statusBefore !== o.statusAfter ? 'bad' : 'info',
        text: `${o.name} for MSN ${o.msn} with this order's reference answered ${o.responseStatus ?? 'nothing'}; order ${o.statusBefore ?? '?'} → ${o.statusAfter ?? '?'}`,
      };
    case 'step-error':
      return { lane: 'golive', tone: 'bad', text: `✕ step failed: ${o.step}: ${o.message}` };
    default:
      return undefined;
  }
}

function aggregateText(agg: Record<string, { value: number; currency: string }>): string {
  const parts = AGGREGATE_KEYS
    .filter((k) => agg[k] && agg[k].value > 0)
    .map((k) => `${k.replace('Amount', '')} ${(agg[k].value / 100).toFixed(2)}`);
  return parts.join(', ') || 'nothing authorized';
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * Break text into lines of at most `width` characters: at the last space, else before a / ? &
 * or after a . - = (so paths and event names break where a reader expects), else hard.
 * A no-break space (U+00A0) keeps `→ 201` together.
 */
export function wrap(input: string, width: number): string[] {
  const out: string[] = [];
  let rest = input.replace(/[ \t\r\n]+/g, ' ').trim();
  const w = Math.max(8, width);
  while (rest.length > w) {
    const window = rest.slice(0, w + 1);
    const space = window.lastIndexOf(' ');
    let cut = -1;
    for (let i = w; i > w / 4; i--) {
      const c = window[i];
      if ('/?&'.includes(c)) cut = i;
      else if ('.-='.includes(window[i - 1]) && i < w + 1) cut = i;
      if (cut > 0) break;
    }
    if (space >= w / 2 || (space > 0 && space >= cut)) {
      out.push(rest.slice(0, space));
      rest = rest.slice(space + 1);
    } else {
      if (cut <= 0) cut = w;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest.length || out.length === 0) out.push(rest);
  return out.map((l) => l.replace(/\u00a0/g, ' '));
}

function text(x: number, y: number, content: string, o: { fill?: string; anchor?: 'start' | 'middle' | 'end'; bold?: boolean; size?: number; cls?: string } = {}): string {
  const attrs = [`x="${round(x)}"`, `y="${round(y)}"`];
  if (o.fill) attrs.push(`fill="${o.fill}"`);
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.bold) attrs.push('font-weight="bold"');
  if (o.size) attrs.push(`font-size="${o.size}"`);
  if (o.cls) attrs.push(`class="${o.cls}"`);
  return `<text ${attrs.join(' ')} xml:space="preserve">${esc(content)}</text>`;
}

const round = (n: number) => Math.round(n * 10) / 10;
const colorKey = (c: string) => c.replace('#', '');

/** XML text/attribute escaping; also drops characters XML 1.0 forbids. */
export const esc = escapeXml;
