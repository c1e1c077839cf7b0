/**
 * HID reports through their decoders: each scan encoded as keyboard or HID POS reports decodes to exactly
 * that scan, and any bytes at all as reports never throw and never make a scan longer than the limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeyboardReports, KeyboardReportDecoder } from '../../src/devices/hid-keyboard.js';
import { encodePosReports, POS_REPORT_LENGTH, PosReportDecoder } from '../../src/devices/hid-pos.js';
import { HidReportReader } from '../../src/devices/hid-reader.js';
import { strokeForChar } from '../../src/devices/hid-usage.js';
import type { Scan } from '../../src/devices/scanner.js';
import { fuzzRuns } from './runs.js';

/** Every character the US layout types (printable ASCII). */
const typeable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter(
  (c) => strokeForChar(c) !== undefined,
);
const typedScan = fc.string({ unit: fc.constantFrom(...typeable), minLength: 1, maxLength: 60 });
const latin1Scan = fc
  .uint8Array({ minLength: 1, maxLength: 200 })
  .map((bytes) => Buffer.from(bytes).toString('latin1'));
const report = fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes));

describe('fuzz: HID keyboard reports', () => {
  it('scans typed as reports (either Shift, Enter/keypad Enter/Tab, with or without a report ID) decode to themselves', () => {
    fc.assert(
      fc.property(
        fc.array(typedScan, { maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom('enter', 'keypad-enter', 'tab') as fc.Arbitrary<'enter' | 'keypad-enter' | 'tab'>,
        fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
        (scans, rightShift, end, reportId) => {
          const decoder = new KeyboardReportDecoder();
          const reports = scans.flatMap((text) => encodeKeyboardReports(text, { rightShift, end, reportId }));
          expect(reports.flatMap((r) => decoder.push(r))).toEqual(scans.map((text) => ({ text })));
          expect(decoder.pending).toBe('');
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('any bytes as reports: never throws, scans and the scan in progress stay within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(report, { maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (reports, maxLength) => {
          const decoder = new KeyboardReportDecoder({ maxLength });
          for (const r of reports) {
            for (const scan of decoder.push(r)) {
              expect(scan.text.length).toBeLessThanOrEqual(maxLength);
              if (scan.error !== undefined) expect(scan.error).toMatch(/^unreadable scan: /);
            }
            expect(decoder.pending.length).toBeLessThanOrEqual(maxLength);
          }
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('fuzz: HID POS reports', () => {
  it('barcodes split over any number of reports decode to themselves, with their AIM identifier', () => {
    fc.assert(
      fc.property(
        fc.array(latin1Scan, { maxLength: 6 }),
        fc.integer({ min: 1, max: 56 }),
        fc.constantFrom(']A0', ']F0', ']C1', ''),
        (scans, chunk, symbology) => {
          const decoder = new PosReportDecoder();
          const reports = scans.flatMap((text) => encodePosReports(text, symbology, { chunk }));
          const expected = scans.map((text) => (symbology === '' ? { text } : { text, symbology }));
          expect(reports.flatMap((r) => decoder.push(r))).toEqual(expected);
          expect(decoder.pending).toBe('');
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('any bytes as reports (through the shared reader): never throws, every barcode within the limit', () => {
    const posReport = fc.oneof(
      report,
      // Mostly well-formed: the right length and ID, garbage elsewhere (lengths, "more follows" bits).
      fc.uint8Array({ minLength: POS_REPORT_LENGTH, maxLength: POS_REPORT_LENGTH }).map((bytes) => {
        const b = Buffer.from(bytes);
        b[0] = 0x02;
        return b;
      }),
    );
    fc.assert(
      fc.property(fc.array(posReport, { maxLength: 200 }), (reports) => {
        const scans: Scan[] = [];
        const reader = new HidReportReader(
          { device: 'front', protocol: 'pos', now: () => 0 },
          { scan: (s) => scans.push(s) },
        );
        for (const r of reports) reader.push(r);
        expect(reader.reset().length).toBeLessThanOrEqual(4096);
        for (const scan of scans) {
          expect(scan.text.length).toBeLessThanOrEqual(4096);
          expect(scan.device).toBe('front');
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
