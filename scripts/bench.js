#!/usr/bin/env node
/**
 * npm run bench: scan-to-durable latency of the real daemon on a socat pty, against floors measured in
 * the same run on the same filesystem; a 10,000-scan burst (none may be lost) and its rate; peak memory;
 * a flooding scanner beside a healthy one (the healthy one's latency, memory, log growth).
 * Prints figures and ratios, and exits 1 if a scan was lost. Never part of `npm test`.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createWriteStream } from 'node:fs';
import { SerialPort } from 'serialport';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mod10CheckDigit } from '../dist/barcode/checkdigit.js';
import { readOnEventLoop } from '../dist/devices/serial-read.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 20);
const dir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'offcirc-bench-'));

const ms = (ns) => Number(ns) / 1e6;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = (v) => `${v.toFixed(3)} ms`;
const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** A valid 14-digit item barcode for sequence number n (offcirc's own check digit, from the build). */
const item = (n) => {
  const body = `31234${String(n).padStart(8, '0')}`;
  return body + mod10CheckDigit(body);
};
const PATRON = '21234000000018';

async function startPty(name = 'daemon') {
  const a = path.join(dir, `${name}-scanner`);
  const b = path.join(dir, `${name}-host`);
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i++) await sleep(10);
  return { socat, scannerPath: a, hostPath: b };
}

/**
 * Floor 1: one append + fdatasync of the same line, on the same filesystem, back to back. With `idleMs`,
 * each after that long idle, as a scan finds the machine (printed for comparison, not the target's floor).
 */
async function floorAppend(idleMs = 0) {
  const file = path.join(dir, `floor-${idleMs}.dat`);
  const line = `202611301402L${item(1).padEnd(80, ' ')}${PATRON}\r\n`;
  const times = [];
  const fd = openSync(file, 'a');
  for (let i = 0; i < SAMPLES; i++) {
    if (idleMs) await sleep(idleMs);
    const t0 = process.hrtime.bigint();
    writeSync(fd, line);
    fdatasyncSync(fd);
    times.push(ms(process.hrtime.bigint() - t0));
  }
  closeSync(fd);
  return times;
}

/**
 * Floor 2: the pty's own transfer time for one barcode: written on one end as the scans are, read as a
 * line on the other as the daemon reads it (serialport, read on the event loop), on a pty pair of its own.
 */
async function floorPty() {
  const pty = await startPty('floor');
  const open = (p) =>
    new Promise((resolve, reject) => {
      const port = new SerialPort({ path: p, baudRate: 9600, autoOpen: false });
      port.open((error) => (error ? reject(error) : resolve(port)));
    });
  const reader = await open(pty.scannerPath);
  readOnEventLoop(reader.port);
  const writer = openSync(pty.hostPath, 'w');
  let pending;
  let buffered = '';
  reader.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    if (buffered.includes('\r') && pending) {
      buffered = '';
      pending();
    }
  });
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => {
      pending = resolve;
      writeSync(writer, `${item(i)}\r`);
    });
    times.push(ms(process.hrtime.bigint() - t0));
  }
  await new Promise((r) => reader.close(r));
  closeSync(writer);
  pty.socat.kill();
  return times;
}

function startDaemon(pty, journal, options = {}) {
  const config = path.join(dir, `offcirc-${path.basename(journal)}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      station: 'bench',
      session: { idleTimeoutSeconds: 3600 },
      logging: { dir: options.logs ?? path.join(dir, 'logs'), level: 'info' },
      devices: options.devices ?? [{ id: 'bench', type: 'serial', path: pty.scannerPath, baudRate: 9600 }],
    }),
  );
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'offcirc.js'), 'run', '--headless', '--config', config, '--journal', journal],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const listeners = new Set();
  let partial = '';
  let transactions = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      if (record.event === 'transaction') transactions += 1;
      for (const l of listeners) l(record);
    }
  });
  const waitFor = (match) =>
    new Promise((resolve) => {
      const l = (r) => {
        if (match(r)) {
          listeners.delete(l);
          resolve(r);
        }
      };
      listeners.add(l);
    });
  return { child, waitFor, transactions: () => transactions };
}

/** Bytes in the files of a folder (the log folder), 0 where it is missing. */
function folderBytes(folder) {
  try {
    return readdirSync(folder).reduce((sum, name) => sum + statSync(path.join(folder, name)).size, 0);
  } catch {
    return 0;
  }
}

/**
 * One scanner stuck sending short garbage lines at full speed (`yes` into its pty) beside a healthy one
 * lending every 200 ms: the healthy scanner's scan → durable → event latency during the flood, the
 * daemon's peak memory, and how fast the log folder grows.
 */
async function floodRun(seconds) {
  const healthy = await startPty('healthy');
  const stuck = await startPty('stuck');
  const journal = path.join(dir, 'flood.dat');
  const logs = path.join(dir, 'flood-logs');
  const daemon = startDaemon(healthy, journal, {
    logs,
    devices: [
      { id: 'healthy', type: 'serial', path: healthy.scannerPath },
      { id: 'stuck', type: 'serial', path: stuck.scannerPath },
    ],
  });
  await daemon.waitFor((r) => r.event === 'ready');
  const host = openSync(healthy.hostPath, 'w');
  writeSync(host, `${PATRON}\r`);
  await daemon.waitFor((r) => r.event === 'session');
  const flood = spawn('sh', ['-c', `exec yes 1234 > '${stuck.hostPath}'`], { stdio: 'ignore' });
  await daemon.waitFor((r) => r.event === 'device' && r.status === 'flooding');
  const logStart = folderBytes(logs);
  const t0 = Date.now();
  const latency = [];
  for (let i = 0; Date.now() - t0 < seconds * 1000; i++) {
    const barcode = item(300_000 + i);
    const seen = daemon.waitFor((r) => r.event === 'transaction' && r.item === barcode);
    const start = process.hrtime.bigint();
    writeSync(host, `${barcode}\r`);
    await seen;
    latency.push(ms(process.hrtime.bigint() - start));
    await sleep(200);
  }
  const elapsedMin = (Date.now() - t0) / 60_000;
  const logGrowth = (folderBytes(logs) - logStart) / elapsedMin;
  const peak = peakMemoryKiB(daemon.child.pid);
  flood.kill('SIGKILL');
  daemon.child.kill('SIGTERM');
  await new Promise((r) => daemon.child.once('exit', r));
  closeSync(host);
  healthy.socat.kill();
  stuck.socat.kill();
  return { latency, peak, logGrowth };
}

function peakMemoryKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

async function main() {
  execFileSync('which', ['socat']);
  const fsType = execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8' }).trim().split('\n').pop();
  console.log(`offcirc bench: ${SAMPLES} samples, burst of ${BURST}, journal on ${fsType} (${dir})`);

  const append = await floorAppend();
  const appendIdle = await floorAppend(1);
  const transfer = await floorPty();
  const pty = await startPty();

  const journal = path.join(dir, 'OffCirc.dat');
  const daemon = startDaemon(pty, journal);
  await daemon.waitFor((r) => r.event === 'device' && r.status === 'connected');
  // The scanner's end: each barcode is one write, timed from just before it.
  const host = openSync(pty.hostPath, 'w');
  writeSync(host, `${PATRON}\r`);
  await daemon.waitFor((r) => r.event === 'session');

  const latency = [];
  for (let i = 0; i < SAMPLES; i++) {
    const barcode = item(100_000 + i);
    const seen = daemon.waitFor((r) => r.event === 'transaction' && r.item === barcode);
    const t0 = process.hrtime.bigint();
    writeSync(host, `${barcode}\r`);
    await seen;
    latency.push(ms(process.hrtime.bigint() - t0));
  }

  const before = daemon.transactions();
  const lastBarcode = item(200_000 + BURST - 1);
  const done = daemon.waitFor((r) => r.event === 'transaction' && r.item === lastBarcode);
  const t0 = process.hrtime.bigint();
  // The burst as fast as the pty takes it: a stream, which waits (drain) while the daemon catches up.
  const burst = createWriteStream('', { fd: host, autoClose: false });
  let chunk = '';
  for (let i = 0; i < BURST; i++) {
    chunk += `${item(200_000 + i)}\r`;
    if (chunk.length > 4000 || i === BURST - 1) {
      if (!burst.write(chunk)) await new Promise((r) => burst.once('drain', r));
      chunk = '';
    }
  }
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 600_000)));
  const finished = await Promise.race([done.then(() => 'done'), timeout]);
  clearTimeout(timer); // or the bench would sit out the rest of the ten minutes after printing
  const burstMs = ms(process.hrtime.bigint() - t0);
  const peak = peakMemoryKiB(daemon.child.pid);
  daemon.child.kill('SIGTERM');
  await new Promise((r) => daemon.child.once('exit', r));
  await new Promise((r) => burst.end(r));
  closeSync(host);
  pty.socat.kill();

  const lines = readFileSync(journal, 'latin1').split('\r\n').length - 1;
  const burstWritten = daemon.transactions() - before;
  const lost = BURST - burstWritten;
  const floorMedian = quantile(append, 0.5) + quantile(transfer, 0.5);

  console.log('');
  console.log(
    `floor: append + fdatasync      median ${fmt(quantile(append, 0.5))}  p99 ${fmt(quantile(append, 0.99))}`,
  );
  console.log(
    `  after 1 ms idle (for comparison) median ${fmt(quantile(appendIdle, 0.5))}  p99 ${fmt(quantile(appendIdle, 0.99))}`,
  );
  console.log(
    `floor: pty transfer            median ${fmt(quantile(transfer, 0.5))}  p99 ${fmt(quantile(transfer, 0.99))}`,
  );
  console.log(
    `scan → durable → event         median ${fmt(quantile(latency, 0.5))}  p99 ${fmt(quantile(latency, 0.99))}`,
  );
  console.log(
    `ratio median / (floor + pty)   ${(quantile(latency, 0.5) / floorMedian).toFixed(2)}x  (target ≤ 1.5x)`,
  );
  console.log(
    `ratio p99 / (floor p99 + pty p99) ${(quantile(latency, 0.99) / (quantile(append, 0.99) + quantile(transfer, 0.99))).toFixed(2)}x`,
  );
  console.log(
    `burst: ${BURST} scans ${finished === 'done' ? 'in' : 'NOT FINISHED in'} ${(burstMs / 1000).toFixed(2)} s = ${(BURST / (burstMs / 1000)).toFixed(0)} scans/s; ${lost} lost; floor rate ${(1000 / quantile(append, 0.5)).toFixed(0)} fdatasyncs/s`,
  );
  console.log(`journal lines: ${lines} (expected ${SAMPLES + BURST})`);
  console.log(`daemon peak memory (VmHWM): ${(peak / 1024).toFixed(1)} MiB`);

  const flood = await floodRun(FLOOD_SECONDS);
  console.log('');
  console.log(
    `flood: one scanner sending "1234" lines at full speed for ${FLOOD_SECONDS} s beside a healthy one`,
  );
  console.log(
    `  healthy scan → durable → event median ${fmt(quantile(flood.latency, 0.5))}  p99 ${fmt(quantile(flood.latency, 0.99))}  max ${fmt(Math.max(...flood.latency))} (${flood.latency.length} loans)`,
  );
  console.log(
    `  ratio median / quiet median    ${(quantile(flood.latency, 0.5) / quantile(latency, 0.5)).toFixed(2)}x`,
  );
  console.log(`  daemon peak memory (VmHWM)     ${(flood.peak / 1024).toFixed(1)} MiB`);
  console.log(`  log folder growth              ${(flood.logGrowth / 1024).toFixed(1)} KiB a minute`);
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = lost === 0 && lines === SAMPLES + BURST ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
