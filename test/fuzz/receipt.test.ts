/**
 * The receipt layout and its ESC/POS bytes on any content: any item text, card, station, header, footer
 * and width give lines no wider than the width, of characters CP437 prints; bytes with no command but
 * the receipt's own (no control byte from the text), decoding back to those lines, ending with one cut;
 * and no character of the content lost by wrapping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECEIPT_WIDTHS } from '../../src/config/schema.js';
import { isPrintable, printable } from '../../src/receipt/cp437.js';
import { encodeReceipt } from '../../src/receipt/escpos.js';
import { layoutReceipt, wrap, type ReceiptContent } from '../../src/receipt/layout.js';
import { decodeEscPos, receiptText } from '../receipt/escpos-decode.js';
import { fuzzRuns } from './runs.js';

/** Any text, weighted towards what breaks printers and layouts: escapes, CP437 glyphs at control bytes, wide and astral characters, spaces. */
const text = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme-ascii' }),
      fc.constantFrom(
        '\x1b@',
        '\x1dV\x00',
        '\x10\x04\x04',
        '\x1bt\x10',
        '►',
        '☺',
        '⌂',
        'é',
        '½',
        '日本',
        '😀',
        'e\u0301',
        ' ',
        '  ',
        '–',
        '\n',
        '\r',
      ),
      fc.string({ unit: fc.constantFrom('x', ' '), maxLength: 200 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const time = fc.integer({ min: 0, max: 4102444800000 }); // up to 2100

const content: fc.Arbitrary<ReceiptContent> = fc.record(
  {
    station: text,
    at: time,
    patron: fc.option(text, { nil: undefined }),
    items: fc.array(
      fc.record(
        {
          kind: fc.constantFrom('loan' as const, 'return' as const),
          item: text,
          at: time,
          due: fc.option(time, { nil: undefined }),
        },
        { requiredKeys: ['kind', 'item', 'at'] },
      ),
      { maxLength: 6 },
    ),
    header: fc.array(text, { maxLength: 3 }),
    footer: fc.array(text, { maxLength: 3 }),
  },
  { requiredKeys: ['station', 'at', 'items', 'header', 'footer'] },
);

/** The widths the config allows (the encoder's paper widths). */
const width = fc.constantFrom(...RECEIPT_WIDTHS);

describe('receipt layout (fuzz)', () => {
  it('lines within the width, CP437 only; bytes decode back to them and end with one cut', () => {
    fc.assert(
      fc.property(content, width, (c, w) => {
        const lines = layoutReceipt(c, w);
        for (const line of lines) {
          expect([...line].length).toBeLessThanOrEqual(w);
          expect(isPrintable(line)).toBe(true);
        }
        const decoded = decodeEscPos(encodeReceipt(lines, w)); // throws on any unknown command or control byte
        expect(decoded.commands).toEqual(['init', 'kanji-off', 'font 0', 'codepage 0', 'cut 1']);
        expect(decoded.endsWithCut).toBe(true);
        expect(receiptText(decoded)).toEqual(
          lines.length > 0 && lines.at(-1) === '' ? lines.slice(0, -1) : lines,
        );
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any width from 24 to 80: every line within it, CP437 only', () => {
    fc.assert(
      fc.property(content, fc.integer({ min: 24, max: 80 }), (c, w) => {
        for (const line of layoutReceipt(c, w)) {
          expect([...line].length).toBeLessThanOrEqual(w);
          expect(isPrintable(line)).toBe(true);
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('wrapping loses no character: the words come out in order, each line within the width', () => {
    fc.assert(
      fc.property(
        text,
        fc.integer({ min: 8, max: 80 }),
        fc.constantFrom('', '  ', '      '),
        (t, w, indent) => {
          const lines = wrap(t, w, indent);
          for (const line of lines) expect([...line].length).toBeLessThanOrEqual(w);
          const squeeze = (s: string) => s.replace(/ /g, '');
          expect(squeeze(lines.join(''))).toBe(squeeze(printable(t)));
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
