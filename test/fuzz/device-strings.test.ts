/**
 * Fuzz of how `offcirc devices` prints the strings a USB device sends: whatever the device says, the
 * text and the JSON hold nothing a terminal acts on, and both read back to the exact string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable, terminalJson } from '../../src/devices/discover.js';
import { fuzzRuns } from './runs.js';

/** C0 and C1 controls, DEL, and the Unicode format, separator and surrogate characters. */
const UNSAFE = /[\p{C}\p{Z}]/u;
const unsafeExceptSpace = (text: string) => [...text].some((c) => c !== ' ' && UNSAFE.test(c));

/** Reads printable()'s escapes back: \\ → \, \xHH and \u{H…} → the character. */
function unescape(text: string): string {
  return text.replace(/\\(\\|x([0-9a-f]{2})|u\{([0-9a-f]+)\})/g, (_m, _all, hex2?: string, hexN?: string) =>
    hex2 !== undefined
      ? String.fromCharCode(parseInt(hex2, 16))
      : hexN !== undefined
        ? String.fromCodePoint(parseInt(hexN, 16))
        : '\\',
  );
}

// Strings of any UTF-16 units (lone surrogates too), weighted towards terminal escape sequences.
const deviceString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({
    unit: fc.constantFrom('\x1b', '[', ']', '\x07', '\x9b', '\\', 'x', '0', ';', '\u202e', 'A', ' ', '\n'),
    maxLength: 64,
  }),
);

describe('printable (fuzz)', () => {
  it('leaves nothing a terminal acts on, and reads back to the exact string', () => {
    fc.assert(
      fc.property(deviceString, (text) => {
        const shown = printable(text);
        expect(unsafeExceptSpace(shown)).toBe(false);
        expect(unescape(shown)).toBe(text);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('terminalJson (fuzz)', () => {
  it('leaves nothing a terminal acts on but its own line breaks, and parses back to the same value', () => {
    fc.assert(
      fc.property(
        fc.dictionary(deviceString, deviceString, { maxKeys: 4 }),
        fc.constantFrom(undefined, 2),
        (value, space) => {
          const json = terminalJson(value, space);
          expect(unsafeExceptSpace(json.replaceAll('\n', ''))).toBe(false);
          expect(JSON.parse(json)).toEqual(value);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
