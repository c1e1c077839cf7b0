/**
 * The receipt on the real kiosk screen (tmux runs `offcirc run`, send-keys presses F5, capture-pane reads
 * the screen), with a serial scanner and a serial printer on socat ptys: the printer unplugged in the
 * middle of a session, F5 at its end tells the patron "No receipt: please ask staff" and the status line
 * shows the printer gone; plugged back, it is "ready" by itself and the next patron's F5 prints.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ITEM1, ITEM2, ITEM3, PATRON, PATRON2 } from '../helpers/barcodes.js';
import { BIN, tempDir, writeConfig } from '../helpers/offcirc.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';
import { decodeEscPos, receiptText } from '../receipt/escpos-decode.js';
import { answerOnPty } from '../receipt/printers.js';

const run = promisify(execFile);
// A tmux server of our own, so the test never touches anyone's sessions.
const SOCKET = `offcirc-receipt-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, ...args]);
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'kiosk')).stdout;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function waitForScreen(test: (text: string) => boolean, what: string): Promise<string> {
  let last = '';
  return waitFor(
    async () => {
      last = await screen();
      return test(last) ? last : false;
    },
    { timeoutMs: 20_000, intervalMs: 50, what: () => `${what}; the screen was:\n${last}` },
  );
}

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  await tmux('kill-server').catch(() => undefined);
  const uid = process.getuid?.() ?? 0;
  await rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, SOCKET), { force: true });
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

describe('a receipt on the kiosk screen', () => {
  it('unplugged mid-session: F5 says "No receipt: please ask staff"; plugged back, the next F5 prints', async () => {
    const dir = tempDir('offcirc-receipt-screen-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const scanner: PtyPair = await startPty({ dir, scannerName: 'scanner', hostName: 'scanner-host' });
    cleanup.push(() => scanner.dispose());
    const printer: PtyPair = await startPty({ dir, scannerName: 'printer', hostName: 'printer-host' });
    cleanup.push(() => printer.dispose());
    cleanup.push(await answerOnPty(printer, () => 0x12));
    const config = writeConfig(dir, {
      station: 'e2e-desk',
      devices: [{ id: 'front', type: 'serial', path: scanner.scannerPath }],
      journal: { path: path.join(dir, 'OffCirc.dat') },
      receipt: { printer: { type: 'serial', path: printer.scannerPath }, timeoutMs: 1000, reconnectMs: 200 },
    });
    const command = [
      'env -u CI -u CONTINUOUS_INTEGRATION OFFCIRC_CONFIG=',
      quote(process.execPath),
      quote(BIN),
      'run --config',
      quote(config),
      '; echo "offcirc exited with $?"; sleep 600',
    ].join(' ');
    await tmux('new-session', '-d', '-s', 'kiosk', '-x', '100', '-y', '30', command);
    await waitForScreen((s) => /Printer: ready/.test(s) && /F5 {2}Receipt/.test(s), 'the printer ready');

    await scanner.write(`${PATRON}\r`);
    await waitForScreen((s) => /Scan your items/.test(s), 'the session open');
    await scanner.write(`${ITEM1}\r`);
    await waitForScreen((s) => /Loaned/.test(s), 'the loan');
    await printer.stop();
    await waitForScreen((s) => /Printer: DISCONNECTED/.test(s), 'the printer unplugged on the status line');
    // Lending goes on without the printer.
    await scanner.write(`${ITEM2}\r`);
    await waitForScreen((s) => /Borrowed just now \(2\)/.test(s), 'the second loan');
    await tmux('send-keys', '-t', 'kiosk', 'F5');
    const told = await waitForScreen((s) => /No receipt: please ask staff/.test(s), 'the patron told');
    expect(told).toMatch(/Scan your library card/); // F5 ended the session
    expect(told).toMatch(/Printer: DISCONNECTED/);
    expect(told).toMatch(/printer: .*printer/); // why, on the problem row

    await printer.restart();
    cleanup.push(await answerOnPty(printer, () => 0x12));
    await waitForScreen((s) => /Printer: ready/.test(s), 'the printer back by itself');
    await scanner.write(`${PATRON2}\r`);
    const next = await waitForScreen((s) => /Scan your items/.test(s), 'the next session');
    expect(next).not.toMatch(/No receipt/); // the last patron's note is not the next one's
    await scanner.write(`${ITEM3}\r`);
    await waitForScreen((s) => /Borrowed just now \(1\)/.test(s), 'the next loan');
    await tmux('send-keys', '-t', 'kiosk', 'F5');
    await waitFor(() => decodeEscPos(printer.received().subarray(3)).cuts === 1, {
      what: 'the receipt at the printer',
      timeoutMs: 10_000,
    });
    const lines = receiptText(decodeEscPos(printer.received().subarray(3)));
    expect(lines).toContain(`Card: ****${PATRON2.slice(-4)}`);
    expect(lines).toContain('1 item borrowed');
    await waitForScreen(
      (s) => /Scan your library card/.test(s) && !/No receipt/.test(s),
      'no note after a printed receipt',
    );
  });
});
