/**
 * A card number fed through every device warning path (serial fragment, serial overlong noise, HID partial
 * scan, replayed HID recording, terminal overlong line) and a rejected scan's log record: it never appears
 * in the warning text nor in the log (stream and file), not even its last four digits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { configSchema, type HidDeviceConfig, type ReplayDeviceConfig } from '../../src/config/schema.js';
import { encodeKeyboardReports } from '../../src/devices/hid-keyboard.js';
import { encodePosReports } from '../../src/devices/hid-pos.js';
import { HidScanner } from '../../src/devices/hid.js';
import type { HidDeviceInfo } from '../../src/devices/node-hid.js';
import { recordingLine } from '../../src/devices/recording.js';
import { ReplayScanner } from '../../src/devices/replay.js';
import type { ScannerSink } from '../../src/devices/scanner.js';
import { SerialScanner } from '../../src/devices/serial.js';
import { TerminalScanner } from '../../src/devices/terminal.js';
import { createLogger, type StationLogger } from '../../src/log.js';
import { startPty, waitFor } from '../helpers/pty.js';
import { FakeHidBus } from './hid-fakes.js';

const CARD = '21234000000018';
/** Every 4-character piece of the card: a mask that keeps the last four digits would show one. */
const PIECES = Array.from({ length: CARD.length - 3 }, (_, i) => CARD.slice(i, i + 4));

function expectNoCard(text: string): void {
  expect(text).not.toContain(CARD);
  for (const piece of PIECES) expect(text, `"${piece}" of the card in: ${text}`).not.toContain(piece);
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A sink that logs warnings as the station does (event "device"), into a real log folder and a stream. */
function loggingSink(): {
  sink: ScannerSink;
  warnings: string[];
  logger: StationLogger;
  logged: () => string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-noraw-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const out = new PassThrough();
  let streamed = '';
  out.on('data', (chunk: Buffer) => (streamed += chunk.toString()));
  const logger = createLogger({ level: 'debug', station: 'desk-1', stream: out, dir });
  const warnings: string[] = [];
  const sink: ScannerSink = {
    scan: () => undefined,
    status: () => undefined,
    warn: (device, message) => {
      warnings.push(message);
      logger.log('warn', message, { event: 'device', device, status: 'warning' });
    },
    ended: () => undefined,
  };
  const logged = () =>
    streamed +
    readdirSync(dir)
      .map((name) => readFileSync(path.join(dir, name), 'utf8'))
      .join('');
  return { sink, warnings, logger, logged };
}

/** Checks the warnings and everything logged, once the logger has been closed. */
async function expectClean(seen: ReturnType<typeof loggingSink>, count: number): Promise<void> {
  await seen.logger.close();
  expect(seen.warnings).toHaveLength(count);
  for (const warning of seen.warnings) expectNoCard(warning);
  const logged = seen.logged();
  expect(logged).toContain('"event":"device"');
  expectNoCard(logged);
}

describe('no card number in any device warning or log line', () => {
  it('serial: a card sent without a line end (silence, then the port closing), and as overlong noise', async () => {
    const pair = await startPty();
    cleanups.push(() => pair.dispose());
    const seen = loggingSink();
    const scanner = new SerialScanner(
      { id: 'front', type: 'serial', path: pair.scannerPath, baudRate: 9600, silenceMs: 60, reconnectMs: 40 },
      seen.sink,
    );
    await scanner.start();
    await pair.write(CARD);
    await waitFor(() => seen.warnings.length === 1, { what: 'the silence warning' });
    expect(seen.warnings[0]).toMatch(/^dropped 14 bytes with no line end after 60 ms of silence/);
    await pair.write(CARD.repeat(25));
    await waitFor(() => seen.warnings.length === 2, { what: 'the overlong warning' });
    expect(seen.warnings[1]).toMatch(/^dropped noise: over 256 bytes with no line end/);
    await pair.write(`\r${CARD}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await scanner.stop();
    await expectClean(seen, 3);
    expect(seen.warnings[2]).toMatch(/^dropped 14 bytes with no line end when the port closed/);
  });

  it('HID keyboard and POS: a partial scan dropped when the scanner goes away', async () => {
    const keyboard: HidDeviceInfo = {
      vendorId: 0x0c2e,
      productId: 0x0b61,
      path: '/dev/hidraw0',
      manufacturer: 'Honeywell',
      product: 'Voyager 1250g',
      usagePage: 0x01,
      usage: 0x06,
      interface: 0,
    };
    const pos: HidDeviceInfo = { ...keyboard, path: '/dev/hidraw1', usagePage: 0x8c, usage: 0x02 };
    const seen = loggingSink();
    for (const [info, reports] of [
      [keyboard, encodeKeyboardReports(CARD, { end: 'none' })],
      // Continued over reports, the last one never sent.
      [pos, encodePosReports(`${CARD}${CARD}`, ']F0', { chunk: 14 }).slice(0, 1)],
    ] as const) {
      const where = info.path ?? '';
      const bus = new FakeHidBus();
      bus.plug(info);
      const config = configSchema.parse({
        devices: [
          {
            id: 'front',
            type: 'hid',
            vendorId: '0x0c2e',
            productId: '0x0b61',
            path: where,
            reconnectMs: 5,
          },
        ],
      }).devices[0] as HidDeviceConfig;
      const scanner = new HidScanner(config, seen.sink, { loadHid: async () => bus.module() });
      cleanups.push(() => scanner.stop());
      await scanner.start();
      for (const report of reports) bus.handle(where)?.emit('data', report);
      bus.unplug(where);
      await scanner.stop();
    }
    await expectClean(seen, 2);
    for (const warning of seen.warnings)
      expect(warning).toMatch(/^dropped a partial scan of 14 characters \(14 digits, starting "21"\)/);
  });

  it('replay: a keyboard recording that ends inside a card', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-noraw-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'cut.jsonl');
    writeFileSync(
      file,
      encodeKeyboardReports(CARD, { end: 'none' })
        .map((r, i) => recordingLine(i, r))
        .join(''),
    );
    const seen = loggingSink();
    let ended = false;
    const config = configSchema.parse({ devices: [{ id: 'demo', type: 'replay', file, as: 'hid-keyboard' }] })
      .devices[0] as ReplayDeviceConfig;
    const player = new ReplayScanner(config, { ...seen.sink, ended: () => (ended = true) });
    cleanups.push(() => player.stop());
    await player.start();
    await waitFor(() => ended, { what: 'the end of the recording' });
    await expectClean(seen, 1);
  });

  it('terminal: a pasted line of card numbers too long to be a barcode', async () => {
    const seen = loggingSink();
    const input = new PassThrough();
    const scanner = new TerminalScanner({ id: 'terminal', type: 'terminal' }, seen.sink, input);
    cleanups.push(() => scanner.stop());
    await scanner.start();
    input.write(`${CARD.repeat(20)}\n`);
    await waitFor(() => seen.warnings.length === 1, { what: 'the warning' });
    await expectClean(seen, 1);
    expect(seen.warnings[0]).toMatch(/^ignored a typed line of 280\+ characters/);
  });

  it('a rejected scan in the log: its text described, not shown', async () => {
    const seen = loggingSink();
    seen.logger.event({
      type: 'rejected',
      reason: 'check digit wrong: scan again',
      text: CARD,
      device: 'front',
      at: 0,
    });
    seen.logger.log('warn', 'so the file is not empty', { event: 'device' });
    await expectClean(seen, 0);
    expect(seen.logged()).toContain('"text":"14 characters (14 digits, starting \\"21\\")"');
  });
});
