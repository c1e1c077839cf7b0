import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { describeScan } from '../../src/barcode/classify.js';

describe('describeScan', () => {
  it('keeps printable ASCII as it is', () => {
    expect(describeScan('31234000000016')).toBe('31234000000016');
    expect(describeScan('MODE-LOAN ]F0 *A~')).toBe('MODE-LOAN ]F0 *A~');
  });

  it.each([
    ['\r\n', '\\x0d\\x0a'],
    ['\u001b[2J', '\\x1b[2J'],
    ['\u0000', '\\x00'],
    ['\u007f', '\\x7f'],
    ['\u009b', '\\x9b'],
    ['é', '\\xe9'],
    ['😀', '\\u{1f600}'],
    ['\ud800', '\\u{d800}'],
    ['\ufeff', '\\u{feff}'],
  ])('shows %j as %s', (text, shown) => {
    expect(describeScan(text)).toBe(shown);
  });

  it('doubles backslashes so an escape in the text cannot pass for one of ours', () => {
    expect(describeScan('\\x1b')).toBe('\\\\x1b');
    expect(describeScan('\\x1b')).not.toBe(describeScan('\u001b'));
  });

  it('cuts long text and says how long it was', () => {
    expect(describeScan('x'.repeat(1000))).toBe(`${'x'.repeat(64)}... (length 1000)`);
    expect(describeScan('x'.repeat(64))).toBe('x'.repeat(64));
    expect(describeScan('abcdef', 3)).toBe('abc... (length 6)');
  });

  it('gives printable ASCII of bounded length for any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.integer({ min: 0, max: 100 }),
        (text, max) => {
          const shown = describeScan(text, max);
          expect(shown).toMatch(/^[\x20-\x7e]*$/);
          // Each character becomes at most 10 ("\u{10ffff}"), plus the note on the length.
          expect(shown.length).toBeLessThanOrEqual(max * 10 + 20);
        },
      ),
    );
  });

  it('is one-to-one on what it shows in full: different texts never look the same', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'binary-ascii' }), (a, b) => {
        if (a !== b) expect(describeScan(a, 1000)).not.toBe(describeScan(b, 1000));
      }),
    );
  });
});
