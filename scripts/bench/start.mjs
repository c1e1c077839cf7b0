#!/usr/bin/env node
/**
 * Start-up figures of the BUILT offcirc (npm run build first), each against a floor timed in the same
 * run, the two alternated round by round (the machine is shared: medians of alternated runs):
 * - `--version`, `--help` against `node -e 0`;
 * - spawn → the `ready` event of `run --headless` with one serial scanner on a socat pty, against a node
 *   process that imports serialport, opens the same pty and prints {"event":"ready"};
 * - `ready` with a 10M-line journal (quick: 1M) against `ready` with an empty one;
 * - the screen's first frame (`run` on a pseudo-terminal, React's production build): no floor.
 * Runs alone too: `node scripts/bench/start.mjs [--quick]`. Needs socat (and `script`, util-linux).
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIOSK_NODE_FLAGS, median, startPty } from './common.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'offcirc.js');
const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Wall time of one child from spawn to exit, its output discarded. */
function timeExit(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(elapsedMs(t0)) : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

/**
 * Wall time from spawn until a line of standard output matches `ready`; then the child is asked to stop
 * (SIGTERM) and waited for, so the next run finds the journal's lock free.
 */
function timeReady(command, args, ready, options = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let seen;
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (seen !== undefined) return;
      out += chunk;
      if (ready(out)) {
        seen = elapsedMs(t0);
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      seen !== undefined
        ? resolve(seen)
        : reject(
            new Error(
              `${path.basename(args[0] ?? command)} ended (${code ?? signal}) before ready: ${err}${out}`,
            ),
          ),
    );
  });
}

/** n rounds of every timed function in turn, the order rotating each round; the medians. */
async function alternate(n, runs) {
  const times = runs.map(() => []);
  for (let round = 0; round < n; round++)
    for (let k = 0; k < runs.length; k++) {
      const i = (round + k) % runs.length;
      times[i].push(await runs[i]());
    }
  return times.map(median);
}

/**
 * `lines` fixed valid loan lines dated 2025 (so no "today" work), written 1 MiB at a time: about 109
 * bytes a line, 1.1 GB for 10M.
 */
function writeJournal(file, lines) {
  const line = Buffer.from(`202501011200L${'31234000000017'.padEnd(80, ' ')}21234000000018\r\n`, 'latin1');
  const perChunk = Math.floor((1 << 20) / line.length);
  const chunk = Buffer.alloc(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) line.copy(chunk, i * line.length);
  const fd = openSync(file, 'w');
  try {
    let left = lines;
    for (; left >= perChunk; left -= perChunk) writeSync(fd, chunk);
    if (left > 0) writeSync(fd, chunk, 0, left * line.length);
  } finally {
    closeSync(fd);
  }
}

/** @param {{ quick: boolean, dir: string, log: (line: string) => void }} options */
export async function measure({ quick, dir, log }) {
  if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('no dist/: npm run build first');
  execFileSync('which', ['socat']);
  const rounds = quick ? 5 : 21;
  const figures = [];
  const cliFigure = (name, value, floor) => ({
    name,
    value,
    unit: 'ms',
    floor,
    floorName: 'node -e 0',
    target: 1.3,
  });

  // --version and --help against a bare node, each pair alternated.
  {
    const [bare, version, help] = await alternate(rounds, [
      () => timeExit(['-e', '0']),
      () => timeExit([...KIOSK_NODE_FLAGS, CLI, '--version']),
      () => timeExit([...KIOSK_NODE_FLAGS, CLI, '--help']),
    ]);
    figures.push(cliFigure('--version: time', version, bare), cliFigure('--help: time', help, bare));
    log(
      `cli: node -e 0 ${bare.toFixed(1)} ms, --version ${version.toFixed(1)} ms, --help ${help.toFixed(1)} ms`,
    );
  }

  const pty = await startPty(dir, 'start');
  try {
    const config = path.join(dir, 'offcirc.json');
    writeFileSync(
      config,
      JSON.stringify({
        station: 'bench',
        logging: { dir: path.join(dir, 'logs'), level: 'info' },
        devices: [{ id: 'bench', type: 'serial', path: pty.scannerPath, baudRate: 9600 }],
      }),
    );
    const isReady = (out) => out.includes('"event":"ready"');
    const run = (journal) => () =>
      timeReady(
        process.execPath,
        [...KIOSK_NODE_FLAGS, CLI, 'run', '--headless', '--config', config, '--journal', journal],
        isReady,
      );

    // The floor: node, serialport imported, the same pty opened, one JSON line.
    const floorScript = path.join(dir, 'floor.mjs');
    writeFileSync(
      floorScript,
      [
        `import { SerialPort } from ${JSON.stringify(import.meta.resolve('serialport'))};`,
        `const port = new SerialPort({ path: ${JSON.stringify(pty.scannerPath)}, baudRate: 9600, autoOpen: false });`,
        `port.open((error) => {`,
        `  if (error) throw error;`,
        `  process.stdout.write(JSON.stringify({ event: 'ready' }) + '\\n');`,
        `  process.once('SIGTERM', () => port.close(() => process.exit(0)));`,
        `});`,
      ].join('\n'),
    );
    const floor = () => timeReady(process.execPath, [floorScript], isReady);

    const empty = path.join(dir, 'empty', 'OffCirc.dat');
    const [floorMs, readyMs] = await alternate(rounds, [floor, run(empty)]);
    figures.push({
      name: 'ready (headless, 1 serial scanner): time',
      value: readyMs,
      unit: 'ms',
      floor: floorMs,
      floorName: 'node + serialport opening the pty',
      target: 1.5,
    });
    log(`ready: floor ${floorMs.toFixed(1)} ms, offcirc ${readyMs.toFixed(1)} ms`);

    const lines = quick ? 1_000_000 : 10_000_000;
    const big = path.join(dir, 'big', 'OffCirc.dat');
    mkdirSync(path.dirname(big), { recursive: true });
    writeJournal(big, lines);
    try {
      // One run first, untimed: the first start on a journal offcirc hasn't seen counts its lines once.
      await run(big)();
      const [emptyMs, bigMs] = await alternate(rounds, [run(empty), run(big)]);
      figures.push({
        name: `ready with a ${lines / 1e6}M-line journal: time`,
        value: bigMs,
        unit: 'ms',
        floor: emptyMs,
        floorName: 'ready with an empty journal',
        target: 1.05,
      });
      log(`ready: empty journal ${emptyMs.toFixed(1)} ms, ${lines} lines ${bigMs.toFixed(1)} ms`);
    } finally {
      rmSync(path.dirname(big), { recursive: true, force: true });
    }

    // The screen: `run` on a pseudo-terminal (script(1)); its first frame names the station.
    const screenRuns = [];
    for (let i = 0; i < Math.ceil(rounds / 2); i++) {
      const command = [...KIOSK_NODE_FLAGS, CLI, 'run', '--config', config, '--journal', empty]
        .map((a) => `'${a}'`)
        .join(' ');
      screenRuns.push(
        await timeReady(
          'script',
          ['-qfec', `stty cols 100 rows 30; exec '${process.execPath}' ${command}`, '/dev/null'],
          (out) => out.includes('\x1b[?1049h') && out.split('\x1b[?1049h').pop().includes('bench'),
          { env: { ...process.env, TERM: 'xterm-256color' } },
        ),
      );
    }
    figures.push({
      name: 'screen: first frame',
      value: median(screenRuns),
      unit: 'ms',
      floor: undefined,
      floorName: undefined,
      target: undefined,
      note: 'spawn to the first frame drawn on a pseudo-terminal (React production build); no target',
    });
  } finally {
    pty.stop();
  }
  return figures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { runAlone } = await import('./report.mjs');
  await runAlone(measure);
}
