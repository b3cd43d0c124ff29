import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository's src/ folder. */
export const SRC = resolve(import.meta.dirname, '../../src');

export interface Import {
  /** Importing file, relative to src/ (e.g. `sandbox/index.ts`). */
  from: string;
  /** Imported file, relative to src/ (only imports that resolve inside src/). */
  to: string;
  line: number;
  typeOnly: boolean;
}

/** Every .ts file under a folder, relative to src/. */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') || d.name.endsWith('.mjs') ? [relative(SRC, join(dir, d.name))] : [],
  );
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, across lines.
const STATIC = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one source text that land inside src/. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const add = (spec: string, index: number, typeOnly: boolean) => {
    if (!spec.startsWith('.')) return;
    const to = relative(SRC, resolve(SRC, dirname(file), spec));
    if (to.startsWith('..')) return;
    out.push({ from: file, to, line: text.slice(0, index).split('\n').length, typeOnly });
  };
  for (const m of text.matchAll(STATIC)) add(m[4], m.index, m[2] !== undefined);
  for (const m of text.matchAll(DYNAMIC)) add(m[1], m.index, false);
  return out;
}

/** Top-level folder of a src/ path (`sandbox/webhooks/plugin.ts` → `sandbox`; `index.ts` → `index.ts`). */
export const folderOf = (path: string): string => path.split('/')[0];

export function allImports(): Import[] {
  return sourceFiles().flatMap((f) => importsOf(f, readFileSync(join(SRC, f), 'utf8')));
}

/** Folder → folders it imports (edges between different top-level folders only). */
export function folderGraph(imports: readonly Import[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of imports) {
    const [a, b] = [folderOf(i.from), folderOf(i.to)];
    if (a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

/** Cycles in a graph, each as a path that ends where it starts (one per strongly connected group). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const out: string[][] = [];
  const done = new Set<string>();
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])])].sort();
  for (const start of nodes) {
    if (done.has(start)) continue;
    // Shortest path back to `start`, breadth first.
    const prev = new Map<string, string>();
    const queue = [start];
    let found: string[] | undefined;
    while (queue.length > 0 && !found) {
      const n = queue.shift()!;
      for (const next of [...(graph.get(n) ?? [])].sort()) {
        if (next === start) {
          found = [n];
          for (let p = n; p !== start; p = prev.get(p)!) found.unshift(prev.get(p)!);
          found.push(start);
          break;
        }
        if (!prev.has(next) && next !== start) {
          prev.set(next, n);
          queue.push(next);
        }
      }
    }
    if (found) {
      out.push(found);
      for (const n of found) done.add(n);
    }
    done.add(start);
  }
  return out;
}
