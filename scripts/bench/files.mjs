#!/usr/bin/env node
/**
 * The file tools against their floors (issue 13), on generated good OffCirc.dat files in `dir`:
 *   verify of 10M lines (quick: 1M) against a chunked read of the same file (1 MiB reads, indexOf of
 *   '\n' counting lines, in a node child); merge of 2 × 5M lines (quick: 2 × 500k) against
 *   `LC_ALL=C sort -m` of the same files. Each timed run alternates offcirc and its floor, 3 runs each
 *   (quick: 1), medians; peak memory by /usr/bin/time -f %M. The merged file must equal sort -m's
 *   output byte for byte (the files are in time order, ten lines a minute, the first file's before the
 *   second's within a minute, one action a minute: sort -m and merge put them in the same order).
 * Uses the BUILT CLI (npm run build). Alone: node scripts/bench/files.mjs [--quick]
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIOSK_NODE_FLAGS, figure, median } from './common.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin', 'offcirc.js');
const MiB = 1024 * 1024;

/**
 * Writes `count` valid lines, ten a minute from 2020-01-01 (so 10M lines end in 2021: none in the
 * future), one action a minute (two minutes of loans, one of returns), items `3` + station + number.
 */
function generate(file, count, station) {
  const fd = openSync(file, 'w');
  const two = (n) => String(n).padStart(2, '0');
  const start = new Date(2020, 0, 1, 0, 0).getTime();
  const pad = ' '.repeat(80);
  let hour = -1;
  let prefix = '';
  try {
    for (let from = 0; from < count; from += 20_000) {
      let text = '';
      for (let i = from; i < Math.min(count, from + 20_000); i++) {
        const minute = Math.floor(i / 10);
        if (Math.floor(minute / 60) !== hour) {
          hour = Math.floor(minute / 60);
          const d = new Date(start + hour * 3_600_000);
          prefix = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}`;
        }
        const item = `3${station}${String(i).padStart(13 - station.length, '0')}`;
        const stamp = prefix + two(minute % 60);
        text +=
          minute % 3 === 2
            ? `${stamp}R${item}${pad.slice(item.length)}\r\n`
            : `${stamp}L${item}${pad.slice(item.length)}2${String(i % 50_000).padStart(13, '0')}\r\n`;
      }
      writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
}

/** The floor of verify: a chunked read of the file counting its lines, in a child of its own. */
const CHUNKED_READ = `
const { openSync, readSync, closeSync } = require('node:fs');
const fd = openSync(process.argv[1], 'r');
const buffer = Buffer.allocUnsafe(1 << 20);
let lines = 0;
for (;;) {
  const n = readSync(fd, buffer, 0, buffer.length, null);
  if (n === 0) break;
  for (let i = buffer.indexOf(10); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
}
closeSync(fd);
console.log(lines);`;

/** A peak-memory row: medians of KiB readings in MiB, at most 100 MiB whatever the floor. */
const memoryFigure = (name, kb, floorKb, floorName) => ({
  ...figure(
    name,
    median(kb) / 1024,
    'MiB',
    median(floorKb) / 1024,
    floorName,
    undefined,
    'flat in the file size',
  ),
  max: 100,
});

/** Runs a command under /usr/bin/time; resolves with exit code, wall ms, peak RSS (KiB) and output. */
function timed(argv, stdoutFile) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', ...argv], {
      stdio: ['ignore', stdoutFile === undefined ? 'pipe' : stdoutFile, 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const peak = /PEAK_RSS_KB=(\d+)/.exec(err);
      resolve({ code, ms, peakKb: peak ? Number(peak[1]) : NaN, out, err });
    });
  });
}

/** Whether two files hold the same bytes (streamed, 1 MiB at a time). */
async function sameBytes(a, b) {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [await open(a), await open(b)];
  try {
    const [ba, bb] = [Buffer.alloc(MiB), Buffer.alloc(MiB)];
    for (;;) {
      const [{ bytesRead: na }, { bytesRead: nb }] = await Promise.all([
        fa.read(ba, 0, MiB),
        fb.read(bb, 0, MiB),
      ]);
      if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      if (na === 0) return true;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** @param {{ quick: boolean, dir: string, log: (line: string) => void }} options */
export async function measure({ quick, dir, log }) {
  const verifyLines = quick ? 1_000_000 : 10_000_000;
  const mergeLines = quick ? 500_000 : 5_000_000;
  const runs = quick ? 1 : 3;
  const figures = [];

  const single = path.join(dir, 'verify.dat');
  let t = Date.now();
  generate(single, verifyLines, '');
  log(
    `files: generated ${verifyLines.toLocaleString('en')} lines (${(statSync(single).size / 1e6).toFixed(0)} MB) in ${Date.now() - t} ms`,
  );
  const verify = { ms: [], kb: [] };
  const floor = { ms: [], kb: [] };
  for (let run = 0; run < runs; run++) {
    const ours = await timed([process.execPath, ...KIOSK_NODE_FLAGS, CLI, 'verify', single]);
    if (ours.code !== 0) throw new Error(`offcirc verify exited ${ours.code}: ${ours.out}${ours.err}`);
    const base = await timed([process.execPath, '-e', CHUNKED_READ, single]);
    if (base.code !== 0 || Number(base.out) !== verifyLines)
      throw new Error(`chunked read: ${base.out}${base.err}`);
    verify.ms.push(ours.ms);
    verify.kb.push(ours.peakKb);
    floor.ms.push(base.ms);
    floor.kb.push(base.peakKb);
    log(
      `files: verify ${(ours.ms / 1000).toFixed(2)} s, ${(ours.peakKb / 1024).toFixed(0)} MiB; chunked read ${(base.ms / 1000).toFixed(2)} s`,
    );
  }
  rmSync(single, { force: true });
  const lines = quick ? '1M' : '10M';
  figures.push(
    figure(
      `verify ${lines} lines: time`,
      median(verify.ms) / 1000,
      's',
      median(floor.ms) / 1000,
      'chunked read (1 MiB) + indexOf',
      3,
    ),
    memoryFigure(`verify ${lines} lines: peak memory`, verify.kb, floor.kb, 'chunked read process'),
  );

  const a = path.join(dir, 'a.dat');
  const b = path.join(dir, 'b.dat');
  t = Date.now();
  generate(a, mergeLines, '0');
  generate(b, mergeLines, '9');
  log(`files: generated 2 × ${mergeLines.toLocaleString('en')} lines in ${Date.now() - t} ms`);
  const merged = path.join(dir, 'merged.dat');
  const sorted = path.join(dir, 'sorted.dat');
  const merge = { ms: [], kb: [] };
  const sort = { ms: [], kb: [] };
  let identical = true;
  for (let run = 0; run < runs; run++) {
    rmSync(merged, { force: true });
    const ours = await timed([process.execPath, ...KIOSK_NODE_FLAGS, CLI, 'merge', a, b, '--out', merged]);
    if (ours.code !== 0) throw new Error(`offcirc merge exited ${ours.code}: ${ours.out}${ours.err}`);
    const fd = openSync(sorted, 'w');
    let base;
    try {
      base = await timed(['env', 'LC_ALL=C', 'sort', '-m', a, b], fd);
    } finally {
      closeSync(fd);
    }
    if (base.code !== 0) throw new Error(`sort -m exited ${base.code}: ${base.err}`);
    merge.ms.push(ours.ms);
    merge.kb.push(ours.peakKb);
    sort.ms.push(base.ms);
    sort.kb.push(base.peakKb);
    log(
      `files: merge ${(ours.ms / 1000).toFixed(2)} s, ${(ours.peakKb / 1024).toFixed(0)} MiB; sort -m ${(base.ms / 1000).toFixed(2)} s`,
    );
  }
  identical = await sameBytes(merged, sorted);
  const size = statSync(merged).size;
  log(
    `files: merged file ${size} bytes, sort -m's ${statSync(sorted).size}: ${identical ? 'the same bytes' : 'DIFFERENT'}`,
  );
  for (const f of [a, b, merged, sorted]) rmSync(f, { force: true });
  const pair = quick ? '2 × 500k' : '2 × 5M';
  figures.push(
    figure(
      `merge ${pair} lines: time`,
      median(merge.ms) / 1000,
      's',
      median(sort.ms) / 1000,
      'LC_ALL=C sort -m',
      2,
      identical ? 'output identical to sort -m' : 'OUTPUT DIFFERS FROM sort -m',
    ),
    memoryFigure(`merge ${pair} lines: peak memory`, merge.kb, sort.kb, 'LC_ALL=C sort -m'),
  );
  if (!identical)
    figures.push({ name: 'merge output identical to sort -m', value: NaN, unit: '', failed: true });
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { runAlone } = await import('./report.mjs');
  await runAlone(measure);
}
