#!/usr/bin/env node
/**
 * npm run bench (its patron-list part): a million-row CSV and an Alma users JSON imported by the real
 * `offcirc patrons import` (wall time and peak memory from /usr/bin/time), then the list read as the kiosk
 * reads it and looked up a million times (half known cards, half unknown). Sizes: BENCH_PATRONS (default
 * 1,000,000 CSV rows), BENCH_JSON_USERS (default 200,000). Never part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { PatronList } from '../dist/patrons/format.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROWS = Number(process.env.BENCH_PATRONS ?? 1_000_000);
const USERS = Number(process.env.BENCH_JSON_USERS ?? 200_000);
const LOOKUPS = 1_000_000;
const dir = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'offcirc-bench-patrons-'));
const card = (n) => `2${String(n).padStart(13, '0')}`;

async function writeLines(file, count, line, head = '', tail = '') {
  const out = createWriteStream(file);
  out.write(head);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk + tail);
  out.end();
  await once(out, 'finish');
}

function measure(file, format) {
  const journal = path.join(dir, format, 'OffCirc.dat');
  let out = '';
  try {
    execFileSync(
      '/usr/bin/time',
      [
        '-o',
        path.join(dir, `${format}.time`),
        '-f',
        '%e %M',
        process.execPath,
        path.join(ROOT, 'bin/offcirc.js'),
        'patrons',
        'import',
        file,
        '--format',
        format,
        '--journal',
        journal,
      ],
      { encoding: 'utf8', env: { ...process.env, OFFCIRC_CONFIG: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
  } catch (error) {
    out = String(error);
  }
  const [seconds, kib] = readFileSync(path.join(dir, `${format}.time`), 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  if (out) throw new Error(out);
  return { list: path.join(path.dirname(journal), 'patrons.list'), seconds, mib: kib / 1024 };
}

async function main() {
  const csv = path.join(dir, 'patrons.csv');
  await writeLines(
    csv,
    ROWS,
    (i) =>
      `${card(i)},${i % 50 === 0 ? 'inactive' : 'active'},2030-06-30,${i % 100 === 0 ? '"fines, overdue"' : ''}\r\n`,
    'barcode,status,expiry,blocked\r\n',
  );
  const c = measure(csv, 'csv');
  console.log(
    `patron import, CSV: ${ROWS.toLocaleString('en')} rows (${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB) in ${c.seconds.toFixed(2)} s = ${(ROWS / c.seconds).toFixed(0)} rows/s; peak memory ${c.mib.toFixed(0)} MiB; list ${(statSync(c.list).size / 2 ** 20).toFixed(1)} MiB`,
  );

  const json = path.join(dir, 'users.json');
  await writeLines(
    json,
    USERS,
    (i) =>
      `${i === 0 ? '' : ','}{"primary_id":"u${i}","user_identifier":[{"id_type":{"value":"BARCODE","desc":"Barcode"},"value":"${card(i)}","status":"ACTIVE"}],"first_name":"Ann","last_name":"Example","status":{"value":"ACTIVE","desc":"Active"},"expiry_date":"2030-06-30Z","user_block":[${i % 100 === 0 ? '{"block_type":{"value":"GENERAL"},"block_description":{"value":"Fines"},"block_status":"ACTIVE"}' : ''}]}\n`,
    '{"user":[\n',
    `],"total_record_count":${USERS}}\n`,
  );
  const j = measure(json, 'alma-json');
  console.log(
    `patron import, Alma JSON: ${USERS.toLocaleString('en')} users (${(statSync(json).size / 2 ** 20).toFixed(0)} MiB, 2 identifiers each) in ${j.seconds.toFixed(2)} s = ${(USERS / j.seconds).toFixed(0)} users/s; peak memory ${j.mib.toFixed(0)} MiB`,
  );

  // The kiosk's side: read the list, then look cards up.
  const before = process.memoryUsage();
  let t = process.hrtime.bigint();
  const list = PatronList.fromBuffer(readFileSync(c.list));
  const loadMs = Number(process.hrtime.bigint() - t) / 1e6;
  const held = process.memoryUsage();
  const ids = Array.from({ length: 1000 }, (_, k) =>
    k % 2 === 0 ? card((k * 7919) % ROWS) : card(ROWS + k),
  );
  let found = 0;
  t = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) if (list.lookup(ids[i % ids.length])) found++;
  const ns = Number(process.hrtime.bigint() - t);
  console.log(
    `patron list at the kiosk: ${list.count.toLocaleString('en')} entries read in ${loadMs.toFixed(0)} ms, holding ${((held.arrayBuffers - before.arrayBuffers) / 2 ** 20).toFixed(1)} MiB; ` +
      `${LOOKUPS.toLocaleString('en')} lookups at ${(ns / LOOKUPS / 1000).toFixed(2)} µs each = ${((LOOKUPS / ns) * 1e9).toFixed(0)} lookups/s (${found} found: half of them)`,
  );
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = found === LOOKUPS / 2 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 1;
});
