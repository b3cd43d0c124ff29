import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Videos of browser-driven flows. Playwright records a page's screencast through ffmpeg, and
 * looks for it at `<registry>/ffmpeg-<revision>/ffmpeg-linux` — normally put there by
 * `npx playwright install ffmpeg`, which downloads a build golive must not fetch. Debian's
 * `ffmpeg` package (apt-get install ffmpeg) encodes the same VP9/WebM; golive links it into a
 * registry directory of its own and points PLAYWRIGHT_BROWSERS_PATH there for the run (browsers
 * are unaffected: golive launches /usr/bin/chromium by path). Without any ffmpeg the run goes on
 * without videos and says so in the report.
 */

export interface VideoSupport {
  enabled: boolean;
  /** The ffmpeg Playwright will run. */
  ffmpeg?: string;
  /** Set PLAYWRIGHT_BROWSERS_PATH to this for the run (when golive provides the ffmpeg). */
  browsersPath?: string;
  /** One line for the report's environment and for flows without a video. */
  note: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INSTALL_HINT = 'install Debian\'s ffmpeg (apt-get install -y ffmpeg) or set GOLIVE_FFMPEG to an ffmpeg with libvpx-vp9';

let cached: VideoSupport | undefined;

/** Decide once per process whether flows can be recorded, linking a system ffmpeg if needed. */
export function videoSupport(env: NodeJS.ProcessEnv = process.env): VideoSupport {
  if (cached && env === process.env) return cached;
  const result = detect(env);
  if (env === process.env) cached = result;
  return result;
}

function detect(env: NodeJS.ProcessEnv): VideoSupport {
  if (/^(0|off|false|no)$/i.test(env.GOLIVE_VIDEO ?? '')) return { enabled: false, note: 'off (GOLIVE_VIDEO=off)' };
  const expected = playwrightFfmpegPath(env);
  if (!expected) return { enabled: false, note: 'off: Playwright has no ffmpeg for this platform' };
  if (isExecutable(expected.path) && !env.GOLIVE_FFMPEG) return { enabled: true, ffmpeg: expected.path, note: `on: Playwright's ffmpeg (${expected.path})` };

  const system = findSystemFfmpeg(env);
  if (!system) return { enabled: false, note: `off: no ffmpeg found — ${INSTALL_HINT}` };
  if (!encodesVp9(system)) return { enabled: false, note: `off: ${system} cannot encode VP9 (libvpx-vp9) — ${INSTALL_HINT}` };

  for (const base of [join(ROOT, 'node_modules/.cache/golive/ms-playwright'), join(tmpdir(), `golive-ms-playwright-${process.getuid?.() ?? 'user'}`)]) {
    const link = join(base, expected.relative);
    try {
      mkdirSync(dirname(link), { recursive: true });
      if (existsLink(link) && readlinkSync(link) !== system) rmSync(link, { force: true });
      if (!existsLink(link)) symlinkSync(system, link);
      return { enabled: true, ffmpeg: system, browsersPath: base, note: `on: ${system}, linked where Playwright looks for its ffmpeg` };
    } catch {
      /* read-only location: try the next */
    }
  }
  return { enabled: false, note: `off: could not link ${system} where Playwright looks for its ffmpeg` };
}

/** Where playwright-core looks for ffmpeg now, and that path relative to its registry directory. */
function playwrightFfmpegPath(env: NodeJS.ProcessEnv): { path: string; relative: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    // playwright-core's own registry (an internal but exported bundle) knows revision and file name.
    const { registry } = require('playwright-core/lib/coreBundle').registry;
    const path: string | undefined = registry.findExecutable('ffmpeg')?.executablePath();
    const dir: string = require('playwright-core/lib/coreBundle').registry.registryDirectory;
    if (path && dir && env === process.env) return { path, relative: relative(dir, path) };
  } catch {
    /* fall back to browsers.json */
  }
  try {
    const browsers = JSON.parse(readFileSync(join(dirname(require.resolve('playwright-core/package.json')), 'browsers.json'), 'utf8')) as { browsers: { name: string; revision: string }[] };
    const revision = browsers.browsers.find((b) => b.name === 'ffmpeg')?.revision;
    const file = process.platform === 'linux' ? 'ffmpeg-linux' : process.platform === 'darwin' ? 'ffmpeg-mac' : process.platform === 'win32' ? 'ffmpeg-win64.exe' : undefined;
    if (!revision || !file) return undefined;
    const base = env.PLAYWRIGHT_BROWSERS_PATH || join(env.XDG_CACHE_HOME || join(env.HOME ?? tmpdir(), '.cache'), 'ms-playwright');
    const rel = join(`ffmpeg-${revision}`, file);
    return { path: join(base, rel), relative: rel };
  } catch {
    return undefined;
  }
}

function findSystemFfmpeg(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GOLIVE_FFMPEG) return isExecutable(env.GOLIVE_FFMPEG) ? resolve(env.GOLIVE_FFMPEG) : undefined;
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(env.PATH ?? '').split(delimiter).filter(Boolean)]) {
    const candidate = join(dir, 'ffmpeg');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function encodesVp9(ffmpeg: string): boolean {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /libvpx-vp9/.test(r.stdout);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function existsLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return existsSync(path);
  }
}
