import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readAttachmentMap, readResults } from './results-store.ts';

/**
 * Screenshots under the names findings cite. A flow's screenshot is an Allure attachment named
 * by its path in the run folder (`screenshots/<suite>__<flow>/returnPage-3.png`, FlowContext);
 * `linkNamedScreenshots` makes that path a symbolic link to the one stored copy — the rendered
 * report's, else the results' — so the run folder holds each picture once and a reviewer finds
 * the file a finding names. The manifest records each link with its target.
 */
export const SCREENSHOTS_DIR = 'screenshots';

interface Node {
  attachments?: { name: string; source: string; type?: string }[];
  steps?: Node[];
}

/** Every attachment named `screenshots/…` in the results, with the file it is stored in. */
export function namedScreenshots(resultsDir: string): { name: string; stored: string }[] {
  const map = readAttachmentMap(resultsDir);
  const out: { name: string; stored: string }[] = [];
  const walk = (n: Node) => {
    for (const a of n.attachments ?? []) {
      if (!a.name.startsWith(`${SCREENSHOTS_DIR}/`)) continue;
      out.push({ name: a.name, stored: map[a.source] ? resolve(resultsDir, map[a.source]) : join(resultsDir, a.source) });
    }
    for (const s of n.steps ?? []) walk(s);
  };
  for (const r of readResults(resultsDir)) walk(r as Node);
  return out;
}

/** (Re)create `<run-dir>/screenshots/…` links for every named screenshot; returns how many. */
export function linkNamedScreenshots(runDir: string, resultsDir: string): number {
  let n = 0;
  for (const { name, stored } of namedScreenshots(resultsDir)) {
    const link = resolve(runDir, name);
    // Only inside the run folder's screenshots/ (names come from result files).
    if (!link.startsWith(resolve(runDir, SCREENSHOTS_DIR) + sep) || !existsSync(stored)) continue;
    mkdirSync(dirname(link), { recursive: true });
    const target = relative(dirname(link), stored);
    if (isLink(link) && readlinkSync(link) === target) continue;
    rmSync(link, { force: true });
    symlinkSync(target, link);
    n++;
  }
  return n;
}

function isLink(p: string): boolean {
  try {
    readlinkSync(p);
    return true;
  } catch {
    return false;
  }
}

