import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { hasValidMod10, mod10CheckDigit } from '../../src/barcode/checkdigit.js';

/** The FORMATS.md §3 worked examples: every one must pass. */
const VALID = [
  '30234000517861',
  '33191000105864',
  '21234000000018',
  '31234000000016',
  '21234000000026',
  '31234000000024',
];

/** Textbook Luhn, counted from the right (check digit excluded): an independent oracle for the property. */
function luhnFromTheRight(digits13: string): number {
  let sum = 0;
  [...digits13].reverse().forEach((d, i) => {
    const n = Number(d) * (i % 2 === 0 ? 2 : 1);
    sum += n > 9 ? n - 9 : n;
  });
  return (10 - (sum % 10)) % 10;
}

describe('mod10CheckDigit', () => {
  it('gives 1 for the worked example 3023400051786 (27 + 12 = 39)', () => {
    expect(mod10CheckDigit('3023400051786')).toBe(1);
  });

  it.each(VALID)('gives the last digit of %s from its first 13', (code) => {
    expect(mod10CheckDigit(code.slice(0, 13))).toBe(Number(code[13]));
  });

  it('gives 0 when the total is already a multiple of 10', () => {
    expect(mod10CheckDigit('0000000000000')).toBe(0);
    expect(hasValidMod10('00000000000000')).toBe(true);
  });

  it.each([
    '',
    '302340005178',
    '30234000517861',
    '302340005178x',
    ' 302340005178',
    '３０２３４０００５１７８６',
  ])('throws a RangeError for %j, which is not 13 ASCII digits', (bad) => {
    expect(() => mod10CheckDigit(bad)).toThrow(RangeError);
  });

  it('agrees with Luhn counted from the right for every 13 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{13}$/), (digits) => {
        expect(mod10CheckDigit(digits)).toBe(luhnFromTheRight(digits));
      }),
    );
  });
});

describe('hasValidMod10', () => {
  it.each(VALID)('accepts %s', (code) => {
    expect(hasValidMod10(code)).toBe(true);
  });

  it.each(VALID)('refuses %s with any other last digit', (code) => {
    for (let d = 0; d <= 9; d++) {
      if (String(d) === code[13]) continue;
      expect(hasValidMod10(code.slice(0, 13) + d)).toBe(false);
    }
  });

  it.each(VALID)('refuses %s with any one other digit changed (a misread bar)', (code) => {
    for (let i = 0; i < 13; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === code[i]) continue;
        expect(hasValidMod10(code.slice(0, i) + d + code.slice(i + 1))).toBe(false);
      }
    }
  });

  it('refuses two swapped neighbours where Luhn can see it', () => {
    // 3|0 swapped at the start: 03234000517861.
    expect(hasValidMod10('03234000517861')).toBe(false);
    expect(hasValidMod10('31234000000061')).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['13 digits', '3023400051786'],
    ['15 digits', '302340005178610'],
    ['a letter', '3023400051786X'],
    ['a leading space', ' 30234000517861'],
    ['a trailing CR', '30234000517861\r'],
    ['CLSI spaces', '3 0234 00051 7861'],
    ['Codabar start/stop', 'A30234000517861B'],
    ['a sign', '+30234000517861'],
    ['full-width digits', '３０２３４０００５１７８６１'],
    ['Arabic-Indic digits', '٣٠٢٣٤٠٠٠٥١٧٨٦١'],
    ['a NUL', '3023400051786\u0000'],
  ])('is false, not an exception, for %s', (_what, code) => {
    expect(hasValidMod10(code)).toBe(false);
  });

  it('never throws and accepts only 14 ASCII digits, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (code) => {
        if (hasValidMod10(code)) expect(code).toMatch(/^\d{14}$/);
      }),
    );
  });

  it('accepts every 13 digits followed by their check digit, and exactly one last digit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{13}$/), (digits) => {
        const accepted = [...'0123456789'].filter((d) => hasValidMod10(digits + d));
        expect(accepted).toEqual([String(mod10CheckDigit(digits))]);
      }),
    );
  });
});
