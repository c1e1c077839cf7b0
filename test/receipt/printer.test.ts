/**
 * The printer on real transports: receipts captured byte for byte from a socat pty (serial), a TCP
 * listener on 127.0.0.1 and a character device; paper out; a printer that never answers; one unplugged
 * and plugged back; one switched off. Every print settles within its time bound, printed or dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeReceipt, PAPER_STATUS_REQUEST } from '../../src/receipt/escpos.js';
import { layoutReceipt } from '../../src/receipt/layout.js';
import { FileLink, SerialLink, TcpLink, type PrinterLink } from '../../src/receipt/links.js';
import { Printer } from '../../src/receipt/printer.js';
import type { DeviceStatus } from '../../src/station/view.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';
import { decodeEscPos, receiptText } from './escpos-decode.js';
import { answerOnPty, statusRequests, tcpPrinter } from './printers.js';

const TIMEOUT = 400;
const RECONNECT = 100;

const LINES = layoutReceipt(
  {
    station: 'desk-1',
    at: new Date(2026, 11, 2, 14, 5).getTime(),
    patron: '21234567890128',
    items: [{ kind: 'loan', item: '31234567890126', at: 0, due: new Date(2026, 11, 23).getTime() }],
    header: ['Bibliothèque'],
    footer: [],
  },
  42,
);
const RECEIPT = Buffer.from(encodeReceipt(LINES, 42));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function printerOn(link: PrinterLink) {
  const states: { status: DeviceStatus; message: string }[] = [];
  const printer = new Printer(link, {
    timeoutMs: TIMEOUT,
    reconnectMs: RECONNECT,
    report: (status, message) => states.push({ status, message }),
  });
  cleanup.push(() => printer.stop());
  const last = () => states[states.length - 1];
  const waitStatus = (status: DeviceStatus, pattern: RegExp = /./) =>
    waitFor(() => last()?.status === status && pattern.test(last()!.message), {
      what: () => `printer ${status} ${pattern} (now ${JSON.stringify(last())})`,
      timeoutMs: 5000,
    });
  return { printer, states, last, waitStatus };
}

async function pty(): Promise<PtyPair> {
  const pair = await startPty({ scannerName: 'printer' });
  cleanup.push(() => pair.dispose());
  return pair;
}

const serial = (p: PtyPair) =>
  new SerialLink({ type: 'serial', path: p.scannerPath, baudRate: 19200, askStatus: true }, RECONNECT);

describe('a serial printer (socat pty)', () => {
  it('asks the paper status on connecting and before the receipt: captured byte for byte and decoded back', async () => {
    const p = await pty();
    cleanup.push(await answerOnPty(p, () => 0x12));
    const { printer, waitStatus } = printerOn(serial(p));
    await printer.start();
    await waitStatus('connected', /ready/);
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
    await waitFor(() => p.received().length >= 2 * PAPER_STATUS_REQUEST.length + RECEIPT.length, {
      what: 'the receipt at the host end',
    });
    expect(p.received()).toEqual(Buffer.concat([PAPER_STATUS_REQUEST, PAPER_STATUS_REQUEST, RECEIPT]));
    const decoded = decodeEscPos(p.received());
    expect(decoded.commands.slice(0, 3)).toEqual(['status 4', 'status 4', 'init']);
    expect(receiptText(decoded)).toEqual(LINES);
    expect(decoded.commands.at(-1)).toBe('cut 1');
    expect(decoded.endsWithCut).toBe(true);
  });

  it('out of paper: the receipt is dropped, nothing but the question is sent, the state says so', async () => {
    const p = await pty();
    cleanup.push(await answerOnPty(p, () => 0x72));
    const { printer, waitStatus, states } = printerOn(serial(p));
    await printer.start();
    // Asked on connecting: the status line says so before any receipt is lost.
    await waitStatus('error', /out of paper/);
    expect(states.map((s) => s.status)).not.toContain('connected');
    const outcome = await printer.print(RECEIPT);
    expect(outcome).toEqual({ printed: false, reason: `${p.scannerPath} is out of paper` });
    expect(receiptText(decodeEscPos(p.received()))).toEqual([]); // questions only, no receipt
  });

  it('paper put back, or a printer that starts answering: ready again by itself, without a receipt', async () => {
    const p = await pty();
    let answer: number | undefined = 0x72;
    cleanup.push(await answerOnPty(p, () => answer));
    const { printer, waitStatus } = printerOn(serial(p));
    await printer.start();
    await waitStatus('error', /out of paper/);
    answer = undefined;
    await waitStatus('error', /not answering/);
    answer = 0x12;
    await waitStatus('connected', /ready/);
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
  });

  it('a pty nobody answers: the receipt times out and is dropped, within the bound', async () => {
    const p = await pty();
    const { printer, waitStatus, states } = printerOn(serial(p));
    await printer.start();
    // Open, but asked on connecting and silent: shown as not answering, never as ready.
    await waitStatus('error', /not answering the paper status: check it is on and its cable/);
    expect(states.map((s) => s.status)).not.toContain('connected');
    const started = Date.now();
    const outcome = await printer.print(RECEIPT);
    const took = Date.now() - started;
    expect(outcome).toEqual({ printed: false, reason: `${p.scannerPath} is not answering` });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT - 20);
    expect(took).toBeLessThan(TIMEOUT + 500);
  });

  it('unplugged: reported, receipts dropped at once; plugged back: reconnects by itself and prints', async () => {
    const p = await pty();
    let stopAnswering = await answerOnPty(p, () => 0x12);
    const { printer, waitStatus } = printerOn(serial(p));
    await printer.start();
    await waitStatus('connected');
    stopAnswering();
    await p.stop();
    await waitStatus('disconnected', /unplugged: waiting for it to come back/);
    const started = Date.now();
    const outcome = await printer.print(RECEIPT);
    expect(outcome.printed).toBe(false);
    expect(Date.now() - started).toBeLessThan(50);
    await p.restart();
    stopAnswering = await answerOnPty(p, () => 0x12);
    cleanup.push(stopAnswering);
    await waitStatus('connected', /ready/);
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
    await waitFor(() => p.received().length >= 2 * PAPER_STATUS_REQUEST.length + RECEIPT.length, {
      what: 'the receipt after the replug',
    });
    expect(receiptText(decodeEscPos(p.received()))).toEqual(LINES);
  });
});

describe('a network printer (TCP on 127.0.0.1)', () => {
  const tcp = (port: number, askStatus = true) =>
    new TcpLink({ type: 'tcp', host: '127.0.0.1', port, askStatus }, TIMEOUT);

  it('captured byte for byte and decoded back', async () => {
    const server = await tcpPrinter({ answer: 0x12 });
    cleanup.push(() => server.close());
    const { printer, waitStatus } = printerOn(tcp(server.port));
    await printer.start();
    await waitStatus('connected', /127\.0\.0\.1:\d+ ready/);
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
    await waitFor(() => server.received().length >= 6 + RECEIPT.length, { what: 'the receipt over TCP' });
    expect(server.received()).toEqual(Buffer.concat([PAPER_STATUS_REQUEST, PAPER_STATUS_REQUEST, RECEIPT]));
    expect(receiptText(decodeEscPos(server.received()))).toEqual(LINES);
  });

  it('a printer that accepts and never reads: each receipt dropped after its timeout, one after the other', async () => {
    const server = await tcpPrinter({ read: false });
    cleanup.push(() => server.close());
    const { printer, waitStatus } = printerOn(tcp(server.port));
    await printer.start();
    await waitStatus('error', /not answering the paper status/);
    const started = Date.now();
    const outcomes = await Promise.all([printer.print(RECEIPT), printer.print(RECEIPT)]);
    const took = Date.now() - started;
    expect(outcomes).toEqual([
      { printed: false, reason: `127.0.0.1:${server.port} is not answering` },
      { printed: false, reason: `127.0.0.1:${server.port} is not answering` },
    ]);
    // One after the other, each bounded: two receipts, two timeouts.
    expect(took).toBeLessThan(2 * TIMEOUT + 500);
  });

  it('more receipts than may wait: the extra ones are dropped at once', async () => {
    const server = await tcpPrinter({ read: false });
    cleanup.push(() => server.close());
    const { printer, waitStatus } = printerOn(tcp(server.port));
    await printer.start();
    await waitStatus('error', /not answering the paper status/);
    const jobs = [1, 2, 3, 4].map(() => printer.print(RECEIPT));
    expect(await jobs[3]).toEqual({
      printed: false,
      reason: `127.0.0.1:${server.port} is busy with other receipts`,
    });
    await Promise.all(jobs);
  });

  it('switched off: an error in words, then connects by itself when it comes on', async () => {
    const probe = await tcpPrinter();
    const port = probe.port;
    await probe.close(); // nothing listens there now
    const { printer, waitStatus } = printerOn(tcp(port));
    await printer.start();
    await waitStatus('error', /can't be reached \(ECONNREFUSED\): check the printer is on/);
    expect((await printer.print(RECEIPT)).printed).toBe(false);
    const server = await tcpPrinter({ port, answer: 0x12 });
    cleanup.push(() => server.close());
    await waitStatus('connected', /ready/);
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
    await waitFor(
      () => statusRequests(server.received()) === 2 && server.received().length === 6 + RECEIPT.length,
      {
        what: 'the receipt once on',
      },
    );
  });
});

describe('a link closed while it opens (the printer gave up waiting)', () => {
  const events = { data: () => undefined, lost: () => undefined };

  it('TCP: the late connection is ended, never left holding the printer', async () => {
    const server = await tcpPrinter();
    cleanup.push(() => server.close());
    const link = new TcpLink({ type: 'tcp', host: '127.0.0.1', port: server.port, askStatus: true }, TIMEOUT);
    const opening = link.open(events);
    link.close();
    await expect(opening).rejects.toThrow(/can't be reached/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.open()).toBe(0);
  });

  it('serial: the port opened too late is closed again, and open() says so', async () => {
    const p = await pty();
    const link = serial(p);
    const opening = link.open(events);
    link.close();
    await expect(opening).rejects.toThrow(/closed while opening/);
    // The port is free: opening it again works at once.
    await link.open(events);
    link.close();
  });
});

describe('a USB printer (character device)', () => {
  const file = (devicePath: string) => new FileLink({ type: 'file', path: devicePath }, RECONNECT);

  it('writes to a character device without asking the status: captured byte for byte', async () => {
    const p = await pty();
    await p.write(Buffer.alloc(0));
    const { printer, waitStatus } = printerOn(file(p.scannerPath));
    await printer.start();
    await waitStatus('connected');
    expect(await printer.print(RECEIPT)).toEqual({ printed: true });
    await waitFor(() => p.received().length >= RECEIPT.length, { what: 'the receipt on the device' });
    expect(p.received()).toEqual(RECEIPT);
  });

  it('a device that stops taking data (nobody reads the pty): EAGAIN until the timeout, then dropped and reopened', async () => {
    const p = await pty(); // the host end is never opened: what is written piles up until the kernel says EAGAIN
    const { printer, waitStatus, states } = printerOn(file(p.scannerPath));
    await printer.start();
    await waitStatus('connected');
    let outcome: Awaited<ReturnType<Printer['print']>> = { printed: true };
    let took = 0;
    for (let i = 0; i < 500 && outcome.printed; i++) {
      const started = Date.now();
      outcome = await printer.print(RECEIPT);
      took = Date.now() - started;
    }
    expect(outcome).toEqual({
      printed: false,
      reason: `${p.scannerPath} did not take the receipt within ${TIMEOUT} ms`,
    });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT - 20);
    expect(took).toBeLessThan(TIMEOUT + 500);
    expect(states).toContainEqual({
      status: 'disconnected',
      message: `${p.scannerPath} did not take the receipt within ${TIMEOUT} ms: waiting for it to come back`,
    });
    await waitStatus('connected'); // reopened by itself
  });

  it('refuses a regular file, in words', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-lp-'));
    const plain = path.join(dir, 'lp0');
    writeFileSync(plain, '');
    const { printer, waitStatus } = printerOn(file(plain));
    await printer.start();
    await waitStatus(
      'error',
      /is not a character device: expected a USB printer's device such as "\/dev\/usb\/lp0"/,
    );
    expect((await printer.print(RECEIPT)).printed).toBe(false);
  });

  it('a missing device: the error says to plug it in', async () => {
    const { printer, waitStatus } = printerOn(file('/dev/usb/offcirc-no-such-lp'));
    await printer.start();
    await waitStatus('error', /not found: plug the printer in/);
  });
});
