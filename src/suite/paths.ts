import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

// --- paths and globs ------------------------------------------------------------------------------

const GLOB_CHARS = /[*?[{]/;
const YAML_FILE = /\.ya?ml$/i;

/** Glob → RegExp over '/'-separated relative paths: `**`, `*`, `?`, `{a,b}`, `[abc]`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((p) => p.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += glob.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Files named by `patterns`: a file as is; a directory → its YAML files (recursively);
 * a glob → the matching files. Missing paths are returned as they are (reading reports them).
 */
export async function expandPaths(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (GLOB_CHARS.test(p)) {
      const parts = p.split(/[\\/]/);
      const firstGlob = parts.findIndex((s) => GLOB_CHARS.test(s));
      const base = parts.slice(0, firstGlob).join('/') || '.';
      const re = globToRegExp(parts.slice(firstGlob).join('/'));
      for (const f of await walk(base)) if (re.test(relative(base, f).split(sep).join('/'))) out.push(f);
      continue;
    }
    const st = await stat(p).catch(() => undefined);
    if (st?.isDirectory()) out.push(...(await walk(p)).filter((f) => YAML_FILE.test(f)));
    else out.push(p);
  }
  return [...new Set(out.map((f) => resolve(f)))].map((f) => relative(process.cwd(), f) || f);
}
