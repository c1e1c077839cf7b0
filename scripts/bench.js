#!/usr/bin/env node
/**
 * npm run bench [-- --quick]: every performance figure of offcirc beside a floor measured in the same run,
 * with the ratio and the target (issue 13), in one table:
 * - scan.mjs: per scan (latency, callgrind instructions), memory, a burst, a flood;
 * - start.mjs: --version, --help, ready, ready on a 10M-line journal, the screen's first frame;
 * - files.mjs: verify and merge of 10M lines against a chunked read and sort -m;
 * - idle.mjs: an idle kiosk, headless and with the screen.
 * Then the patron list and forwarding benches (their own figures). --quick: small sizes, a few minutes in
 * all, no callgrind. Exits 1 if a figure is over its target or a scan was lost. Never part of npm test.
 * Only some parts: node scripts/bench.js [--quick] scan start files idle
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { table } from './bench/report.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const PARTS = ['scan', 'start', 'files', 'idle'];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args.filter((a) => PARTS.includes(a));
const parts = chosen.length > 0 ? chosen : PARTS;

const started = Date.now();
console.log(
  `offcirc bench${quick ? ' --quick' : ''}: ${parts.join(', ')}; node ${process.version}; ${new Date().toISOString()}`,
);
const figures = [];
for (const part of parts) {
  const file = path.join(ROOT, 'scripts', 'bench', `${part}.mjs`);
  if (!existsSync(file)) {
    console.log(`${part}: no ${path.relative(ROOT, file)}`);
    continue;
  }
  const dir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), `offcirc-bench-${part}-`));
  const t0 = Date.now();
  try {
    const { measure } = await import(file);
    const got = await measure({ quick, dir, log: (line) => console.log(`  ${line}`) });
    figures.push(...got);
    console.log(`${part}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    console.log(table(got).text.replace(/^/gm, '  '));
  } catch (error) {
    console.log(`${part}: failed: ${error instanceof Error ? error.stack : String(error)}`);
    figures.push({ name: `${part}: the bench itself`, value: NaN, unit: '', failed: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { text, over } = table(figures);
console.log(`\nall figures (${((Date.now() - started) / 60_000).toFixed(1)} min):\n${text}`);
console.log(`\n${over === 0 ? 'every figure within its target' : `${over} figure(s) over their target`}`);

if (chosen.length === 0) {
  // The patron list's and forwarding's own benches (issues 11 and 12), smaller with --quick.
  const env = {
    ...process.env,
    ...(quick && { BENCH_PATRONS: '100000', BENCH_JSON_USERS: '20000', BENCH_STATIONS: '20' }),
  };
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bench-patrons.mjs')], { stdio: 'inherit', env });
  if (existsSync('/usr/lib/postgresql/15/bin/initdb'))
    spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bench-forward.mjs')], { stdio: 'inherit', env });
  else console.log('bench: forwarding at scale skipped, needs postgresql: apt-get install postgresql');
}
process.exitCode = over === 0 ? 0 : 1;
