import { describe, expect, it } from 'vitest';
import { describeContent, describeInput, inputShape } from '../../src/barcode/describe.js';

describe('describeInput: what arrived, never what it was', () => {
  it('says length, classes and at most two characters', () => {
    expect(describeInput('21234000000018')).toBe('14 characters (14 digits, starting "21")');
    expect(describeInput('A1b-2', 'byte')).toBe('5 bytes (2 digits, 2 letters, 1 other, starting "A1")');
    expect(describeInput('7')).toBe('1 character (1 digit, starting "7")');
    expect(describeInput('')).toBe('0 characters');
    expect(describeContent('')).toBe('nothing');
  });

  it('escapes control and non-ASCII characters, and never shows half a surrogate pair', () => {
    // As describeScan escapes (the one escaper): \xNN up to 0xff, \u{…} above.
    expect(describeContent('\u0000\r12')).toBe('2 digits, 2 other, starting "\\x00\\x0d"');
    expect(inputShape('é€x').start).toBe('\\xe9\\u{20ac}');
    // One emoji is two UTF-16 units: the two characters shown are the emoji and the next.
    expect(inputShape('😀12').start).toBe('\\u{1f600}1');
    expect(inputShape('😀12')).toMatchObject({ length: 4, digits: 2, letters: 0, other: 2 });
  });
});
