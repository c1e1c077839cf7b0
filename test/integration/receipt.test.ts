/**
 * The real `offcirc run --headless` process with a serial scanner and a serial receipt printer, each on
 * its own socat pty: the receipt captured byte for byte and decoded back; the printer unplugged in the
 * middle of a session (the receipt dropped, the patron told, lending going on, the printer back by
 * itself); a printer that never answers (the receipt times out, lending never waits).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import path from 'node:path';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';
import {
  startOffcirc,
  tempDir,
  writeConfig,
  type LogRecord,
  type OffcircProcess,
} from '../helpers/offcirc.js';
import { ITEM1, ITEM2, ITEM3, PATRON, PATRON2 } from '../helpers/barcodes.js';
import { decodeEscPos, receiptText } from '../receipt/escpos-decode.js';
import { answerOnPty } from '../receipt/printers.js';

interface Kiosk {
  scanner: PtyPair;
  printer: PtyPair;
  p: OffcircProcess;
}

async function kiosk(receipt: Record<string, unknown>, answer: () => number | undefined): Promise<Kiosk> {
  const dir = tempDir();
  const scanner = await startPty({ dir, scannerName: 'scanner', hostName: 'scanner-host' });
  const printer = await startPty({ dir, scannerName: 'printer', hostName: 'printer-host' });
  const stopAnswering = await answerOnPty(printer, answer);
  const config = writeConfig(dir, {
    station: 'desk-1',
    devices: [{ id: 'front', type: 'serial', path: scanner.scannerPath }],
    session: { idleTimeoutSeconds: 60, doubleReadMs: 0 },
    receipt: {
      printer: { type: 'serial', path: printer.scannerPath, baudRate: 19200 },
      header: ['City Library'],
      footer: ['Thank you'],
      timeoutMs: 1000,
      reconnectMs: 200,
      ...receipt,
    },
    logging: { dir: path.join(dir, 'logs') },
  });
  const p = startOffcirc([
    'run',
    '--headless',
    '--config',
    config,
    '--journal',
    path.join(dir, 'OffCirc.dat'),
  ]);
  onTestFinished(async () => {
    stopAnswering();
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
    await scanner.dispose();
    await printer.dispose();
  });
  await p.waitFor((r) => r.event === 'device' && r.status === 'connected', 'the scanner');
  // A printer that answers is "connected"; one that never does is shown as not answering.
  await p.waitFor(
    (r) =>
      r.event === 'printer' && (answer() === undefined ? r.status === 'error' : r.status === 'connected'),
    'the printer',
  );
  return { scanner, printer, p };
}

/** Scans `text` and waits for the record it causes (after those seen so far). */
async function scan(k: Kiosk, text: string, decided: (r: LogRecord) => boolean, what = text) {
  const before = k.p.records.length;
  await k.scanner.write(`${text}\r`);
  return k.p.waitFor((r) => k.p.records.indexOf(r) >= before && decided(r), what);
}
const loaned = (item: string) => (r: LogRecord) => r.event === 'transaction' && r.item === item;
const opened = (r: LogRecord) => r.event === 'session' && r.action === 'opened';
const printerSays = (pattern: RegExp) => (r: LogRecord) =>
  r.event === 'printer' && pattern.test(String(r.message));

describe('a receipt from the real process', () => {
  it('asked for with the command barcode: the session ends and its receipt prints, byte for byte', async () => {
    const k = await kiosk({ when: 'ask' }, () => 0x12);
    await scan(k, PATRON, opened);
    await scan(k, ITEM1, loaned(ITEM1));
    await scan(k, ITEM2, loaned(ITEM2));
    await scan(
      k,
      'RECEIPT',
      (r) => r.event === 'session' && r.action === 'ended',
      'the session ended by RECEIPT',
    );
    await k.p.waitFor(printerSays(/^receipt printed \(2 item\(s\)\)$/), 'the receipt printed');
    // "printed" is the bytes handed to the kernel: they reach the other end of the pty a moment later.
    await waitFor(() => decodeEscPos(k.printer.received()).cuts === 1, { what: 'the receipt bytes' });
    // The status asked on connecting and before the receipt, then the receipt, and nothing else.
    const decoded = decodeEscPos(k.printer.received());
    expect(decoded.commands).toEqual([
      'status 4',
      'status 4',
      'init',
      'kanji-off',
      'font 0',
      'codepage 0',
      'cut 1',
    ]);
    expect(decoded.endsWithCut).toBe(true);
    const lines = receiptText(decoded);
    expect(lines[0]).toBe('               City Library');
    expect(lines).toContain('Station: desk-1');
    expect(lines).toContain(`Card: ****${PATRON.slice(-4)}`);
    expect(lines).toContain(`Loan  ${ITEM1}`);
    expect(lines).toContain(`Loan  ${ITEM2}`);
    expect(lines).toContain('2 items borrowed');
    expect(lines.at(-1)).toBe('                Thank you');
    expect(lines.join('\n')).not.toContain(PATRON);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
    // The patron's card never reaches the log unmasked, through the receipt records either.
    expect(k.p.stdout()).not.toContain(PATRON);
  });

  it('return mode: RECEIPT prints the returns so far, without a card', async () => {
    const k = await kiosk({ when: 'ask' }, () => 0x12);
    await scan(k, 'MODE-RETURN', (r) => r.event === 'mode' && r.mode === 'return');
    await scan(k, ITEM1, (r) => r.event === 'transaction' && r.kind === 'return' && r.item === ITEM1);
    await scan(k, ITEM2, (r) => r.event === 'transaction' && r.kind === 'return' && r.item === ITEM2);
    const before = k.p.records.length;
    await k.scanner.write('RECEIPT\r');
    await k.p.waitFor(
      (r) => k.p.records.indexOf(r) >= before && printerSays(/^receipt printed \(2 item\(s\)\)$/)(r),
      'the returns receipt',
    );
    await waitFor(() => decodeEscPos(k.printer.received()).cuts === 1, {
      what: 'the receipt bytes',
    });
    const lines = receiptText(decodeEscPos(k.printer.received()));
    expect(lines).toContain(`Return  ${ITEM1}`);
    expect(lines).toContain(`Return  ${ITEM2}`);
    expect(lines).toContain('2 items returned');
    expect(lines.some((l) => l.startsWith('Card'))).toBe(false);
  });

  it('unplugged mid-session: lending goes on, the receipt is dropped and said, the printer comes back', async () => {
    const k = await kiosk({ when: 'always' }, () => 0x12);
    await scan(k, PATRON, opened);
    await scan(k, ITEM1, loaned(ITEM1));
    await k.printer.stop();
    await k.p.waitFor(
      (r) => r.event === 'printer' && r.status === 'disconnected' && /unplugged/.test(String(r.message)),
      'the printer unplugged',
    );
    await scan(k, ITEM2, loaned(ITEM2));
    await scan(k, 'END-SESSION', (r) => r.event === 'session' && r.action === 'ended');
    const dropped = await k.p.waitFor(printerSays(/^receipt dropped: /), 'the receipt dropped');
    expect(dropped).toMatchObject({ level: 'warn', receipt: 'dropped', items: 2 });
    // Lending goes on while the printer is away.
    await scan(k, PATRON2, opened);
    await scan(k, ITEM3, loaned(ITEM3));
    await k.printer.restart();
    const stop = await answerOnPty(k.printer, () => 0x12);
    onTestFinished(stop);
    await k.p.waitFor(
      (r) =>
        r.event === 'printer' &&
        r.status === 'connected' &&
        k.p.records.indexOf(r) > k.p.records.indexOf(dropped),
      'the printer back',
    );
    await scan(k, 'END-SESSION', (r) => r.event === 'session' && r.action === 'ended');
    await k.p.waitFor(printerSays(/^receipt printed \(1 item\(s\)\)$/), 'the next receipt printed');
    await waitFor(() => decodeEscPos(k.printer.received()).cuts === 1, { what: 'the cut' });
    const lines = receiptText(decodeEscPos(k.printer.received()));
    expect(lines).toContain(`Loan  ${ITEM3}`);
    expect(lines).toContain(`Card: ****${PATRON2.slice(-4)}`);
    expect(lines).not.toContain(`Loan  ${ITEM1}`);
  });

  it('a printer that never answers: the receipt times out and lending never waits for it', async () => {
    const k = await kiosk({ when: 'always', timeoutMs: 3000 }, () => undefined);
    await scan(k, PATRON, opened);
    await scan(k, ITEM1, loaned(ITEM1));
    const endedAt = Date.now();
    await scan(k, 'END-SESSION', (r) => r.event === 'session' && r.action === 'ended');
    // The next patron borrows while the printer is still being waited for.
    await scan(k, PATRON2, opened);
    await scan(k, ITEM2, loaned(ITEM2));
    const lentAt = Date.now();
    expect(lentAt - endedAt).toBeLessThan(2500); // well inside the printer's 3 s
    expect(k.p.records.some(printerSays(/^receipt dropped/))).toBe(false);
    const dropped = await k.p.waitFor(
      printerSays(/^receipt dropped: .* is not answering$/),
      'the receipt timed out',
    );
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(2900);
    expect(dropped.level).toBe('warn');
    await k.p.waitFor(
      (r) =>
        r.event === 'printer' &&
        r.status === 'error' &&
        /not answering the paper status/.test(String(r.message)),
      'the printer shown as not answering',
    );
  });
});
