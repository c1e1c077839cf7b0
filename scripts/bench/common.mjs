/**
 * What the bench parts share: a figure for the table (report.mjs), waiting, medians and quantiles, and a
 * socat pty pair standing in for a serial scanner (the scanner's end for the daemon, the host's end held
 * open for the bench to write).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * node's flags for offcirc as a kiosk runs it: those on bin/offcirc.js's first line (npm start and an
 * npm install run the launcher as a program; the systemd units pass the same in NODE_OPTIONS).
 */
export const KIOSK_NODE_FLAGS = readFileSync(
  path.join(import.meta.dirname, '..', '..', 'bin', 'offcirc.js'),
  'utf8',
)
  .split('\n')[0]
  .replace(/^#!\/usr\/bin\/env -S node/, '')
  .split(' ')
  .filter(Boolean);

export const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** The value below which a fraction q of `values` lie (the upper one of two middles for q = 0.5). */
export const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** The middle value, or the mean of the two middle ones. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A pty pair `<name>-scanner` / `<name>-host` in `dir`. The host end stays open (without a writer
 * attached a pty may report a hang-up when the daemon closes); stop() closes it and ends socat.
 */
export async function startPty(dir, name) {
  const a = path.join(dir, `${name}-scanner`);
  const b = path.join(dir, `${name}-host`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !(existsSync(a) && existsSync(b)); i++) await sleep(10);
  if (!existsSync(a) || !existsSync(b)) {
    socat.kill();
    throw new Error('socat made no pty pair');
  }
  const host = openSync(b, 'w');
  return {
    scannerPath: a,
    hostPath: b,
    host,
    stop() {
      closeSync(host);
      socat.kill();
    },
  };
}

/** One row of the table: `target` is the largest ratio to the floor allowed; `ok` false marks it failed. */
export function figure(name, value, unit, floor, floorName, target, note, ok) {
  return { name, value, unit, floor, floorName, target, note, ...(ok === false && { failed: true }) };
}
