import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type ReplayDeviceConfig } from '../../src/config/schema.js';
import { encodeKeyboardReports } from '../../src/devices/hid-keyboard.js';
import { encodePosReports } from '../../src/devices/hid-pos.js';
import { parseRecording, recordingLine } from '../../src/devices/recording.js';
import { ReplayScanner } from '../../src/devices/replay.js';
import { RecordingSink, settle, waitFor } from './hid-fakes.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/hid');
const PATRON = '21234000000018';
const ITEM = '31234000000016';

/** The keyboard-mode fixture: the patron card, then the item, each ended by Enter, a report every 2 ms. */
function keyboardFixture(): string {
  let t = 0;
  let text = '';
  for (const barcode of [PATRON, ITEM]) {
    for (const report of encodeKeyboardReports(barcode)) {
      text += recordingLine(t, report);
      t += 2;
    }
    t += 300;
  }
  return text;
}

/** The HID POS fixture: the same barcodes as Codabar, the item split over two reports. */
function posFixture(): string {
  const patron = encodePosReports(PATRON, ']F0');
  const item = encodePosReports(ITEM, ']F0', { chunk: 8 });
  return [recordingLine(0, patron[0]!), recordingLine(300, item[0]!), recordingLine(301, item[1]!)].join('');
}

const fixtures: [string, () => string][] = [
  ['keyboard-patron-item.jsonl', keyboardFixture],
  ['pos-patron-item.jsonl', posFixture],
];

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'offcirc-replay-'));
}

function replayConfig(entry: Record<string, unknown>): ReplayDeviceConfig {
  return configSchema.parse({ devices: [{ id: 'demo', type: 'replay', ...entry }] })
    .devices[0] as ReplayDeviceConfig;
}

const players: ReplayScanner[] = [];
function player(entry: Record<string, unknown>) {
  const sink = new RecordingSink();
  const p = new ReplayScanner(replayConfig(entry), sink);
  players.push(p);
  return { p, sink };
}

afterEach(async () => {
  await Promise.all(players.splice(0).map((p) => p.stop()));
});

describe('the recordings in test/fixtures/hid', () => {
  // OFFCIRC_WRITE_FIXTURES=1 npx vitest run test/devices/replay.test.ts writes them anew from the encoders.
  it.each(fixtures)('%s is what the encoders make', (name, make) => {
    const file = path.join(FIXTURES, name);
    if (process.env.OFFCIRC_WRITE_FIXTURES === '1') writeFileSync(file, make());
    expect(readFileSync(file, 'utf8')).toBe(make());
  });

  it('the keyboard recording plays as the patron card, then the item', async () => {
    const { p, sink } = player({
      file: path.join(FIXTURES, 'keyboard-patron-item.jsonl'),
      as: 'hid-keyboard',
    });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end of the recording');
    expect(sink.scans.map(({ text, device, error }) => ({ text, device, error }))).toEqual([
      { text: PATRON, device: 'demo', error: undefined },
      { text: ITEM, device: 'demo', error: undefined },
    ]);
    expect(sink.scans[0]!.at).toBeLessThanOrEqual(sink.scans[1]!.at);
    expect(sink.statuses.map((s) => s.status)).toEqual(['connected', 'disconnected']);
    expect(sink.statuses[0]?.message).toMatch(
      /^playing .*keyboard-patron-item\.jsonl \(60 reports over 0\.4 s\) as hid-keyboard$/,
    );
    expect(sink.statuses[1]?.message).toMatch(/^finished playing /);
    expect(sink.endedDevices).toEqual(['demo']);
    expect(sink.warnings).toEqual([]);
  });

  it('the HID POS recording plays as the same barcodes, with their symbology', async () => {
    const { p, sink } = player({ file: path.join(FIXTURES, 'pos-patron-item.jsonl'), as: 'hid-pos' });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end of the recording');
    expect(sink.scans.map(({ text, symbology }) => ({ text, symbology }))).toEqual([
      { text: PATRON, symbology: ']F0' },
      { text: ITEM, symbology: ']F0' },
    ]);
  });

  it('the item in the HID POS recording really is split over two reports', () => {
    const chunks = parseRecording(readFileSync(path.join(FIXTURES, 'pos-patron-item.jsonl'), 'utf8'), 'pos');
    expect(chunks.map((c) => [c.bytes[1], c.bytes[63]])).toEqual([
      [14, 0],
      [8, 1],
      [6, 0],
    ]);
  });

  it('played as the wrong protocol, a recording gives unusable scans, not wrong barcodes', async () => {
    const { p, sink } = player({ file: path.join(FIXTURES, 'pos-patron-item.jsonl'), as: 'hid-keyboard' });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end of the recording');
    expect(sink.scans.every((s) => s.error !== undefined)).toBe(true);
  });
});

describe('ReplayScanner: bad recordings', () => {
  const good = recordingLine(0, Buffer.from('0000040000000000', 'hex')).trim();
  it.each([
    ['not hex', [good, good, '{"t": 5, "hex": "zz"}'], 3, '"hex" is not hex bytes'],
    ['an odd number of hex digits', ['{"t": 0, "hex": "000"}'], 1, '"hex" is not hex bytes'],
    ['empty hex', ['{"t": 0, "hex": ""}'], 1, '"hex" is not hex bytes'],
    ['hex not a string', ['{"t": 0, "hex": 12}'], 1, '"hex" is not hex bytes'],
    ['no hex', ['{"t": 0}'], 1, '"hex" is not hex bytes'],
    [
      'not JSON',
      [good, '{"t": 1, "hex": "00"'],
      2,
      'not a JSON line such as {"t": 0, "hex": "0000040000000000"}',
    ],
    ['a JSON array', ['[0, "00"]'], 1, 'not an object such as {"t": 0, "hex": "0000040000000000"}'],
    [
      'a negative time',
      ['{"t": -1, "hex": "00"}'],
      1,
      '"t" is not a time in milliseconds (a number, 0 or more)',
    ],
    [
      'a time as text',
      ['{"t": "0", "hex": "00"}'],
      1,
      '"t" is not a time in milliseconds (a number, 0 or more)',
    ],
    [
      'time going back',
      ['{"t": 40, "hex": "00"}', '', '{"t": 12, "hex": "00"}'],
      3,
      '"t" goes back in time (12 after 40)',
    ],
  ])('names the file and line of %s', async (_what, lines, line, problem) => {
    const file = path.join(tmp(), 'recording.jsonl');
    writeFileSync(file, lines.join('\n'));
    const { p, sink } = player({ file, as: 'hid-keyboard' });
    await p.start();
    expect(sink.statuses).toEqual([
      { device: 'demo', status: 'error', message: `${file} line ${line}: ${problem}` },
    ]);
    expect(sink.scans).toEqual([]);
    expect(sink.endedDevices).toEqual(['demo']);
  });

  it('plays nothing of a recording whose later line is bad', async () => {
    const file = path.join(tmp(), 'recording.jsonl');
    const reports = encodeKeyboardReports('1');
    writeFileSync(file, reports.map((r, i) => recordingLine(i, r)).join('') + 'garbage\n');
    const { p, sink } = player({ file, as: 'hid-keyboard' });
    await p.start();
    await settle();
    expect(sink.scans).toEqual([]);
    expect(sink.lastStatus?.message).toBe(
      `${file} line 5: not a JSON line such as {"t": 0, "hex": "0000040000000000"}`,
    );
  });

  it('says a missing recording is missing', async () => {
    const file = path.join(tmp(), 'nope.jsonl');
    const { p, sink } = player({ file, as: 'serial' });
    await p.start();
    expect(sink.statuses).toEqual([
      { device: 'demo', status: 'error', message: `${file}: cannot read the recording (no such file)` },
    ]);
    expect(sink.endedDevices).toEqual(['demo']);
  });

  it('plays an empty recording as nothing, and says so', async () => {
    const file = path.join(tmp(), 'empty.jsonl');
    writeFileSync(file, '\n');
    const { p, sink } = player({ file, as: 'hid-pos' });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end');
    expect(sink.warnings).toEqual([`${file} holds nothing to play`]);
  });

  it('says so when a keyboard recording ends in the middle of a scan', async () => {
    const file = path.join(tmp(), 'cut.jsonl');
    writeFileSync(
      file,
      encodeKeyboardReports('3123', { end: 'none' })
        .map((r, i) => recordingLine(i, r))
        .join(''),
    );
    const { p, sink } = player({ file, as: 'hid-keyboard' });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end');
    expect(sink.scans).toEqual([]);
    expect(sink.warnings).toEqual([
      'the recording ends inside a scan: dropped 4 characters (4 digits, starting "31") with no end',
    ]);
  });
});

describe('ReplayScanner: timing and stopping', () => {
  it('stop() cancels the rest of the playback', async () => {
    const file = path.join(tmp(), 'long.jsonl');
    const first = encodeKeyboardReports(PATRON).map((r) => recordingLine(0, r));
    const later = encodeKeyboardReports(ITEM).map((r) => recordingLine(60_000, r));
    writeFileSync(file, [...first, ...later].join(''));
    const { p, sink } = player({ file, as: 'hid-keyboard' });
    await p.start();
    await waitFor(() => sink.scans.length === 1, 'the first scan');
    await p.stop();
    await settle(50);
    expect(sink.scans.map((s) => s.text)).toEqual([PATRON]);
    expect(sink.endedDevices).toEqual([]);
  });

  it('keeps the recorded order when all the times are the same', async () => {
    const file = path.join(tmp(), 'burst.jsonl');
    const reports = ['1', '2', '3', '4', '5'].flatMap((d) => encodeKeyboardReports(d));
    writeFileSync(file, reports.map((r) => recordingLine(7, r)).join(''));
    const { p, sink } = player({ file, as: 'hid-keyboard' });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end');
    expect(sink.scans.map((s) => s.text)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('ReplayScanner as serial (the serial driver’s framing)', () => {
  function serialRecording(chunks: [number, string][]): string {
    const file = path.join(tmp(), 'serial.jsonl');
    writeFileSync(file, chunks.map(([t, text]) => recordingLine(t, Buffer.from(text, 'latin1'))).join(''));
    return file;
  }

  it('frames chunks split anywhere into lines at CR, LF or CRLF', async () => {
    const file = serialRecording([
      [0, '2123400'],
      [1, '0000018\r'],
      [2, '\n3123'],
      [3, '4000000016\n'],
      [4, '33191000105864\r'],
    ]);
    const { p, sink } = player({ file, as: 'serial', silenceMs: 1000 });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end');
    expect(sink.scans.map((s) => [s.text, s.device])).toEqual([
      [PATRON, 'demo'],
      [ITEM, 'demo'],
      ['33191000105864', 'demo'],
    ]);
    expect(sink.warnings).toEqual([]);
  });

  it('drops a fragment left without a line end after silenceMs, never gluing it to the next barcode', async () => {
    const file = serialRecording([
      [0, '999'],
      [150, `${PATRON}\r\n`],
      [151, 'tail'],
    ]);
    const { p, sink } = player({ file, as: 'serial', silenceMs: 50 });
    await p.start();
    await waitFor(() => sink.endedDevices.length > 0, 'the end');
    expect(sink.scans.map((s) => s.text)).toEqual([PATRON]);
    expect(sink.warnings).toHaveLength(2);
    expect(sink.warnings[0]).toContain(
      'dropped 3 bytes with no line end after 50 ms of silence: 3 digits, starting "99"',
    );
    expect(sink.warnings[1]).toContain(
      'dropped 4 bytes with no line end after 50 ms of silence: 4 letters, starting "ta"',
    );
    expect(sink.warnings.every((w) => w.includes('after 50 ms of silence'))).toBe(true);
  });
});
