#!/usr/bin/env node
/**
 * The same-pipeline floor for a scan (issue 13): the least a process can do between a scanner and a
 * durable OffCirc.dat line. serialport opens and reads the port as it ships (with --event-loop-reads, the
 * way offcirc's driver reads: on the event loop, serial-read.ts), each CR-ended barcode becomes one fixed loan line appended with one write + fdatasync, and one JSON event
 * goes to standard output. No rules, no sessions, no log, no state: what offcirc adds is measured against
 * this. Usage: node floor-station.mjs PORT JOURNAL [--event-loop-reads]
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { readOnEventLoop } from '../../dist/devices/serial-read.js';

const [portPath, journal, reads] = process.argv.slice(2);
const fd = openSync(journal, 'a', 0o600);
const port = new SerialPort({ path: portPath, baudRate: 9600, autoOpen: false });
const PATRON = '21234000000018';
let lineNumber = 0;
let buffered = '';
port.open((error) => {
  if (error) throw error;
  if (reads === '--event-loop-reads') readOnEventLoop(port.port);
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
      writeSync(fd, `${stamp}L${barcode.padEnd(80, ' ')}${PATRON}\r\n`);
      fdatasyncSync(fd);
      lineNumber += 1;
      process.stdout.write(`${JSON.stringify({ event: 'transaction', item: barcode, line: lineNumber })}\n`);
    }
  });
});
process.on('SIGTERM', () => {
  closeSync(fd);
  port.close(() => process.exit(0));
});
