/** Barcodes for tests: the worked examples of FORMATS.md §3, and as many more valid items as a test needs. */
import { mod10CheckDigit } from '../../src/barcode/checkdigit.js';

export const PATRON = '21234000000018';
export const PATRON2 = '21234000000026';
export const ITEM1 = '31234000000016';
export const ITEM2 = '31234000000024';
export const ITEM3 = '31234000000032';

/** A valid 14-digit item barcode (institution 1234, mod 10 check digit) for sequence number n. */
export function itemBarcode(n: number): string {
  const body = `31234${String(n).padStart(8, '0')}`;
  return body + String(mod10CheckDigit(body));
}
