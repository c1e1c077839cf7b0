#!/usr/bin/env node
/**
 * An idle kiosk: what the built daemon costs while nobody scans, with the built-in default config and one
 * serial scanner on a socat pty. Headless: CPU time a minute and wake-ups a second (context switches of
 * all its threads, from /proc), beside an idle node process as the floor, once it has settled. With the screen (run under
 * tmux, 100×30): CPU time a minute and bytes a minute drawn to the terminal. Targets are absolute (≤ 1
 * wake-up a second headless, ≤ 100 ms a minute with the screen): an idle node's floor is 0.
 * Runs alone too: node scripts/bench/idle.mjs [--quick]
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KIOSK_NODE_FLAGS, figure, sleep, startPty } from './common.mjs';
import { startProcess } from './scan.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TICKS = 100; // USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on Linux

/** CPU milliseconds (user + system) and context switches of every thread of `pid` so far. */
function usage(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  let switches = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      switches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)[1]);
      switches += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)[1]);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return { cpuMs, switches };
}

/**
 * Usage of `pid` over `seconds` once it has settled: at least 40 s after start (V8's memory reducer
 * collects some 20 s after the allocations of start-up stop) and 10 s in a row with under 10 ms of CPU,
 * at most `settle` seconds: per minute (CPU) and per second (wake-ups).
 */
async function idleOver(pid, seconds, settle) {
  const started = Date.now();
  for (
    let quiet = 0, last = usage(pid).cpuMs;
    (quiet < 2 || Date.now() - started < 40_000) && Date.now() - started < settle * 1000;
  ) {
    await sleep(5000);
    const now = usage(pid).cpuMs;
    quiet = now - last < 10 ? quiet + 1 : 0;
    last = now;
  }
  const a = usage(pid);
  await sleep(seconds * 1000);
  const b = usage(pid);
  return {
    cpuMsPerMin: ((b.cpuMs - a.cpuMs) * 60) / seconds,
    wakeupsPerS: (b.switches - a.switches) / seconds,
  };
}

async function headless({ seconds, settle, dir }) {
  const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 2 ** 31 - 1)'], { stdio: 'ignore' });
  const pty = await startPty(dir, 'idle');
  const daemon = await startProcess('offcirc', dir, pty, path.join(dir, 'idle', 'OffCirc.dat'), {
    session: false,
  });
  const [floorIdle, daemonIdle] = await Promise.all([
    idleOver(floor.pid, seconds, settle),
    idleOver(daemon.pid, seconds, settle),
  ]);
  floor.kill();
  await daemon.stop();
  pty.stop();
  return { floorIdle, daemonIdle };
}

/** The screen under tmux: CPU of the kiosk process, and bytes tmux was sent to draw. */
async function screen({ seconds, settle, dir }) {
  const pty = await startPty(dir, 'screen');
  const config = path.join(dir, 'screen.json');
  writeFileSync(
    config,
    JSON.stringify({ devices: [{ id: 'scanner', type: 'serial', path: pty.scannerPath }] }),
  );
  const session = `offcirc-bench-${process.pid}`;
  const drawn = path.join(dir, 'screen.bytes');
  const command = [
    process.execPath,
    ...KIOSK_NODE_FLAGS,
    path.join(ROOT, 'bin', 'offcirc.js'),
    'run',
    '--config',
    config,
  ];
  command.push('--journal', path.join(dir, 'screen', 'OffCirc.dat'));
  const tmux = (...args) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', '100', '-y', '30', '-s', session, command.map((a) => `'${a}'`).join(' '));
  try {
    let pid;
    for (let i = 0; i < 200 && !pid; i++) {
      await sleep(50);
      const panePid = tmux('list-panes', '-t', session, '-F', '#{pane_pid}').trim();
      // tmux runs the command through sh -c, which execs it: the pane's pid is the kiosk's (or sh's child).
      pid = readFileSync(`/proc/${panePid}/cmdline`, 'utf8').includes('offcirc.js') ? panePid : undefined;
    }
    for (let i = 0; i < 300 && !tmux('capture-pane', '-p', '-t', session).includes('LOAN'); i++)
      await sleep(50);
    tmux('pipe-pane', '-t', session, `cat > '${drawn}'`);
    const piped = Date.now();
    const idle = await idleOver(Number(pid), seconds, settle);
    const bytesPerMin = (statSync(drawn).size * 60) / ((Date.now() - piped) / 1000);
    return { ...idle, bytesPerMin };
  } finally {
    tmux('kill-server');
    pty.stop();
  }
}

export async function measure({ quick, dir, log }) {
  const seconds = quick ? 10 : 60;
  // V8 tidies its heap with a few garbage collections some 20 s after start: a kiosk idles for hours
  // after that, so measuring starts once the process has settled.
  const settle = 120;
  let hasTmux = true;
  try {
    execFileSync('which', ['tmux'], { stdio: 'ignore' });
  } catch {
    hasTmux = false;
    log('idle screen: skipped, needs tmux (apt-get install tmux)');
  }
  // Side by side: both only wait.
  const [{ floorIdle, daemonIdle }, drawn] = await Promise.all([
    headless({ seconds, settle, dir }),
    hasTmux ? screen({ seconds, settle, dir }) : undefined,
  ]);
  log(
    `idle: measured over ${seconds} s once settled (40 s after start, then 10 s under 10 ms of CPU); floor: an idle node process`,
  );
  const figures = [
    figure(
      'idle headless: wake-ups a second',
      daemonIdle.wakeupsPerS,
      '/s',
      undefined,
      undefined,
      undefined,
      `idle node ${floorIdle.wakeupsPerS.toFixed(2)} /s`,
    ),
    figure(
      'idle headless: CPU a minute',
      daemonIdle.cpuMsPerMin,
      'ms',
      undefined,
      undefined,
      undefined,
      `idle node ${floorIdle.cpuMsPerMin.toFixed(0)} ms`,
    ),
  ];
  figures[0].max = 1;
  if (!drawn) return figures;
  const screenFigure = figure(
    'idle screen: CPU a minute',
    drawn.cpuMsPerMin,
    'ms',
    undefined,
    undefined,
    undefined,
    `${(drawn.bytesPerMin / 1024).toFixed(1)} KiB a minute to the terminal, ${drawn.wakeupsPerS.toFixed(2)} wake-ups/s`,
  );
  screenFigure.max = 100;
  figures.push(screenFigure);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runAlone } = await import('./report.mjs');
  await runAlone(measure);
}
