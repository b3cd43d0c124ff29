/**
 * Text from outside (an integration's answers, its output, error messages that quote them) on
 * golive's terminal: control characters escaped so an answer cannot move the cursor, clear the
 * screen or paint a fake verdict; long messages cut with "…" (the full text is in the report).
 */

// C0 controls except \n and \t, DEL, and C1 controls (ESC-less CSI is U+009B).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function escapeControl(text: string, { keepNewlines = true } = {}): string {
  const out = text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x1b) return '\\e';
    if (code === 0x0d) return '\\r';
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return keepNewlines ? out : out.replace(/\n/g, '\\n').replace(/\t/g, ' ');
}

/** One terminal line: escaped, newlines folded, at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  return cut(escapeControl(text.trim(), { keepNewlines: false }).replace(/\s+/g, ' '), max);
}

export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

/** Whether golive's own terminal output is coloured (see `palette`). */
export function colourOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GOLIVE_COLOR === '0' || env.GOLIVE_COLOR === '1') return env.GOLIVE_COLOR === '1';
  if (env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Colours on a TTY only, and never when NO_COLOR is set (or FORCE_COLOR=0); GOLIVE_COLOR (set by `golive run` for Playwright) decides first. */
export function palette(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Palette {
  if (!colourOn(stream, env)) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
