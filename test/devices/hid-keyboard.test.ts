import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeKeyboardReports,
  KeyboardReportDecoder,
  type DecodedScan,
} from '../../src/devices/hid-keyboard.js';

/** A boot keyboard report: modifiers, reserved, then up to six usage IDs. */
const report = (modifiers: number, ...keys: number[]) => {
  const bytes = [modifiers, 0, ...keys];
  while (bytes.length < 8) bytes.push(0);
  return Buffer.from(bytes);
};
const up = () => report(0);
const ENTER = 0x28;
const TAB = 0x2b;
const LSHIFT = 0x02;
const RSHIFT = 0x20;
const ROLLOVER = report(0, 1, 1, 1, 1, 1, 1);

/**
 * The US layout written out by hand from the HID usage tables (FORMATS.md §4), independent of the
 * decoder's own tables: character -> [usage ID, shifted].
 */
const US: Record<string, [number, boolean]> = {};
'abcdefghijklmnopqrstuvwxyz'.split('').forEach((c, i) => {
  US[c] = [0x04 + i, false];
  US[c.toUpperCase()] = [0x04 + i, true];
});
const rows: [number, string, string][] = [
  [0x1e, '1', '!'],
  [0x1f, '2', '@'],
  [0x20, '3', '#'],
  [0x21, '4', '$'],
  [0x22, '5', '%'],
  [0x23, '6', '^'],
  [0x24, '7', '&'],
  [0x25, '8', '*'],
  [0x26, '9', '('],
  [0x27, '0', ')'],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];
for (const [usage, plain, shifted] of rows) {
  US[plain] = [usage, false];
  US[shifted] = [usage, true];
}
US[' '] = [0x2c, false];
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

/** Reports for `text` built from the hand-written table: press (with `shift` when shifted), release. */
function typed(text: string, shift = LSHIFT): Buffer[] {
  return text.split('').flatMap((c) => {
    const [usage, shifted] = US[c]!;
    return [report(shifted ? shift : 0, usage), up()];
  });
}

function decode(reports: Buffer[], decoder = new KeyboardReportDecoder()): DecodedScan[] {
  return reports.flatMap((r) => decoder.push(r));
}

const enter = [report(0, ENTER), up()];

describe('KeyboardReportDecoder: the US layout', () => {
  it('the hand-written table covers every printable ASCII character', () => {
    expect(PRINTABLE.filter((c) => US[c] === undefined)).toEqual([]);
    expect(PRINTABLE).toHaveLength(95);
  });

  it.each([
    ['left shift', LSHIFT],
    ['right shift', RSHIFT],
    ['both shifts at once', LSHIFT | RSHIFT],
  ])('decodes every printable ASCII character with %s', (_name, shift) => {
    for (const c of PRINTABLE) {
      expect(decode([...typed(c, shift), ...enter]), `character ${JSON.stringify(c)}`).toEqual([{ text: c }]);
    }
    const all = PRINTABLE.join('');
    expect(decode([...typed(all, shift), ...enter])).toEqual([{ text: all }]);
  });

  it('reads keypad digits, keypad "." and the keypad operators, with or without shift', () => {
    const keypad = [0x62, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x63, 0x54, 0x55, 0x56, 0x57];
    const plain = keypad.flatMap((k) => [report(0, k), up()]);
    const shifted = keypad.flatMap((k) => [report(LSHIFT, k), up()]);
    expect(decode([...plain, ...enter])).toEqual([{ text: '0123456789./*-+' }]);
    expect(decode([...shifted, ...enter])).toEqual([{ text: '0123456789./*-+' }]);
  });

  it('ends a scan at keypad Enter as at Enter', () => {
    expect(decode([...typed('31234000000016'), report(0, 0x58), up()])).toEqual([{ text: '31234000000016' }]);
  });

  it('ignores Num Lock and modifiers listed as keys', () => {
    expect(decode([report(0, 0x53), up(), report(0, 0xe1), up(), ...typed('12'), ...enter])).toEqual([
      { text: '12' },
    ]);
  });
});

describe('KeyboardReportDecoder: presses, not reports', () => {
  it('gives doubled characters twice: 1122 is press 1, release, press 1, release, press 2 ...', () => {
    expect(decode([...typed('1122'), ...enter])).toEqual([{ text: '1122' }]);
    expect(decode([...typed('aAAa'), ...enter])).toEqual([{ text: 'aAAa' }]);
  });

  it('counts a key held over several reports once', () => {
    const held = [report(0, 0x1e), report(0, 0x1e), report(0, 0x1e), up()];
    expect(decode([...held, ...enter])).toEqual([{ text: '1' }]);
  });

  it('keeps shift held between characters without repeating them', () => {
    const reports = [
      report(LSHIFT),
      report(LSHIFT, 0x04),
      report(LSHIFT),
      report(LSHIFT, 0x04),
      report(LSHIFT),
      up(),
    ];
    expect(decode([...reports, ...enter])).toEqual([{ text: 'AA' }]);
  });

  it('reads overlapping keys (n-key rollover) in the order they went down', () => {
    const reports = [report(0, 0x04), report(0, 0x04, 0x05), report(0, 0x05), report(0, 0x05, 0x06), up()];
    expect(decode([...reports, ...enter])).toEqual([{ text: 'abc' }]);
  });

  it('counts a key listed twice in one report once', () => {
    expect(decode([report(0, 0x04, 0x04), up(), ...enter])).toEqual([{ text: 'a' }]);
  });

  it('ignores a rollover report entirely: held keys stay held, nothing is typed', () => {
    const reports = [report(0, 0x04), ROLLOVER, report(0, 0x04), up(), ROLLOVER, report(0, 0x04), up()];
    expect(decode([...reports, ...enter])).toEqual([{ text: 'aa' }]);
  });

  it('ignores a rollover report even with modifiers set', () => {
    expect(decode([...typed('1'), report(LSHIFT | 0x01, 1, 1, 1, 1, 1, 1), ...typed('2'), ...enter])).toEqual(
      [{ text: '12' }],
    );
  });
});

describe('KeyboardReportDecoder: Caps Lock', () => {
  it('toggles the case of letters only, as the scanner sends it', () => {
    const caps = [report(0, 0x39), up()];
    expect(decode([...caps, ...typed('ab1'), ...caps, ...typed('c'), ...enter])).toEqual([{ text: 'AB1c' }]);
  });

  it('with Shift gives lower case letters, and Shift still shifts digits', () => {
    const caps = [report(0, 0x39), up()];
    expect(decode([...caps, ...typed('Ab!'), ...enter])).toEqual([{ text: 'aB!' }]);
  });

  it('lasts across scans until toggled again, and reset() clears it', () => {
    const decoder = new KeyboardReportDecoder();
    expect(
      decode([report(0, 0x39), up(), ...typed('a'), ...enter, ...typed('b'), ...enter], decoder),
    ).toEqual([{ text: 'A' }, { text: 'B' }]);
    decoder.reset();
    expect(decode([...typed('a'), ...enter], decoder)).toEqual([{ text: 'a' }]);
  });
});

describe('KeyboardReportDecoder: end keys', () => {
  it.each(['either', 'enter'] as const)('endKey %s ends a scan at Enter', (endKey) => {
    expect(decode([...typed('21234000000018'), ...enter], new KeyboardReportDecoder({ endKey }))).toEqual([
      { text: '21234000000018' },
    ]);
  });

  it.each(['either', 'tab'] as const)('endKey %s ends a scan at Tab', (endKey) => {
    expect(
      decode([...typed('21234000000018'), report(0, TAB), up()], new KeyboardReportDecoder({ endKey })),
    ).toEqual([{ text: '21234000000018' }]);
  });

  it('with endKey tab, an Enter ends the scan as an error naming the mismatch', () => {
    const decoder = new KeyboardReportDecoder({ endKey: 'tab' });
    expect(decode([...typed('123'), ...enter], decoder)).toEqual([
      {
        text: '123',
        error:
          'unreadable scan: the scanner ended the scan with Enter, but this scanner is set to end scans with Tab (endKey)',
      },
    ]);
  });

  it('with endKey enter, a Tab ends the scan as an error naming the mismatch', () => {
    const decoder = new KeyboardReportDecoder({ endKey: 'enter' });
    expect(decode([...typed('123'), report(0, TAB), up(), ...typed('456'), ...enter], decoder)).toEqual([
      {
        text: '123',
        error:
          'unreadable scan: the scanner ended the scan with Tab, but this scanner is set to end scans with Enter (endKey)',
      },
      { text: '456' },
    ]);
  });

  it('emits nothing for an end key with nothing before it', () => {
    expect(decode([...enter, ...enter, report(0, TAB), up()])).toEqual([]);
  });

  it('emits several scans ended inside one report, in key order', () => {
    expect(decode([report(0, 0x04, ENTER, 0x05), up(), ...enter])).toEqual([{ text: 'a' }, { text: 'b' }]);
  });

  it('holds a scan without an end key until it comes', () => {
    const decoder = new KeyboardReportDecoder();
    expect(decode(typed('3123'), decoder)).toEqual([]);
    expect(decoder.pending).toBe('3123');
    expect(decode(enter, decoder)).toEqual([{ text: '3123' }]);
    expect(decoder.pending).toBe('');
  });
});

describe('KeyboardReportDecoder: what it does not know makes the scan unusable', () => {
  it('an unknown usage ID: the scan still comes out at its end, with an error and the rest of its text', () => {
    const decoder = new KeyboardReportDecoder();
    const scans = decode(
      [...typed('31'), report(0, 0x32), up(), ...typed('23'), ...enter, ...typed('9'), ...enter],
      decoder,
    );
    expect(scans).toEqual([
      { text: '3123', error: "unreadable scan: the scanner sent key code 0x32 that offcirc doesn't know" },
      { text: '9' },
    ]);
  });

  it.each([
    [0x29, 'Escape'],
    [0x2a, 'Backspace'],
    [0x3a, 'F1'],
    [0x4f, 'Right arrow'],
    [0x64, 'non-US backslash'],
    [0x02, 'POST fail in one slot'],
    [0xff, 'a reserved usage'],
  ])('key code %i (%s) is unknown', (code) => {
    const [scan] = decode([report(0, code), up(), ...enter]);
    expect(scan).toEqual({
      text: '',
      error: `unreadable scan: the scanner sent key code 0x${code.toString(16).padStart(2, '0')} that offcirc doesn't know`,
    });
  });

  it('keeps the first problem when there are several', () => {
    const [scan] = decode([report(0, 0x29), up(), report(0, 0x2a), up(), ...enter]);
    expect(scan?.error).toBe("unreadable scan: the scanner sent key code 0x29 that offcirc doesn't know");
  });

  it.each([
    [0x01, 'Ctrl'],
    [0x10, 'Ctrl'],
    [0x04, 'Alt'],
    [0x40, 'Alt'],
    [0x08, 'GUI'],
    [0x05, 'Ctrl+Alt'],
    [0x42, 'Alt+Shift'],
  ])('a key with modifier bits %i is %s+key, not text', (modifiers, names) => {
    const [scan] = decode([...typed('12'), report(modifiers, 0x04), up(), ...typed('3'), ...enter]);
    expect(scan).toEqual({
      text: '123',
      error: `unreadable scan: the scanner sent ${names} with key code 0x04, which offcirc doesn't know`,
    });
  });

  it('a Ctrl key pressed and released alone types nothing and spoils nothing', () => {
    expect(decode([report(0x01), up(), ...typed('7'), ...enter])).toEqual([{ text: '7' }]);
  });

  it('a scan that never ends is cut at maxLength and marked unusable', () => {
    const decoder = new KeyboardReportDecoder({ maxLength: 5 });
    const [scan] = decode([...typed('1234567'), ...enter], decoder);
    expect(scan).toEqual({
      text: '12345',
      error: 'unreadable scan: more than 5 characters without an end key',
    });
  });

  it('reset() forgets a half-read scan and its error', () => {
    const decoder = new KeyboardReportDecoder();
    decode([...typed('12'), report(0, 0x29), report(0, 0x04)], decoder);
    decoder.reset();
    // The 'a' key was held at reset; pressed again afterwards it counts.
    expect(decode([report(0, 0x04), up(), ...enter], decoder)).toEqual([{ text: 'a' }]);
  });
});

describe('KeyboardReportDecoder: report IDs and garbage', () => {
  it('reads 9-byte reports as report ID + boot report', () => {
    const withId = [...typed('31234000000016'), ...enter].map((r) => Buffer.concat([Buffer.from([0x01]), r]));
    expect(decode(withId)).toEqual([{ text: '31234000000016' }]);
  });

  it('with a report ID configured, skips reports of other IDs (other collections of the device)', () => {
    const decoder = new KeyboardReportDecoder({ reportId: 1 });
    const mine = (r: Buffer) => Buffer.concat([Buffer.from([0x01]), r]);
    const other = Buffer.from([0x03, 0, 0, 0xe9, 0, 0, 0, 0, 0]);
    expect(decode([mine(report(0, 0x1e)), other, mine(up()), other, ...enter.map(mine)], decoder)).toEqual([
      { text: '1' },
    ]);
  });

  it('with a report ID configured, a bare 8-byte report spoils the scan', () => {
    const decoder = new KeyboardReportDecoder({ reportId: 1 });
    const [scan] = decode(
      [report(0, 0x1e), Buffer.from([1, ...up()]), Buffer.from([1, ...report(0, ENTER)])],
      decoder,
    );
    expect(scan).toEqual({
      text: '',
      error:
        'unreadable scan: the scanner sent a 8-byte report, expected 9 bytes starting with report ID 0x01',
    });
  });

  it.each([0, 1, 7, 10, 64])(
    'a %i-byte report spoils the scan it falls in instead of being guessed at',
    (length) => {
      const garbage = Buffer.alloc(length, 0x1e);
      const [scan] = decode([...typed('12'), garbage, ...typed('3'), ...enter]);
      expect(scan).toEqual({
        text: '123',
        error: `unreadable scan: the scanner sent a ${length}-byte report, expected 8 bytes (9 with a report ID)`,
      });
    },
  );

  it('never throws on any bytes, and every scan it gives is text or an explained error', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 12 }), { maxLength: 60 }), (chunks) => {
        const decoder = new KeyboardReportDecoder();
        for (const chunk of chunks) {
          for (const scan of decoder.push(Buffer.from(chunk))) {
            if (scan.error === undefined) {
              expect(scan.text.length).toBeGreaterThan(0);
              expect(scan.text).toMatch(/^[\x20-\x7e]+$/);
            } else expect(scan.error).toMatch(/^unreadable scan: /);
          }
        }
      }),
    );
  });
});

describe('encodeKeyboardReports', () => {
  it('sends a press and a release per character, shift for shifted ones, then Enter', () => {
    expect(encodeKeyboardReports('aB').map((r) => r.toString('hex'))).toEqual([
      '0000040000000000',
      '0000000000000000',
      '0200050000000000',
      '0000000000000000',
      '0000280000000000',
      '0000000000000000',
    ]);
  });

  it('uses the right shift, a report ID, Tab or no end key when asked', () => {
    const reports = encodeKeyboardReports('A', { rightShift: true, reportId: 2, end: 'tab' });
    expect(reports.map((r) => r.toString('hex'))).toEqual([
      '022000040000000000',
      '020000000000000000',
      '0200002b0000000000',
      '020000000000000000',
    ]);
    expect(encodeKeyboardReports('1', { end: 'none' })).toHaveLength(2);
  });

  it('refuses a character the US layout has no key for', () => {
    expect(() => encodeKeyboardReports('é')).toThrow(RangeError);
    expect(() => encodeKeyboardReports('a\nb')).toThrow('"\\n" has no key on the US layout');
  });

  it('agrees with the hand-written table for every printable character', () => {
    for (const c of PRINTABLE) {
      expect(encodeKeyboardReports(c, { end: 'none' })).toEqual(typed(c));
    }
  });
});

describe('round trip (property)', () => {
  const printable = fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 80 });
  const options = fc.record({
    rightShift: fc.boolean(),
    end: fc.constantFrom('enter' as const, 'keypad-enter' as const, 'tab' as const),
    reportId: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
  });

  it('any printable text encoded to reports decodes back unchanged', () => {
    fc.assert(
      fc.property(printable, options, (text, opts) => {
        expect(decode(encodeKeyboardReports(text, opts))).toEqual([{ text }]);
      }),
    );
  });

  it('several scans in a row come back as the same scans', () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 6 }), fc.boolean(), (texts, rightShift) => {
        const reports = texts.flatMap((t) => encodeKeyboardReports(t, { rightShift }));
        expect(decode(reports)).toEqual(texts.map((text) => ({ text })));
      }),
    );
  });

  it('repeated reports (a slow host polling a held key) and rollover reports change nothing', () => {
    fc.assert(
      fc.property(
        printable,
        fc.infiniteStream(fc.constantFrom('once', 'twice', 'rollover-after')),
        (text, noise) => {
          const reports = encodeKeyboardReports(text).flatMap((r) => {
            const kind = noise.next().value;
            if (kind === 'twice') return [r, r];
            if (kind === 'rollover-after') return [r, ROLLOVER];
            return [r];
          });
          expect(decode(reports)).toEqual([{ text }]);
        },
      ),
    );
  });
});
