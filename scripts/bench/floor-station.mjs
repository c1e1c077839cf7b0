#!/usr/bin/env node
/**
 * The same-pipeline floor for a scan (issue 13): the least a process can do between a scanner and a
 * durable OffCirc.dat line. serialport opens and reads the port as it ships (with --event-loop-reads, the
 * way offcirc's driver reads: on the event loop, serial-read.ts), each CR-ended barcode becomes one fixed
 * loan line appended with one write + fdatasync, and one JSON event goes to standard output. No rules, no
 * sessions, no log, no state: what offcirc adds is measured against this.
 *
 * With --log it also does the per-scan work offcirc's rules ask of it, whatever its code, so the bench can
 * say how near the floor offcirc can come: an lstat of the journal's path before the write (a journal
 * moved after an upload gets a new file, writer.ts), the event as offcirc's transaction record with the
 * default config (its fields, timestamped the cheap way log.ts does), and that record appended to a log
 * file once per turn of the event loop (log-file.ts).
 *
 * Usage: node floor-station.mjs PORT JOURNAL [--event-loop-reads] [--log]
 */
import { closeSync, fdatasyncSync, lstatSync, openSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { isoTimestamps } from '../../dist/log.js';
import { readOnEventLoop } from '../../dist/devices/serial-read.js';

const [portPath, journal, ...flags] = process.argv.slice(2);
const fd = openSync(journal, 'a', 0o600);
const withLog = flags.includes('--log');
const logFd = withLog ? openSync(`${journal}.log`, 'a', 0o600) : undefined;
const iso = isoTimestamps();
let logBatch = [];
const port = new SerialPort({ path: portPath, baudRate: 9600, autoOpen: false });
const PATRON = '21234000000018';
let lineNumber = 0;
let buffered = '';
port.open((error) => {
  if (error) throw error;
  if (flags.includes('--event-loop-reads')) readOnEventLoop(port.port);
  process.stdout.write('{"event":"ready"}\n');
  port.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    let end;
    while ((end = buffered.indexOf('\r')) !== -1) {
      const barcode = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (barcode === '') continue;
      const now = new Date();
      const stamp = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}${String(now.getHours()).padStart(2, '0')}${String(now.getMinutes()).padStart(2, '0')}`;
      if (withLog) lstatSync(journal);
      writeSync(fd, `${stamp}L${barcode.padEnd(80, ' ')}${PATRON}\r\n`);
      fdatasyncSync(fd);
      lineNumber += 1;
      if (withLog) logged(barcode);
      else
        process.stdout.write(
          `${JSON.stringify({ event: 'transaction', item: barcode, line: lineNumber })}\n`,
        );
    }
  });
});
/** The event as offcirc's transaction record, on standard output and batched for the log file. */
function logged(item) {
  const record = JSON.stringify({
    level: 'info',
    message: `loan of ${item} to ****0018`,
    station: 'offcirc',
    event: 'transaction',
    kind: 'loan',
    item,
    patron: '****0018',
    line: lineNumber,
    device: 'scanner',
    timestamp: iso(Date.now()),
  });
  process.stdout.write(`${record}\n`);
  logBatch.push(record);
  if (logBatch.length === 1)
    setImmediate(() => {
      writeSync(logFd, `${logBatch.join('\n')}\n`);
      logBatch = [];
    });
}

process.on('SIGTERM', () => {
  closeSync(fd);
  if (logFd !== undefined) closeSync(logFd);
  port.close(() => process.exit(0));
});
