/**
 * Receipt lines to ESC/POS bytes, through @point-of-sale/receipt-printer-encoder (no hand-made escape
 * bytes): initialise, code page 437, each line, feed and cut. Also the one status request this module
 * sends and how to read its answer. O(n) in the receipt's size; a receipt is about 1–2 KiB.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { printable } from './cp437.js';

/** Lines fed before the cut: the cutter sits above the print head, so the last line clears it. */
const FEED_BEFORE_CUT = 4;

/** ESC/POS bytes for `lines` (each already at most `width` characters), ending with a partial cut. */
export function encodeReceipt(lines: readonly string[], width: number): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: width,
    newline: '\n',
    feedBeforeCut: FEED_BEFORE_CUT,
  });
  encoder.initialize().codepage('cp437');
  // printable() again: a line that didn't come from layoutReceipt must not carry a control byte either.
  for (const line of lines) encoder.line(printable(line));
  return encoder.cut('partial').encode();
}

/**
 * DLE EOT 4: "transmit roll paper sensor status", a real-time request the printer answers with one byte
 * even while busy. The encoder has no status requests, so this is the one sequence written here.
 */
export const PAPER_STATUS_REQUEST = Uint8Array.of(0x10, 0x04, 0x04);

export type PaperStatus = 'ok' | 'low' | 'out';

/**
 * Reads the answer to DLE EOT 4: the fixed bits are 0xx1xx10; bits 2–3 set mean the paper is near its
 * end, bits 5–6 that it has run out. Undefined for a byte that is not such an answer (noise, an
 * automatic status from another request), which the caller goes on waiting past.
 */
export function readPaperStatus(byte: number): PaperStatus | undefined {
  if ((byte & 0x93) !== 0x12) return undefined;
  if ((byte & 0x60) === 0x60) return 'out';
  if ((byte & 0x0c) === 0x0c) return 'low';
  return 'ok';
}
