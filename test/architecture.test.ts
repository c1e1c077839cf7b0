/**
 * The shape of the code, read from its imports: the kiosk's rules and the barcode rules stay pure (no
 * devices, station, screen, journal or Node I/O), and no folder of src/ imports a folder that imports it
 * back (a top-level file counts as a folder of its own). Type-only imports count too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(pattern)) found.push((match[1] ?? match[2] ?? match[3])!);
  return found;
}

/** The unit a file belongs to: its top folder under src/, or the file itself at the top. */
function unitOf(file: string): string {
  const relative = path.relative(SRC, file);
  const [first, ...rest] = relative.split(path.sep);
  return rest.length > 0 ? `${first}/` : first!.replace(/\.tsx?$/, '');
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles()) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        out.push({ from: unitOf(file), to: specifier, file, specifier });
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
      out.push({ from: unitOf(file), to: unitOf(target), file: path.relative(SRC, file), specifier });
    }
  }
  return out;
}

describe('the shape of src/', () => {
  const all = edges();

  it('reads the imports it judges (the reader finds them)', () => {
    expect(
      importsOf(`import type { A } from './a.js';\nexport { b } from "../b.js";\nawait import('./c.js');`),
    ).toEqual(['./a.js', '../b.js', './c.js']);
    expect(all.some((e) => e.from === 'kiosk/' && e.to === 'config/')).toBe(true);
  });

  it('kiosk/ and barcode/ import no devices, station, screen, journal, log or Node I/O', () => {
    // node:v8 and node:vm are no I/O: the classifier bounds a pattern's time with them.
    const forbidden =
      /^(devices|station|tui|journal|commands|app|run|cli|log)\/?$|^(node:)?(fs|fs\/promises|net|child_process|dgram|http|https|tls|dns|os|readline|worker_threads|stream)$|^(serialport|node-hid|ink|react)$/;
    const wrong = all
      .filter((e) => (e.from === 'kiosk/' || e.from === 'barcode/') && forbidden.test(e.to))
      .map((e) => `${e.file} imports ${e.specifier}`);
    expect(wrong).toEqual([]);
  });

  it('no folder imports a folder that imports it back', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) {
      if (!e.specifier.startsWith('.') || e.from === e.to) continue;
      if (!graph.has(e.from)) graph.set(e.from, new Set());
      graph.get(e.from)!.add(e.to);
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const next of graph.get(from) ?? []) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          if (reaches(next, to, seen)) return true;
        }
      }
      return false;
    };
    const cycles = all
      .filter((e) => e.specifier.startsWith('.') && e.from !== e.to && reaches(e.to, e.from))
      .map((e) => `${e.file} (${e.from}) imports ${e.specifier} (${e.to}), which leads back to ${e.from}`);
    expect(cycles).toEqual([]);
  });
});
