/** foldForConsole on any line: only console characters come out, column for column, and twice is once. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONSOLE_EXTRA, consoleSafe, foldForConsole } from '../../src/tui/glyphs.js';
import { fuzzRuns } from './runs.js';

/** ASCII (escapes included) passes through by design; everything else must be a console character. */
const shown = (char: string) => char.charCodeAt(0) < 0x80 || consoleSafe(char);

/** Text a screen line may hold: ASCII with ANSI colour codes, console characters, and any Unicode. */
const line = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\x1b[1m', '\x1b[32m', '\x1b[39m', '✓', '✗', '→', '…', '—', '•', '╭', '图', 'e\u0301'),
      fc.string({ unit: fc.constantFrom(...CONSOLE_EXTRA) }),
    ),
  )
  .map((parts) => parts.join(''));

/** One column per character: no East Asian wide forms, emoji or combining marks. */
const narrow = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0x2e7f }).map((c) => String.fromCodePoint(c)),
  })
  .filter((s) => !/[\p{M}\u1100-\u115f\u200b-\u200f\u2060]/u.test(s));

describe('foldForConsole (fuzz)', () => {
  it('puts out console characters only, and folding again changes nothing', () => {
    fc.assert(
      fc.property(line, (text) => {
        const folded = foldForConsole(text);
        expect([...folded].every(shown)).toBe(true);
        expect(foldForConsole(folded)).toBe(folded);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('keeps every narrow character in its column, and what is safe as it is', () => {
    fc.assert(
      fc.property(narrow, (text) => {
        const folded = [...foldForConsole(text)];
        const chars = [...text];
        expect(folded).toHaveLength(chars.length);
        chars.forEach((c, i) => {
          if (shown(c)) expect(folded[i]).toBe(c);
        });
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
