/**
 * `offcirc run` on a real terminal, as a person uses it: tmux runs the built command, send-keys presses
 * the keys, a socat pty plays the serial scanner, capture-pane reads the screen.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPin } from '../../src/config/pin.js';
import { writeFileSync } from 'node:fs';
import { BIN, runOffcirc, tempDir, writeConfig } from '../helpers/offcirc.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';

const run = promisify(execFile);
// A server of our own, so the test never touches anyone's tmux sessions.
const SOCKET = `offcirc-e2e-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, ...args]);
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'kiosk')).stdout;

/** Waits until the visible screen satisfies `test`; the error shows the screen as it was. */
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

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Starts `offcirc run` in a tmux pane of `columns`×`rows` with `env` set for it. Ink draws only the last
 * frame when it believes it runs in CI, so the CI variables are removed for the kiosk; the shell then
 * prints the exit code and keeps the pane open to be read.
 */
async function startKiosk(config: string, columns: number, rows: number, env: string[] = []): Promise<void> {
  const command = [
    'env -u CI -u CONTINUOUS_INTEGRATION OFFCIRC_CONFIG=',
    ...env,
    quote(process.execPath),
    quote(BIN),
    'run --config',
    quote(config),
    '; echo "offcirc exited with $?"; sleep 600',
  ].join(' ');
  await tmux('new-session', '-d', '-s', 'kiosk', '-x', String(columns), '-y', String(rows), command);
}

/** Everything the log folder holds, as text: the log keeps the precise reasons the screen words for patrons. */
const logText = (logs: string) =>
  readdirSync(logs)
    .map((name) => readFileSync(path.join(logs, name), 'utf8'))
    .join('');

let pty: PtyPair | undefined;
let dir: string | undefined;

afterEach(async () => {
  await tmux('kill-server').catch(() => undefined);
  // tmux can leave its socket file behind; it is ours, named after this process.
  const uid = process.getuid?.() ?? 0;
  await rm(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, SOCKET), { force: true });
  await pty?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('offcirc run on a terminal', () => {
  it('shows the kiosk screen, switches mode on F2, returns a scanned item, ignores Ctrl-C, quits with F10 and the PIN', async () => {
    dir = tempDir('offcirc-e2e-tmux-');
    pty = await startPty({ dir });
    const journal = path.join(dir, 'OffCirc.dat');
    const config = writeConfig(dir, {
      station: 'e2e-desk',
      devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
      journal: { path: journal },
      staff: { pin: hashPin('4739') },
      logging: { dir: path.join(dir, 'logs') },
    });
    await startKiosk(config, 100, 30, ['TERM=xterm-256color']);

    await waitForScreen(
      (s) => s.includes('→ LOAN') && s.includes('Scan your library card') && s.includes('front connected'),
      'the idle loan screen with the scanner connected',
    );
    expect(await screen()).toContain('e2e-desk');

    await tmux('send-keys', '-t', 'kiosk', 'F2');
    await waitForScreen((s) => s.includes('← RETURN') && s.includes('Scan items to return'), 'RETURN mode');

    await pty.write('31234000000016\r');
    const returned = await waitForScreen((s) => s.includes('✓ Returned'), 'the return to be shown');
    expect(returned).toMatch(/Return +31234000000016/);
    expect(readFileSync(journal, 'latin1')).toMatch(/^\d{12}R31234000000016 {66}\r\n$/);

    // Ctrl-C, Ctrl-Z and Ctrl-\ do nothing: the screen still answers keys afterwards.
    for (const key of ['C-c', 'C-z', 'C-\\']) await tmux('send-keys', '-t', 'kiosk', key);
    await tmux('send-keys', '-t', 'kiosk', 'F1');
    await waitForScreen((s) => s.includes('→ LOAN'), 'LOAN mode after Ctrl-C');
    expect(await screen()).not.toContain('offcirc exited');

    // A pasted blob is no barcode: rejected with the reason, never cut down to one.
    await tmux('send-keys', '-t', 'kiosk', '-l', '3'.repeat(300));
    await tmux('send-keys', '-t', 'kiosk', 'Enter');
    await waitForScreen(
      (s) => s.includes("✗ This barcode didn't read correctly. Please scan it again."),
      'the long line rejected, in words for the patron',
    );
    // The log keeps the precise reason for staff.
    await waitFor(() => logText(path.join(dir!, 'logs')).includes('more than 256 characters before Enter'), {
      timeoutMs: 5_000,
      what: 'the precise reason in the log',
    });

    // Quitting needs the PIN: a wrong one is refused, the right one quits.
    await tmux('send-keys', '-t', 'kiosk', 'F10');
    await waitForScreen((s) => s.includes('Staff PIN to quit'), 'the PIN prompt');
    await tmux('send-keys', '-t', 'kiosk', '-l', '1234');
    await tmux('send-keys', '-t', 'kiosk', 'Enter');
    await waitForScreen((s) => s.includes('wrong PIN, 2 tries left'), 'the wrong PIN to be refused');
    await tmux('send-keys', '-t', 'kiosk', '-l', '4739');
    await waitForScreen((s) => s.includes('••••_'), 'the PIN shown as dots');
    expect(await screen()).not.toContain('4739');
    await tmux('send-keys', '-t', 'kiosk', 'Enter');
    await waitForScreen((s) => s.includes('offcirc exited with 0'), 'offcirc to quit with exit code 0');
  });

  it('on the Linux console (TERM=linux, 80×24) draws only what its font has, and words reasons for patrons', async () => {
    dir = tempDir('offcirc-e2e-tmux-linux-');
    pty = await startPty({ dir });
    const logs = path.join(dir, 'logs');
    const config = writeConfig(dir, {
      station: 'console-desk',
      devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
      journal: { path: path.join(dir, 'OffCirc.dat') },
      logging: { dir: logs },
    });
    await startKiosk(config, 80, 24, ['TERM=linux']);
    const screens: string[] = [];
    const seen = async (test: (s: string) => boolean, what: string) => {
      screens.push(await waitForScreen(test, what));
    };

    await seen((s) => s.includes('-> LOAN') && s.includes('front connected'), 'the idle loan screen');
    // Another item than the one borrowed below: the same one again so soon would be a double read.
    await pty.write('31234000000024\r');
    await seen((s) => s.includes('X Please scan your library card first'), 'an item before the card');
    await pty.write('21234000000018\r');
    await seen((s) => s.includes('Scan your items - card ****0018'), 'the card taken');
    await pty.write('31234000000016\r');
    await seen((s) => s.includes('OK Loaned') && /┌─+┐/.test(s), 'the loan in a single-line box');
    // Past the double-read window (1.5 s by default), the same item again: already borrowed.
    await new Promise((r) => setTimeout(r, 1_700));
    await pty.write('31234000000016\r');
    await seen((s) => s.includes("X You've already borrowed this item just now."), 'the item again');
    await pty.write('31234000000017\r');
    await seen((s) => s.includes("X This barcode didn't read correctly."), 'a wrong check digit');
    await tmux('send-keys', '-t', 'kiosk', 'F2');
    await seen((s) => s.includes('<- RETURN'), 'RETURN mode');

    for (const shown of screens) {
      for (const char of ['✓', '✗', '→', '←', '•', '…', '—', '╭', '╮', '╰', '╯'])
        expect(shown, `no ${char} on:\n${shown}`).not.toContain(char);
      expect(shown).not.toMatch(/check digit|patron's list/);
    }
    await waitFor(
      () => {
        const text = logText(logs);
        return text.includes('check digit wrong') && text.includes("already on this patron's list");
      },
      { timeoutMs: 5_000, what: 'the precise reasons in the log' },
    );

    await tmux('send-keys', '-t', 'kiosk', 'F10');
    await waitForScreen((s) => s.includes('offcirc exited with 0'), 'offcirc to quit with exit code 0');
  });

  it('refuses a blocked card, lets staff admit it with F4 and the PIN, shows due dates, then the summary', async () => {
    dir = tempDir('offcirc-e2e-tmux-patrons-');
    pty = await startPty({ dir });
    const logs = path.join(dir, 'logs');
    const config = writeConfig(dir, {
      station: 'e2e-desk',
      devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
      journal: { path: path.join(dir, 'OffCirc.dat') },
      staff: { pin: hashPin('4739') },
      loans: { days: 14 },
      logging: { dir: logs },
    });
    writeFileSync(path.join(dir, 'patrons.csv'), 'barcode,blocked\n21234000000018,fines\n');
    const imported = await runOffcirc([
      'patrons',
      'import',
      path.join(dir, 'patrons.csv'),
      '--config',
      config,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    await startKiosk(config, 100, 30, ['TERM=xterm-256color']);
    await waitForScreen(
      (s) => s.includes('Scan your library card') && s.includes('front connected'),
      'the idle screen',
    );

    await pty.write('21234000000018\r');
    await waitForScreen(
      (s) =>
        s.includes("✗ This card can't be used to borrow right now. Please see staff.") &&
        /F4 +Admit \(staff\)/.test(s),
      'the blocked card refused, the admit key offered',
    );
    await tmux('send-keys', '-t', 'kiosk', 'F4');
    await waitForScreen((s) => s.includes('Staff PIN to let the refused card borrow'), 'the PIN prompt');
    await tmux('send-keys', '-t', 'kiosk', '-l', '4739');
    await tmux('send-keys', '-t', 'kiosk', 'Enter');
    await waitForScreen((s) => s.includes('Scan your items — card ••••0018'), 'the card admitted');

    await pty.write('31234000000016\r');
    const lent = await waitForScreen((s) => s.includes('✓ Loaned'), 'the loan');
    expect(lent).toMatch(/Loan +31234000000016 +due about \w{3} \d{1,2} \w{3}/);
    expect(lent).toContain('due dates provisional: the library confirms them');

    await tmux('send-keys', '-t', 'kiosk', 'F3');
    const summary = await waitForScreen((s) => s.includes('Thank you! You borrowed 1 item.'), 'the summary');
    expect(summary).toMatch(/1 item due about \w{3} \d{1,2} \w{3}/);
    expect(summary).not.toContain('0018');
    expect(summary).not.toContain('31234000000016');
    await waitForScreen(
      (s) => !s.includes('Thank you') && s.includes('Scan your library card'),
      'the summary gone',
    );

    // Returns get their summary too: F2, the item back, F3 ("Done").
    await tmux('send-keys', '-t', 'kiosk', 'F2');
    await waitForScreen((s) => s.includes('Scan items to return'), 'RETURN mode');
    await pty.write('31234000000016\r');
    await waitForScreen((s) => s.includes('✓ Returned'), 'the return');
    await tmux('send-keys', '-t', 'kiosk', 'F3');
    await waitForScreen((s) => s.includes('Thank you! You returned 1 item.'), 'the returns summary');

    await waitFor(
      () => logText(logs).includes('card blocked on the patron list: admitted by staff with the PIN'),
      {
        timeoutMs: 5_000,
        what: 'the admission in the log',
      },
    );
    expect(logText(logs)).not.toContain('21234000000018');
    await tmux('send-keys', '-t', 'kiosk', 'F10');
    await waitForScreen((s) => s.includes('Staff PIN to quit'), 'the PIN prompt to quit');
    await tmux('send-keys', '-t', 'kiosk', '-l', '4739');
    await tmux('send-keys', '-t', 'kiosk', 'Enter');
    await waitForScreen((s) => s.includes('offcirc exited with 0'), 'offcirc to quit with exit code 0');
  });
});
