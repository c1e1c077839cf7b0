#!/usr/bin/env node
/**
 * Per-scan figures of the real headless daemon with the built-in default config (only the scanner and the
 * journal path given), each beside the same-pipeline floor (floor-station.mjs: serialport, append,
 * fdatasync, stdout event) run on its own socat pty in the same run:
 * - scan → durable → event latency, median and p99, floor and daemon measured in alternating rounds;
 * - instructions per scan under callgrind (counters zeroed after a warm-up, dumped after a window):
 *   noise-free, so it is the figure to trust on a loaded machine; full runs only (valgrind start-up is
 *   slow);
 * - resident memory after a steady run, and after a burst once the process has been quiet again;
 * - a burst (none may be lost) and its rate; a flooding scanner beside a healthy one.
 * Runnable alone: node scripts/bench/scan.mjs [--quick]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, openSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { mod10CheckDigit } from '../../dist/barcode/checkdigit.js';
import { KIOSK_NODE_FLAGS, figure, quantile, sleep, startPty } from './common.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FLOOR = path.join(ROOT, 'scripts', 'bench', 'floor-station.mjs');
const PATRON = '21234000000018';
const ms = (ns) => Number(ns) / 1e6;

/** A valid 14-digit barcode after `prefix` for sequence number n (offcirc's own check digit, from the build). */
const barcode = (prefix, n) => {
  const body = `${prefix}${String(n).padStart(8, '0')}`;
  return body + mod10CheckDigit(body);
};

/** An item barcode (`3…`, as the default rules tell items) for sequence number n. */
export const item = (n) => barcode('31234', n);

/**
 * Starts `which` ('floor' or 'offcirc') reading `pty` and journaling to `journal`; `wrap` puts a command
 * (valgrind) in front of node. Resolves once it has said `ready`, with a way to wait for an item's event.
 */
export async function startProcess(
  which,
  dir,
  pty,
  journal,
  { wrap = [], nodeArgs = [], devices, onText, session = true } = {},
) {
  let args;
  if (which === 'floor') args = [FLOOR, pty.scannerPath, journal];
  else if (which === 'floor-event-loop') args = [FLOOR, pty.scannerPath, journal, '--event-loop-reads'];
  else if (which === 'floor-log') args = [FLOOR, pty.scannerPath, journal, '--log'];
  else {
    const config = path.join(
      dir,
      `config-${path.basename(path.dirname(journal))}-${path.basename(journal)}.json`,
    );
    // The built-in defaults, as a kiosk has them: only where the scanner is.
    writeSync(
      openSync(config, 'w'),
      JSON.stringify({ devices: devices ?? [{ id: 'scanner', type: 'serial', path: pty.scannerPath }] }),
    );
    args = [
      path.join(ROOT, 'bin', 'offcirc.js'),
      'run',
      '--headless',
      '--config',
      config,
      '--journal',
      journal,
    ];
  }
  // offcirc with node's flags as a kiosk has them (bin/offcirc.js's first line); the floor with none.
  const flags = which === 'offcirc' ? KIOSK_NODE_FLAGS : [];
  const command = [...wrap, process.execPath, ...flags, ...nodeArgs, ...args];
  const child = spawn(command[0], command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const waiting = new Map();
  const listeners = new Set();
  let transactions = 0;
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        onText?.(line); // what node itself prints (--trace-gc)
        continue;
      }
      if (record.event === 'transaction') {
        transactions += 1;
        const resolve = waiting.get(record.item);
        if (resolve) {
          waiting.delete(record.item);
          resolve();
        }
      }
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
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = await Promise.race([waitFor((r) => r.event === 'ready'), exited.then(() => undefined)]);
  if (!ready) throw new Error(`${which} did not start: ${stderr}`);
  const started = {
    which,
    child,
    pid: child.pid,
    waitFor,
    transactions: () => transactions,
    /** Resolves when the transaction of `barcode` has been reported. */
    seen: (barcode) => new Promise((resolve) => waiting.set(barcode, resolve)),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
  if (which === 'offcirc' && session) {
    const opened = waitFor((r) => r.event === 'session');
    writeSync(pty.host, `${PATRON}\r`);
    await opened;
  }
  return started;
}

/** One scan at a time: write, wait for its event; returns each scan's milliseconds. */
async function timedScans(started, pty, from, count) {
  const times = [];
  for (let i = from; i < from + count; i++) {
    const barcode = item(i);
    const seen = started.seen(barcode);
    const t0 = process.hrtime.bigint();
    writeSync(pty.host, `${barcode}\r`);
    await seen;
    times.push(ms(process.hrtime.bigint() - t0));
  }
  return times;
}

/** A patron barcode (`2…`, as the default rules tell patrons) for sequence number n. */
const patron = (n) => barcode('21234', n);

/** Loans per patron in the steady run: a desk's sessions, each opened by the next patron's card. */
const SESSION_LOANS = 10;

/**
 * Many scans with at most `window` outstanding (a busy desk, below any back-pressure). offcirc is shown a
 * new patron's card before every SESSION_LOANS items, as a desk lends: what a session holds is let go
 * when it ends. The floor has no sessions and is sent the items only.
 */
async function steadyScans(started, pty, from, count, window = 32) {
  const pending = [];
  for (let i = from; i < from + count; i++) {
    if (started.which === 'offcirc' && (i - from) % SESSION_LOANS === 0)
      writeSync(pty.host, `${patron((i - from) / SESSION_LOANS)}\r`);
    const barcode = item(i);
    pending.push(started.seen(barcode));
    writeSync(pty.host, `${barcode}\r`);
    if (pending.length >= window) await pending.shift();
  }
  await Promise.all(pending);
}

/** A burst as fast as the pty takes it (a stream that waits on drain); resolves when the last is journaled. */
async function burstScans(started, pty, from, count) {
  const last = started.seen(item(from + count - 1));
  const t0 = process.hrtime.bigint();
  const stream = createWriteStream('', { fd: pty.host, autoClose: false });
  let chunk = '';
  for (let i = from; i < from + count; i++) {
    chunk += `${item(i)}\r`;
    if (chunk.length > 4000 || i === from + count - 1) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      chunk = '';
    }
  }
  await last;
  return ms(process.hrtime.bigint() - t0);
}

const status = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) /
  1024;

/** Latency: floor and daemon in alternating rounds, so both see the same machine. */
async function latency({ quick, dir, log }) {
  const rounds = quick ? 2 : 6;
  const perRound = quick ? 50 : 100;
  const floorPty = await startPty(dir, 'lat-floor');
  const daemonPty = await startPty(dir, 'lat-daemon');
  const floor = await startProcess('floor', dir, floorPty, path.join(dir, 'lat-floor.dat'));
  const daemon = await startProcess('offcirc', dir, daemonPty, path.join(dir, 'lat-daemon.dat'));
  await timedScans(floor, floorPty, 0, 50); // warm-up: JIT, page cache
  await timedScans(daemon, daemonPty, 0, 50);
  const f = [];
  const d = [];
  for (let r = 0; r < rounds; r++) {
    f.push(...(await timedScans(floor, floorPty, 1000 + r * perRound, perRound)));
    d.push(...(await timedScans(daemon, daemonPty, 1000 + r * perRound, perRound)));
  }
  await floor.stop();
  await daemon.stop();
  floorPty.stop();
  daemonPty.stop();
  log(`latency: ${d.length} scans each, alternating rounds of ${perRound}`);
  return [
    figure('scan → durable → event, median', quantile(d, 0.5), 'ms', quantile(f, 0.5), 'floor process', 1.3),
    figure('scan → durable → event, p99', quantile(d, 0.99), 'ms', quantile(f, 0.99), 'floor process', 1.5),
  ];
}

/** Instructions per scan under callgrind: zeroed after `warm` scans, dumped after `window` more. */
export async function instructionsPerScan(which, dir, warm, window, extra = [], nodeArgs = []) {
  const pty = await startPty(dir, `cg-${which}`);
  const out = path.join(dir, `callgrind-${which}.%p`);
  const started = await startProcess(which, dir, pty, path.join(dir, `cg-${which}.dat`), {
    wrap: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${out}`, ...extra],
    nodeArgs,
  });
  await timedScans(started, pty, 0, warm);
  await sleep(500);
  execFileSync('callgrind_control', ['-z', String(started.pid)], { stdio: 'ignore' });
  await timedScans(started, pty, 10_000, window);
  execFileSync('callgrind_control', ['-d', String(started.pid)], { stdio: 'ignore' });
  await started.stop();
  pty.stop();
  // The dump's "summary:" is the instructions executed since the zeroing; with --separate-threads there
  // is a dump per thread (the event loop, and V8's workers: garbage collection, compiling), all counted.
  const prefix = `callgrind-${which}.${started.pid}.1`;
  let total = 0;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix)))
    total += Number(/^summary:\s+(\d+)/m.exec(readFileSync(path.join(dir, name), 'utf8'))?.[1] ?? 0);
  return total / window;
}

/** Resident memory: after a steady run, then after a burst and a quiet spell, for floor and daemon. */
async function memory({ quick, dir, log }) {
  const steady = quick ? 10_000 : 100_000;
  const burst = 10_000;
  // V8 gives memory back (its memory reducer) some 20 s after allocation stops: 45 s is quiet enough.
  const quietMs = quick ? 5_000 : 45_000;
  const results = {};
  for (const which of ['floor', 'offcirc']) {
    const pty = await startPty(dir, `mem-${which}`);
    const started = await startProcess(which, dir, pty, path.join(dir, `mem-${which}.dat`));
    await steadyScans(started, pty, 100_000, steady);
    await sleep(quietMs);
    const afterSteady = status(started.pid, 'VmRSS');
    const before = started.transactions();
    const burstMs = await burstScans(started, pty, 300_000, burst);
    const afterBurst = status(started.pid, 'VmRSS');
    await sleep(quietMs);
    const settled = status(started.pid, 'VmRSS');
    const lost = burst - (started.transactions() - before);
    results[which] = { afterSteady, afterBurst, settled, peak: status(started.pid, 'VmHWM'), burstMs, lost };
    await started.stop();
    pty.stop();
  }
  const { floor, offcirc } = results;
  log(
    `memory: ${steady} steady scans, then ${burst} at once; RSS read after ${quietMs / 1000} s quiet` +
      `; offcirc right after the burst ${offcirc.afterBurst.toFixed(1)} MiB (floor ${floor.afterBurst.toFixed(1)})`,
  );
  return [
    figure(
      `RSS after ${steady} steady scans`,
      offcirc.afterSteady,
      'MiB',
      floor.afterSteady,
      'floor process',
      1.3,
    ),
    figure(
      `RSS after a ${burst} burst, quiet again`,
      offcirc.settled,
      'MiB',
      floor.settled,
      'floor process',
      1.3,
      `peak ${offcirc.peak.toFixed(1)} MiB`,
    ),
    figure(
      `burst of ${burst}: time (lost ${offcirc.lost})`,
      offcirc.burstMs,
      'ms',
      floor.burstMs,
      'floor process',
      undefined,
      `${Math.round(burst / (offcirc.burstMs / 1000))} scans/s`,
      offcirc.lost === 0,
    ),
  ];
}

/**
 * One scanner stuck sending short garbage lines at full speed (`yes` into its pty) beside a healthy one
 * lending every 200 ms: the healthy scanner's latency during the flood against the quiet daemon's, the
 * daemon's peak memory, and the log folder's growth.
 */
async function flood({ quick, dir, log }) {
  const seconds = quick ? 5 : 20;
  const healthy = await startPty(dir, 'healthy');
  const stuck = await startPty(dir, 'stuck');
  const journal = path.join(dir, 'flood', 'OffCirc.dat');
  execFileSync('mkdir', ['-p', path.dirname(journal)]);
  const logs = path.join(path.dirname(journal), 'logs');
  const daemon = await startProcess('offcirc', dir, healthy, journal, {
    devices: [
      { id: 'healthy', type: 'serial', path: healthy.scannerPath },
      { id: 'stuck', type: 'serial', path: stuck.scannerPath },
    ],
  });
  const quiet = await timedScans(daemon, healthy, 0, 50);
  const flooding = daemon.waitFor((r) => r.event === 'device' && r.status === 'flooding');
  const yes = spawn('sh', ['-c', `exec yes 1234 > '${stuck.hostPath}'`], { stdio: 'ignore' });
  await flooding;
  const logStart = folderBytes(logs);
  const t0 = Date.now();
  const during = [];
  for (let i = 500_000; Date.now() - t0 < seconds * 1000; i++) {
    during.push(...(await timedScans(daemon, healthy, i, 1)));
    await sleep(200);
  }
  const logGrowth = (folderBytes(logs) - logStart) / ((Date.now() - t0) / 60_000) / 1024;
  const peak = status(daemon.pid, 'VmHWM');
  yes.kill('SIGKILL');
  await daemon.stop();
  healthy.stop();
  stuck.stop();
  log(`flood: ${seconds} s of "1234" lines from one scanner; ${during.length} loans from the other`);
  return [
    figure(
      'flood: healthy scan latency, median',
      quantile(during, 0.5),
      'ms',
      quantile(quiet, 0.5),
      'same daemon, no flood',
      undefined,
      `p99 ${quantile(during, 0.99).toFixed(2)} ms, peak ${peak.toFixed(0)} MiB, log ${logGrowth.toFixed(0)} KiB/min`,
    ),
  ];
}

function folderBytes(folder) {
  try {
    return readdirSync(folder).reduce((sum, name) => sum + statSync(path.join(folder, name)).size, 0);
  } catch {
    return 0;
  }
}

export async function measure({ quick, dir, log }) {
  execFileSync('which', ['socat']);
  const figures = [...(await latency({ quick, dir, log }))];
  const hasValgrind = spawnSync('which', ['valgrind']).status === 0;
  if (quick) log('instructions per scan: full runs only (valgrind takes a minute to start node)');
  else if (!hasValgrind) log('instructions per scan: skipped, needs valgrind (apt-get install valgrind)');
  else {
    // JIT and the heap settle over the first scans. After a thousand, V8's workers were still compiling
    // hot code with TurboFan (two thirds of either process's count); offcirc optimises its last hot
    // functions (called once a scan) by about 8,000 (node --trace-opt): ten thousand warm up.
    const warm = 10_000;
    const window = 500;
    const threads = ['--separate-threads=yes'];
    const floor = await instructionsPerScan('floor', dir, warm, window, threads);
    const daemon = await instructionsPerScan('offcirc', dir, warm, window, threads);
    // The floor with the work offcirc must do on top (floor-station.mjs --log): how near it can come.
    const bound = await instructionsPerScan('floor-log', dir, warm, window, threads);
    log(`instructions: callgrind, counters zeroed after ${warm} scans, ${window} scans counted`);
    figures.push(
      figure(
        'instructions per scan',
        daemon / 1000,
        'k instr',
        floor / 1000,
        'floor process',
        1.3,
        `floor + lstat, full record, log file: ${(bound / 1000).toFixed(1)}k (${(bound / floor).toFixed(2)}x)`,
      ),
    );
  }
  figures.push(...(await memory({ quick, dir, log })));
  figures.push(...(await flood({ quick, dir, log })));
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runAlone } = await import('./report.mjs');
  await runAlone(measure);
}
