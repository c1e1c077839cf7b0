/**
 * Scanners through the real `offcirc run --headless` process: HID keyboard and HID POS recordings played by
 * `replay` devices (the same decoders node-hid's reports go through), several scanners at once, and a
 * serial scanner unplugged and plugged back on a real pty.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeKeyboardReports } from '../../src/devices/hid-keyboard.js';
import { encodePosReports } from '../../src/devices/hid-pos.js';
import { recordingLine } from '../../src/devices/recording.js';
import { startPty } from '../helpers/pty.js';
import {
  expectJournal,
  ROOT,
  runOffcirc,
  startOffcirc,
  tempDir,
  writeConfig,
  isEvent as is,
  type LogRecord,
} from '../helpers/offcirc.js';
import { ITEM1, ITEM2, PATRON } from '../helpers/barcodes.js';

/** Writes a recording of `reports`, `gapMs` apart, starting at `startMs`. */
function recording(file: string, reports: Buffer[], startMs = 0, gapMs = 2): string {
  writeFileSync(file, reports.map((r, i) => recordingLine(startMs + i * gapMs, r)).join(''));
  return file;
}

describe('HID scanners, replayed through the daemon', () => {
  const fixtures = [
    ['keyboard-mode reports (the recorded fixture)', 'hid-keyboard', 'keyboard-patron-item.jsonl'],
    ['HID POS reports (a barcode split over continued reports)', 'hid-pos', 'pos-patron-item.jsonl'],
  ] as const;
  for (const [what, as, fixture] of fixtures) {
    it(`${what} become a loan, byte for byte`, async () => {
      const dir = tempDir();
      const journal = path.join(dir, 'OffCirc.dat');
      const config = writeConfig(dir, {
        devices: [{ id: 'scanner', type: 'replay', as, file: path.join(ROOT, 'test/fixtures/hid', fixture) }],
      });
      const from = Date.now();
      const run = await runOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
      expect(run.code, run.stderr).toBe(0);
      expect(
        expectJournal(readFileSync(journal, 'latin1'), [{ kind: 'L', item: ITEM1, patron: PATRON }], {
          from,
          to: Date.now(),
        }),
      ).toEqual([]);
      expect(run.records.find(is('transaction'))).toMatchObject({ device: 'scanner', line: 1 });
    });
  }

  it('several scanners feed one kiosk, each scan knowing its device; garbage reports write nothing', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    // The handheld (keyboard mode) reads the card, then the presentation scanner (POS) reads an item;
    // then the handheld sends a key code offcirc doesn't know, inside a barcode.
    const kbd = recording(path.join(dir, 'kbd.jsonl'), [
      ...encodeKeyboardReports(PATRON),
      Buffer.from('0000e80000000000', 'hex'),
      Buffer.from('0000000000000000', 'hex'),
      ...encodeKeyboardReports(ITEM1),
    ]);
    const pos = recording(path.join(dir, 'pos.jsonl'), encodePosReports(ITEM2, ']F0', { chunk: 5 }), 400);
    const config = writeConfig(dir, {
      devices: [
        { id: 'handheld', type: 'replay', as: 'hid-keyboard', file: kbd },
        { id: 'stand', type: 'replay', as: 'hid-pos', file: pos },
      ],
    });
    const from = Date.now();
    const run = await runOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.records.filter(is('transaction')).map((r) => [r.device, r.item])).toEqual([['stand', ITEM2]]);
    const rejected = run.records.find(is('rejected'))!;
    expect(rejected).toMatchObject({ device: 'handheld' });
    expect(rejected.reason).toMatch(/key code 0xE8/i);
    expect(
      expectJournal(readFileSync(journal, 'latin1'), [{ kind: 'L', item: ITEM2, patron: PATRON }], {
        from,
        to: Date.now(),
      }),
    ).toEqual([]);
  });
});

describe('hot-plug, through the daemon', () => {
  it('a serial scanner unplugged and plugged back is picked up again, and scans after its return are journaled', async () => {
    const dir = tempDir();
    const pty = await startPty();
    const journal = path.join(dir, 'OffCirc.dat');
    const config = writeConfig(dir, {
      devices: [{ id: 'front', type: 'serial', path: pty.scannerPath, reconnectMs: 200 }],
    });
    const p = startOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
    onTestFinished(async () => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
      await pty.dispose();
    });
    const device = (status: string) => (r: LogRecord) =>
      r.event === 'device' && r.device === 'front' && r.status === status;
    await p.waitFor(device('connected'), 'connected');
    await pty.write(`${PATRON}\r${ITEM1}\r`);
    await p.waitFor(is('transaction'), 'the first loan');

    await pty.stop();
    await p.waitFor(device('disconnected'), 'the unplug');
    await pty.restart();
    await p.waitForCount(device('connected'), 2, 'the replug');
    await pty.write(`${ITEM2}\r`);
    expect(
      await p.waitFor((r) => r.event === 'transaction' && r.item === ITEM2, 'a loan after the replug'),
    ).toMatchObject({
      line: 2,
      device: 'front',
    });
    expect(readFileSync(journal, 'latin1').split('\r\n')).toHaveLength(3);
  });
});
