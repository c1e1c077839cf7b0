/**
 * The bench's one table: each figure beside its floor, the ratio and the target ratio (or an absolute
 * `max` where the floor is nothing, as idle), marked OVER when above it. Used by scripts/bench.js and by each part run alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const number = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The table's rows as text; `over` counts the figures above their target (or marked failed). */
export function table(figures) {
  const rows = [['figure', 'offcirc', 'floor', 'ratio', 'target', '']];
  let over = 0;
  for (const f of figures) {
    const ratio = f.floor ? f.value / f.floor : undefined;
    const bad =
      f.failed ||
      (f.target !== undefined && ratio !== undefined && ratio > f.target) ||
      (f.max !== undefined && f.value > f.max);
    if (bad) over += 1;
    rows.push([
      f.name,
      `${number(f.value)} ${f.unit}`,
      f.floor === undefined ? '' : `${number(f.floor)} ${f.unit} (${f.floorName})`,
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      f.target !== undefined ? `≤ ${f.target}x` : f.max !== undefined ? `≤ ${f.max} ${f.unit}` : '',
      `${bad ? 'OVER' : f.target === undefined && f.max === undefined ? '' : 'ok'}${f.note ? `  ${f.note}` : ''}`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const text = rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  return { text, over };
}

/** Runs one part alone (node scripts/bench/<part>.mjs [--quick]) in a temp folder it removes. */
export async function runAlone(measure) {
  const quick = process.argv.includes('--quick');
  const dir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'offcirc-bench-'));
  try {
    const figures = await measure({ quick, dir, log: (line) => console.log(line) });
    const { text, over } = table(figures);
    console.log(`\n${text}`);
    process.exitCode = over === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
