import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePosReports, PosReportDecoder, type PosScan } from '../../src/devices/hid-pos.js';

/**
 * A Scanned Data report built by hand from the table in FORMATS.md §4: report ID, length of the data,
 * three AIM bytes, data from byte 5, vendor symbology at 61, reserved 62, "more follows" in bit 0 of 63.
 */
function scanned(
  data: string,
  options: { aim?: string; more?: boolean; length?: number; id?: number; pad?: number } = {},
) {
  const report = Buffer.alloc(64, 0);
  report[0] = options.id ?? 0x02;
  report[1] = options.length ?? data.length;
  report.write(options.aim ?? ']F0', 2, 'latin1');
  if (options.pad !== undefined) report.fill(options.pad, 5, 61);
  report.write(data, 5, 'latin1');
  report[61] = 0x0e; // a vendor symbology byte the decoder must not read as data
  report[63] = options.more ? 0x01 : 0x00;
  return report;
}

function decode(reports: Buffer[], decoder = new PosReportDecoder()): PosScan[] {
  return reports.flatMap((r) => decoder.push(r));
}

const SIXTY = '123456789012345678901234567890123456789012345678901234567890';

describe('PosReportDecoder', () => {
  it('reads one Scanned Data report: the data and the AIM symbology identifier', () => {
    expect(decode([scanned('31234000000016')])).toEqual([{ text: '31234000000016', symbology: ']F0' }]);
  });

  it('reads the length byte as the length of the data alone (not counting the AIM bytes)', () => {
    expect(decode([scanned('21234000000018', { length: 14 })])).toEqual([
      { text: '21234000000018', symbology: ']F0' },
    ]);
    expect(decode([scanned('21234000000018', { length: 11 })])).toEqual([
      { text: '21234000000', symbology: ']F0' },
    ]);
  });

  it('lets the length byte bound the data: padding after it is ignored, zero or not', () => {
    expect(decode([scanned('ABC', { pad: 0x41 })])).toEqual([{ text: 'ABC', symbology: ']F0' }]);
    expect(decode([scanned('ABC', { pad: 0x00 })])).toEqual([{ text: 'ABC', symbology: ']F0' }]);
  });

  it('joins a 60-byte barcode split over two reports into one scan', () => {
    const first = scanned(SIXTY.slice(0, 56), { aim: ']C0', more: true });
    const second = scanned(SIXTY.slice(56), { aim: ']C0' });
    const decoder = new PosReportDecoder();
    expect(decoder.push(first)).toEqual([]);
    expect(decoder.pending).toBe(SIXTY.slice(0, 56));
    expect(decoder.push(second)).toEqual([{ text: SIXTY, symbology: ']C0' }]);
    expect(decoder.pending).toBe('');
  });

  it('takes the symbology from the first report of a barcode', () => {
    expect(
      decode([scanned('31234', { aim: ']F0', more: true }), scanned('000000016', { aim: '\0\0\0' })]),
    ).toEqual([{ text: '31234000000016', symbology: ']F0' }]);
  });

  it('leaves the symbology out where the scanner sends no AIM identifier', () => {
    expect(decode([scanned('31234000000016', { aim: '\0\0\0' })])).toEqual([{ text: '31234000000016' }]);
    expect(decode([scanned('31234000000016', { aim: 'xyz' })])).toEqual([{ text: '31234000000016' }]);
  });

  it('ignores an empty read, and an empty last report just ends the barcode', () => {
    expect(decode([scanned('', { length: 0 })])).toEqual([]);
    expect(decode([scanned('123', { more: true }), scanned('', { length: 0 })])).toEqual([
      { text: '123', symbology: ']F0' },
    ]);
  });

  it('ignores bytes beyond the 64 of a report', () => {
    expect(decode([Buffer.concat([scanned('123'), Buffer.from('999')])])).toEqual([
      { text: '123', symbology: ']F0' },
    ]);
  });

  it('keeps every byte of the data as one character, control characters included (GS1 uses 0x1d)', () => {
    expect(decode([scanned('01\x1d17', { aim: ']C1' })])).toEqual([{ text: '01\x1d17', symbology: ']C1' }]);
  });
});

describe('PosReportDecoder: garbage gives a clear error, never a wrong barcode', () => {
  it('a wrong report ID', () => {
    expect(decode([scanned('31234000000016', { id: 0x04 })])).toEqual([
      { text: '', error: 'unreadable scan: HID POS report ID 0x04, expected 0x02 (Scanned Data)' },
    ]);
  });

  it.each([57, 59, 200, 255])('a length byte of %i (more than the 56 that fit)', (length) => {
    expect(decode([scanned('31234000000016', { length })])).toEqual([
      {
        text: '',
        error: `unreadable scan: the HID POS report says it holds ${length} bytes of data, at most 56 fit`,
      },
    ]);
  });

  it.each([0, 1, 5, 19, 63])('a report of %i bytes', (length) => {
    expect(decode([scanned('31234000000016').subarray(0, length)])).toEqual([
      { text: '', error: `unreadable scan: a ${length}-byte HID POS report, expected 64 bytes` },
    ]);
  });

  it('garbage in the middle of a continued barcode spoils it, keeping what came before for the log', () => {
    const decoder = new PosReportDecoder();
    const scans = decode(
      [scanned('31234', { more: true }), scanned('000', { id: 0x05 }), scanned('21234000000018')],
      decoder,
    );
    expect(scans).toEqual([
      {
        text: '31234',
        symbology: ']F0',
        error: 'unreadable scan: HID POS report ID 0x05, expected 0x02 (Scanned Data)',
      },
      { text: '21234000000018', symbology: ']F0' },
    ]);
  });

  it('a barcode that goes on and on is cut off with an error', () => {
    const decoder = new PosReportDecoder(100);
    const more = scanned('x'.repeat(56), { more: true });
    expect(decode([more], decoder)).toEqual([]);
    const [scan] = decode([more], decoder);
    expect(scan?.error).toBe('unreadable scan: more than 100 bytes in one barcode');
    expect(decode([scanned('1')], decoder)).toEqual([{ text: '1', symbology: ']F0' }]);
  });

  it('never throws on any bytes; what it gives is data or an explained error', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 70 }), { maxLength: 30 }), (chunks) => {
        const decoder = new PosReportDecoder();
        for (const chunk of chunks) {
          for (const scan of decoder.push(Buffer.from(chunk))) {
            if (scan.error !== undefined) expect(scan.error).toMatch(/^unreadable scan: /);
            else expect(scan.text.length).toBeGreaterThan(0);
          }
        }
      }),
    );
  });
});

describe('encodePosReports', () => {
  it('writes the layout of the table, agreeing with the decoder on the length byte', () => {
    const [only] = encodePosReports('31234000000016', ']F0');
    expect(only).toEqual(scanned('31234000000016').fill(0, 61, 62));
    expect(only?.[1]).toBe(14);
  });

  it('splits 60 bytes over two reports: 56 with "more follows", then 4', () => {
    const reports = encodePosReports(SIXTY, ']C0');
    expect(reports).toHaveLength(2);
    expect([reports[0]?.[1], reports[0]?.[63], reports[1]?.[1], reports[1]?.[63]]).toEqual([56, 1, 4, 0]);
    expect(decode(reports)).toEqual([{ text: SIXTY, symbology: ']C0' }]);
  });

  it('splits a short barcode over several reports when asked for a smaller chunk', () => {
    const reports = encodePosReports('31234000000016', ']F0', { chunk: 7 });
    expect(reports.map((r) => r[63])).toEqual([1, 0]);
    expect(decode(reports)).toEqual([{ text: '31234000000016', symbology: ']F0' }]);
  });

  it('sends one empty report for empty text, and no AIM bytes for symbology ""', () => {
    expect(encodePosReports('')).toHaveLength(1);
    expect(decode(encodePosReports('42', ''))).toEqual([{ text: '42' }]);
  });

  it('refuses what a report cannot carry', () => {
    expect(() => encodePosReports('€')).toThrow(RangeError);
    expect(() => encodePosReports('1', 'F0')).toThrow('symbology must be "]" and two characters');
    expect(() => encodePosReports('1', ']A0', { chunk: 57 })).toThrow('chunk must be 1–56');
    expect(() => encodePosReports('1', ']A0', { chunk: 0 })).toThrow(RangeError);
  });
});

describe('round trip (property)', () => {
  const latin1 = fc.string({
    unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 300,
  });
  const aim = fc
    .tuple(fc.constantFrom('A', 'C', 'E', 'F', 'I', 'Q', 'd'), fc.constantFrom('0', '1', '3'))
    .map(([c, m]) => `]${c}${m}`);

  it('any text of bytes encoded to reports decodes back unchanged, with its symbology', () => {
    fc.assert(
      fc.property(latin1, aim, fc.integer({ min: 1, max: 56 }), (text, symbology, chunk) => {
        expect(decode(encodePosReports(text, symbology, { chunk }))).toEqual([{ text, symbology }]);
      }),
    );
  });

  it('barcodes in a row come back as the same barcodes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(latin1, aim), { minLength: 1, maxLength: 5 }), (barcodes) => {
        const reports = barcodes.flatMap(([text, symbology]) => encodePosReports(text, symbology));
        expect(decode(reports)).toEqual(barcodes.map(([text, symbology]) => ({ text, symbology })));
      }),
    );
  });
});
