/**
 * Undoes what scanners add around a barcode's data (FORMATS.md §3): surrounding whitespace, an AIM
 * symbology identifier, Codabar start/stop characters and CLSI spaces. Each step only ever removes
 * characters, so the result is a substring-by-deletion of the input. O(n) in the text's length.
 */
import type { BarcodeConfig } from '../config/schema.js';

export type NormalizeOptions = BarcodeConfig['normalize'];

/** `]` + code letter + modifier digit, e.g. "]F0" (Codabar) or "]C0" (Code 128). */
const AIM_IDENTIFIER = /^\][A-Za-z][0-9]/;
/**
 * Start and stop may differ (scanners send e.g. "A…B"); inside only digits and spaces, at least one digit
 * (checked apart: written into the pattern as `[0-9 ]*[0-9][0-9 ]*`, it backtracks quadratically).
 */
const CODABAR = /^[ABCDabcdtn*e]([0-9 ]+)[ABCDabcdtn*e]$/;
const DIGIT = /[0-9]/;
/** Spaces inside a digit string ("3 9990 00019 2148"); leading or trailing spaces are trim's business. */
const CLSI = /^[0-9][0-9 ]*[0-9]$/;

/** The barcode data a scanner sent, with the enabled decorations removed, in the documented order. */
export function normalize(text: string, options: NormalizeOptions): string {
  let out = text;
  if (options.trim) out = out.trim();
  if (options.aimIdentifier) out = out.replace(AIM_IDENTIFIER, '');
  if (options.codabarStartStop) {
    const inside = CODABAR.exec(out)?.[1];
    if (inside !== undefined && DIGIT.test(inside)) out = inside;
  }
  if (options.clsiSpaces && CLSI.test(out)) out = out.replaceAll(' ', '');
  return out;
}
