#!/usr/bin/env node
/**
 * npm run bench:forward: forwarding at scale on a throwaway PostgreSQL 15 (Debian's, fsync on).
 *  1. Scan-to-durable on the real daemon (socat pty) without forwarding, forwarding with the database
 *     up, and with it unreachable: the scan path must not wait for the network.
 *  2. 200 stations × 1,000 transactions written while "an hour offline", then all forwarders started
 *     at once (one connection each, as their own least-privilege roles over TCP): the catch-up rate.
 *  3. `offcirc collect export` of one desk holding 100,000 of them; the database's size.
 * Prints figures; never part of `npm test`. BENCH_STATIONS, BENCH_LINES, BENCH_SAMPLES scale it down.
 */
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { mod10CheckDigit } from '../dist/barcode/checkdigit.js';
import { Forwarder } from '../dist/forward/forwarder.js';
import { addStationRole, migrate } from '../dist/forward/migrations.js';
import { formatLine } from '../dist/journal/line.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = '/usr/lib/postgresql/15/bin';
const STATIONS = Number(process.env.BENCH_STATIONS ?? 200);
const LINES = Number(process.env.BENCH_LINES ?? 1000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const item = (n) => {
  const body = `31234${String(n).padStart(8, '0')}`;
  return body + mod10CheckDigit(body);
};
const PATRON = '21234000000018';

if (!existsSync(path.join(BIN, 'initdb'))) {
  console.log('bench-forward needs postgresql: apt-get install postgresql');
  process.exit(0);
}

const root = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'offcirc-bench-fwd-'));
const asRoot = process.getuid?.() === 0;
// The server's user (postgres, when we are root) must reach its folder inside ours.
chmodSync(root, 0o755);
const as = (cmd, args) =>
  asRoot
    ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args])
    : run(path.join(BIN, cmd), args);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function cluster() {
  const dir = path.join(root, 'pg');
  mkdirSync(dir);
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    chownSync(dir, uid, gid);
  }
  const pw = path.join(dir, 'pw');
  writeFileSync(pw, 'admin\n');
  if (asRoot) chownSync(pw, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
  const data = path.join(dir, 'data');
  await as('initdb', [
    '-D',
    data,
    '-U',
    'bench',
    '--pwfile',
    pw,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${STATIONS + 40}`;
  await as('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    port,
    admin: `postgres://bench@/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
    tcp: (user) => `postgres://${user}@127.0.0.1:${port}/postgres`,
    stop: () => as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
  };
}

const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

/** Scan-to-durable of SAMPLES loans on a real daemon: from the bytes on the pty to the `transaction` record. */
async function scanToDurable(name, forward) {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const scanner = path.join(dir, 'scanner');
  const host = path.join(dir, 'host');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${scanner}`, `pty,raw,echo=0,link=${host}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 300 && !(existsSync(scanner) && existsSync(host)); i++) await sleep(10);
  const config = path.join(dir, 'offcirc.json');
  writeFileSync(
    config,
    JSON.stringify({
      station: name,
      desk: 'BENCH',
      journal: { path: 'OffCirc.dat' },
      session: { idleTimeoutSeconds: 3600, doubleReadMs: 0 },
      devices: [{ id: 'front', type: 'serial', path: scanner }],
      ...(forward && { forward: { url: forward, retryMaxSeconds: 2, statusSeconds: 1 } }),
    }),
  );
  const daemon = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'offcirc.js'), 'run', '--headless', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let waiting;
  let seen = 0;
  let buffered = '';
  daemon.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      if (/"event":"(transaction|session)"/.test(line)) {
        seen++;
        waiting?.();
      } else if (/"event":"device".*"connected"/.test(line)) waiting?.();
    }
  });
  await new Promise((r) => (waiting = r));
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const fd = openSync(host, 'w');
  const once = (text) =>
    new Promise((resolve) => {
      const before = seen;
      waiting = () => seen > before && resolve();
      writeSync(fd, text);
    });
  await once(`${PATRON}\r`);
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    await once(`${item(i + 1)}\r`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await sleep(5);
  }
  closeSync(fd);
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  socat.kill();
  return `p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${quantile(times, 0.99).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`;
}

const db = await cluster();
try {
  const admin = new pg.Client({ connectionString: db.admin });
  await admin.connect();
  await migrate(admin);

  console.log(`offcirc bench-forward: PostgreSQL 15 (fsync on) in ${root}`);
  console.log(`scan-to-durable, ${SAMPLES} loans each:`);
  console.log(`  no forwarding:          ${await scanToDurable('plain')}`);
  console.log(`  forwarding, db up:      ${await scanToDurable('up', db.admin)}`);
  console.log(
    `  forwarding, db down:    ${await scanToDurable('down', `postgres://x@127.0.0.1:${await freePort()}/x`)}`,
  );

  // An hour offline: each station's journal holds LINES transactions over that hour.
  const start = Date.now() - 3600_000;
  const forwarders = [];
  const pwFile = path.join(root, 'station-password');
  writeFileSync(pwFile, 'station-pw\n', { mode: 0o600 });
  for (let s = 0; s < STATIONS; s++) {
    const name = `st-${String(s).padStart(3, '0')}`;
    await addStationRole(admin, name, 'station-pw');
    const dir = path.join(root, 'stations', name);
    mkdirSync(dir, { recursive: true });
    const lines = [];
    for (let n = 0; n < LINES; n++) {
      const at = start + Math.floor((n * 3600_000) / LINES);
      const it = item(s * LINES + n + 1);
      lines.push(
        formatLine(
          n % 3 === 2
            ? { kind: 'return', item: it, at, device: 'd' }
            : { kind: 'loan', item: it, patron: PATRON, at, device: 'd' },
          'crlf',
        ),
      );
    }
    writeFileSync(path.join(dir, 'OffCirc.dat'), lines.join(''));
    // Half the stations lend at one big desk (the export below); the rest at ten smaller ones.
    const desk = s < STATIONS / 2 ? 'BIG' : `DESK-${s % 10}`;
    forwarders.push(
      new Forwarder({
        journalPath: path.join(dir, 'OffCirc.dat'),
        station: name,
        desk,
        target: { url: db.tcp(name), passwordFile: pwFile },
        log: (level, message) => level === 'error' && console.error(`${name}: ${message}`),
        batchLines: 500,
        retryMaxMs: 2000,
        statusMs: 5000,
      }),
    );
  }
  const total = STATIONS * LINES;
  const view = {
    station: 'x',
    mode: 'loan',
    inService: true,
    recent: [],
    devices: [],
    journal: { path: '', today: 0 },
  };
  const t0 = Date.now();
  for (const f of forwarders) f.start(() => view);
  for (;;) {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM offcirc.lines');
    if (rows[0].n >= total) break;
    await sleep(100);
  }
  const catchUp = (Date.now() - t0) / 1000;
  await Promise.all(forwarders.map((f) => f.stop()));
  console.log(
    `catch-up after an hour offline: ${STATIONS} stations × ${LINES} = ${total} lines in ${catchUp.toFixed(1)} s (${Math.round(total / catchUp)} lines/s)`,
  );

  const big = (await admin.query("SELECT count(*)::int AS n FROM offcirc.lines WHERE desk = 'BIG'")).rows[0]
    .n;
  const out = path.join(root, 'BIG.dat');
  const e0 = Date.now();
  const exported = await run(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'offcirc.js'),
      'collect',
      'export',
      '--desk',
      'BIG',
      '--out',
      out,
      '--db',
      db.admin,
    ],
    {
      maxBuffer: 1 << 24,
    },
  );
  const exportSeconds = (Date.now() - e0) / 1000;
  console.log(
    `export of desk BIG (${big} transactions): ${exportSeconds.toFixed(1)} s, ${(statSync(out).size / 1e6).toFixed(1)} MB; ${exported.stdout.trim()}`,
  );
  const size = await admin.query(
    `SELECT pg_size_pretty(pg_database_size(current_database())) AS db,
            pg_size_pretty(pg_total_relation_size('offcirc.lines')) AS lines,
            pg_size_pretty(pg_total_relation_size('offcirc.batches')) AS batches`,
  );
  console.log(
    `database size: ${size.rows[0].db} (offcirc.lines ${size.rows[0].lines} with indexes, offcirc.batches ${size.rows[0].batches})`,
  );
  await admin.end();
} finally {
  await db.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
