/**
 * The mod 10 (Luhn) check digit of the 14-digit North American library barcode (FORMATS.md §3).
 * O(n) in the code's length; no allocation beyond the loop.
 */

/** The check digit for the first 13 digits of a library barcode. Throws a RangeError for anything else. */
export function mod10CheckDigit(digits13: string): number {
  if (!/^\d{13}$/.test(digits13)) throw new RangeError('mod10CheckDigit needs exactly 13 digits');
  let total = 0;
  for (let i = 0; i < 13; i++) {
    const digit = digits13.charCodeAt(i) - 48;
    // Positions are counted from 1, so index 0 is position 1: odd positions are doubled.
    if (i % 2 === 0) {
      const doubled = digit * 2;
      total += doubled > 9 ? doubled - 9 : doubled;
    } else {
      total += digit;
    }
  }
  return (10 - (total % 10)) % 10;
}

/** True when `code` is 14 digits whose last is the mod 10 check digit of the first 13; never throws. */
export function hasValidMod10(code: string): boolean {
  if (!/^\d{14}$/.test(code)) return false;
  return mod10CheckDigit(code.slice(0, 13)) === code.charCodeAt(13) - 48;
}
