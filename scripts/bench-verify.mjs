#!/usr/bin/env node
/**
 * Benchmarks the BUILT `offcirc verify` on a generated good OffCirc.dat of a million lines (about 100 MB):
 * prints the file size, wall time and the verifying process's peak memory. Build first:
 *   npx tsc -p tsconfig.build.json && node scripts/bench-verify.mjs [--lines N] [--twice] [--merge] [--keep]
 * --twice verifies the file given twice (every line of the second copy is a duplicate).
 * --merge instead merges two generated files of N lines each (other items, the same minutes) with
 * `offcirc merge`, and checks the output's size.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const lines = Number(option('--lines', '1000000'));
const twice = args.includes('--twice');
const mergeToo = args.includes('--merge');
const keep = args.includes('--keep');

const built = path.join(root, 'dist', 'commands', 'verify.js');
if (!existsSync(built)) {
  console.error(`no ${path.relative(root, built)}: build first (npx tsc -p tsconfig.build.json)`);
  process.exit(2);
}

/**
 * Writes `count` distinct valid lines (one a minute from 2025-01-01, two loans to one return), 20 000
 * lines a write. One Date per hour, not per line: the formatting, not the disk, is what takes time.
 */
function generate(file, count, station = '') {
  const fd = openSync(file, 'w');
  const two = (n) => String(n).padStart(2, '0');
  const minutes = Array.from({ length: 60 }, (_, m) => two(m));
  const start = new Date(2025, 0, 1, 0, 0).getTime();
  const chunkLines = 20_000;
  let hour = -1;
  let prefix = '';
  try {
    for (let from = 0; from < count; from += chunkLines) {
      let text = '';
      for (let i = from; i < Math.min(count, from + chunkLines); i++) {
        if (Math.floor(i / 60) !== hour) {
          hour = Math.floor(i / 60);
          const d = new Date(start + hour * 3_600_000);
          prefix = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}`;
        }
        const item = `3${station}${String(i).padStart(13 - station.length, '0')}${' '.repeat(66)}`;
        text +=
          i % 3 === 2
            ? `${prefix}${minutes[i % 60]}R${item}\r\n`
            : `${prefix}${minutes[i % 60]}L${item}2${String(i % 50_000).padStart(13, '0')}\r\n`;
      }
      writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the verify (or merge) child; returns exit code, wall ms, peak RSS in KiB and what it printed. */
function run(files, mergeOut) {
  // The lead's CLI once it has `verify`; until then the built module itself.
  const cli = path.join(root, 'bin', 'offcirc.js');
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  const viaCli = /^\s+verify\b/m.test(help.stdout ?? '');
  const command = mergeOut
    ? [cli, 'merge', ...files, '--out', mergeOut]
    : viaCli
      ? [cli, 'verify', ...files]
      : [
          '--input-type=module',
          '-e',
          `import { verifyCommand } from ${JSON.stringify(built)};
         const io = { out: (s) => console.log(s), err: (s) => console.error(s) };
         process.exitCode = await verifyCommand(process.argv.slice(1), { json: false }, io);`,
          ...files,
        ];
  const gnuTime = existsSync('/usr/bin/time');
  const [exe, argv] = gnuTime
    ? ['/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, ...command]]
    : [process.execPath, command];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(exe, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let polled = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // Without GNU time, sample the kernel's high-water mark of the child while it runs.
    const timer = gnuTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) polled = Math.max(polled, Number(m[1]));
          } catch {
            // The child has just ended.
          }
        }, 10);
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /PEAK_RSS_KB=(\d+)/.exec(err);
      resolve({
        code,
        ms,
        peakKb: m ? Number(m[1]) : polled,
        how: gnuTime ? '/usr/bin/time' : '/proc VmHWM',
        via: mergeOut ? 'bin/offcirc.js merge' : viaCli ? 'bin/offcirc.js verify' : 'dist/commands/verify.js',
        out: out.trim(),
        err: err.replace(/PEAK_RSS_KB=\d+\n?/, '').trim(),
      });
    });
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-bench-'));
try {
  const file = path.join(dir, 'OffCirc.dat');
  const t0 = Date.now();
  generate(file, lines);
  const size = statSync(file).size;
  console.log(`generated ${lines} lines, ${(size / 1e6).toFixed(1)} MB in ${Date.now() - t0} ms: ${file}`);
  const inputs = twice ? [file, file] : [file];
  const merged = path.join(dir, 'merged.dat');
  if (mergeToo) {
    const second = path.join(dir, 'OffCirc-2.dat');
    generate(second, lines, '9');
    inputs.splice(0, inputs.length, file, second);
  }
  const result = await run(inputs, mergeToo ? merged : undefined);
  console.log(`${mergeToo ? 'merge' : 'verify'} via ${result.via}: exit ${result.code}`);
  if (mergeToo && result.code === 0 && statSync(merged).size !== 2 * size) {
    console.log(`  merged file is ${statSync(merged).size} bytes, expected ${2 * size}`);
    result.code = 1;
  }
  console.log(`  output: ${result.out.split('\n').slice(-1)[0]}`);
  if (result.err) console.log(`  stderr: ${result.err}`);
  console.log(
    `  wall time: ${(result.ms / 1000).toFixed(2)} s (${Math.round((lines * (twice || mergeToo ? 2 : 1)) / (result.ms / 1000)).toLocaleString('en')} lines/s)`,
  );
  console.log(`  peak memory (RSS): ${(result.peakKb / 1024).toFixed(1)} MiB (${result.how})`);
  process.exitCode = result.code === (twice ? 1 : 0) ? 0 : 1;
} finally {
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
