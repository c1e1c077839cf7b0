/**
 * The receipt's layout and its ESC/POS bytes: what a patron reads, the masked card, due dates marked as
 * provisional, CP437 only (anything else "?"), the width kept, and the bytes decoded back into the same
 * lines, ending with a cut.
 */
import { describe, expect, it } from 'vitest';
import { isPrintable, printable } from '../../src/receipt/cp437.js';
import { encodeReceipt, readPaperStatus } from '../../src/receipt/escpos.js';
import { layoutReceipt, maskCard, receiptDate, wrap, type ReceiptContent } from '../../src/receipt/layout.js';
import { decodeEscPos, receiptText } from './escpos-decode.js';

const AT = new Date(2026, 11, 2, 14, 5).getTime();
const DUE = new Date(2026, 11, 23, 12, 0).getTime();

const content = (extra: Partial<ReceiptContent> = {}): ReceiptContent => ({
  station: 'desk-1',
  at: AT,
  patron: '21234567890128',
  items: [
    { kind: 'loan', item: '31234567890126', at: AT - 1000, due: DUE },
    { kind: 'loan', item: '31234567890134', at: AT },
  ],
  header: ['City Library'],
  footer: ['Thank you'],
  ...extra,
});

describe('the receipt layout', () => {
  it('shows station, date and time, the masked card, each item with its action and due date, the count', () => {
    const lines = layoutReceipt(content(), 42);
    expect(lines).toEqual([
      '               City Library',
      '',
      'Wed 2 Dec 2026                       14:05',
      'Station: desk-1',
      'Card: ****0128',
      '-'.repeat(42),
      'Loan  31234567890126',
      '  due about Wed 23 Dec 2026 (the library',
      '  system confirms it)',
      'Loan  31234567890134',
      '-'.repeat(42),
      '2 items borrowed',
      '',
      '                Thank you',
    ]);
    expect(lines.join('\n')).not.toContain('21234567890128');
  });

  it('says returns and leaves the card out when there is no patron', () => {
    const lines = layoutReceipt(
      content({
        patron: undefined,
        items: [{ kind: 'return', item: '31234567890126', at: AT }],
        header: [],
        footer: [],
      }),
      32,
    );
    expect(lines).toEqual([
      'Wed 2 Dec 2026             14:05',
      'Station: desk-1',
      '-'.repeat(32),
      'Return  31234567890126',
      '-'.repeat(32),
      '1 item returned',
    ]);
  });

  it('masks all but the last 4 characters, as the screen does', () => {
    expect(maskCard('21234567890128')).toBe('****0128');
    expect(maskCard('1234')).toBe('****');
    expect(maskCard('')).toBe('****');
  });

  it('prints what CP437 lacks as "?" (one per character) and typographic dashes as "-"', () => {
    expect(printable('Café – 日本 😀 \u001b€')).toBe('Café - ?? ? ??');
    expect(isPrintable('Café ½ ü')).toBe(true);
    expect(isPrintable('\u0010')).toBe(false);
    expect(isPrintable('►')).toBe(false); // CP437 draws it at 0x10: DLE to a printer
  });

  it('wraps at spaces, breaks a word longer than the line, and keeps every line within the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x'.repeat(10), 4, '  ')).toEqual(['xxxx', '  xx', '  xx', '  xx']);
    // A word that fits the first line's room but not an indented one's (found by the fuzz test).
    expect(wrap('x 1234567', 8, '  ')).toEqual(['x', '  123456', '  7']);
    const long = layoutReceipt(
      content({
        station: 's'.repeat(100),
        items: [{ kind: 'loan', item: '3'.repeat(80), at: AT, due: DUE }],
      }),
      24,
    );
    for (const line of long) expect([...line].length).toBeLessThanOrEqual(24);
    expect(long.join('')).toContain('3'.repeat(18));
  });

  it('refuses a width it cannot keep', () => {
    expect(() => layoutReceipt(content(), 10)).toThrow(/from 24 to 80, got 10/);
  });

  it('writes dates the same in every locale', () => {
    expect(receiptDate(new Date(2027, 0, 1).getTime())).toBe('Fri 1 Jan 2027');
  });
});

describe('the ESC/POS bytes', () => {
  it('decode back into the same lines: initialise, CP437, the text, a feed and a cut', () => {
    const lines = layoutReceipt(content({ header: ['Café Bibliothèque'] }), 42);
    const decoded = decodeEscPos(encodeReceipt(lines, 42));
    expect(decoded.commands).toEqual(['init', 'kanji-off', 'font 0', 'codepage 0', 'cut 1']);
    expect(receiptText(decoded)).toEqual(lines);
    expect(decoded.endsWithCut).toBe(true);
    expect(decoded.cuts).toBe(1);
  });

  it('never passes a control byte from the text through', () => {
    const bytes = encodeReceipt(['a\u001b@b\u0010\u0004\u0004c\u001dV\u0000'], 42);
    const decoded = decodeEscPos(bytes);
    expect(receiptText(decoded)).toEqual(['a?@b???c?V?']);
    expect(decoded.commands).toEqual(['init', 'kanji-off', 'font 0', 'codepage 0', 'cut 1']);
  });

  it('a line exactly as wide as the paper stays one line', () => {
    const decoded = decodeEscPos(encodeReceipt(['x'.repeat(42), 'y'], 42));
    expect(receiptText(decoded)).toEqual(['x'.repeat(42), 'y']);
  });

  it('reads the paper status answer: fixed bits checked, near end and out told apart', () => {
    expect(readPaperStatus(0x12)).toBe('ok');
    expect(readPaperStatus(0x1e)).toBe('low');
    expect(readPaperStatus(0x72)).toBe('out');
    expect(readPaperStatus(0x7e)).toBe('out');
    expect(readPaperStatus(0x00)).toBeUndefined();
    expect(readPaperStatus(0xff)).toBeUndefined();
  });
});
