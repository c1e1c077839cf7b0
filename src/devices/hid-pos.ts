/**
 * Decodes HID POS "Scanned Data" input reports (usage page 0x8C) into scans, joining a barcode continued
 * over several reports, and encodes text back into such reports. O(n) in the bytes of the report.
 *
 * Layout as node-hid returns it (FORMATS.md §4): byte 0 report ID 0x02, byte 1 length, bytes 2–4 the AIM
 * symbology identifier, bytes 5–60 data (56 bytes, zero-padded), byte 61 vendor symbology, byte 62
 * reserved, byte 63 bit 0 "more reports follow".
 *
 * The length byte counts the data bytes only, not the three AIM bytes: the table calls it the length of
 * the decoded data, the data field holds 56 bytes, and counting the AIM bytes would let it reach 59 for a
 * field that holds 56. So a length above 56 is garbage, never a long barcode. Bytes past the length are
 * padding and ignored, whatever they hold.
 */
import { hexByte } from './hid-usage.js';

export const POS_REPORT_ID = 0x02;
export const POS_REPORT_LENGTH = 64;
export const POS_DATA_MAX = 56;
const DATA_START = 5;
const MORE_FOLLOWS = 63;

/** One barcode from the reports; `error` set means it is unusable and says why. */
export interface PosScan {
  text: string;
  /** The AIM identifier (e.g. "]F0") from the barcode's first report, where the scanner sent one. */
  symbology?: string;
  error?: string;
}

/** Stateful decoder: push each input report in order, get back the barcodes completed by it. */
export class PosReportDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private symbology: string | undefined;

  /** `maxLength` bounds a barcode continued report after report (a scanner stuck on "more follows"). */
  constructor(private readonly maxLength = 4096) {}

  push(report: Buffer): PosScan[] {
    const problem = this.check(report);
    if (problem !== undefined) return [this.finish(`unreadable scan: ${problem}`)];
    const length = report[1] ?? 0;
    if (this.parts.length === 0) this.symbology = aimIdentifier(report.subarray(2, DATA_START));
    if (this.size + length > this.maxLength)
      return [this.finish(`unreadable scan: more than ${this.maxLength} bytes in one barcode`)];
    this.parts.push(report.subarray(DATA_START, DATA_START + length));
    this.size += length;
    if (((report[MORE_FOLLOWS] ?? 0) & 0x01) !== 0) return [];
    if (this.size === 0) {
      this.parts = [];
      return []; // an empty read carries no barcode
    }
    return [this.finish()];
  }

  /** The data of a barcode whose last report hasn't come yet. */
  get pending(): string {
    return Buffer.concat(this.parts).toString('latin1');
  }

  /** Forgets a barcode half-read (after the device was reopened). */
  reset(): void {
    this.parts = [];
    this.size = 0;
    this.symbology = undefined;
  }

  private check(report: Buffer): string | undefined {
    if (report.length < POS_REPORT_LENGTH)
      return `a ${report.length}-byte HID POS report, expected ${POS_REPORT_LENGTH} bytes`;
    if (report[0] !== POS_REPORT_ID)
      return `HID POS report ID ${hexByte(report[0] ?? 0)}, expected ${hexByte(POS_REPORT_ID)} (Scanned Data)`;
    if ((report[1] ?? 0) > POS_DATA_MAX)
      return `the HID POS report says it holds ${report[1]} bytes of data, at most ${POS_DATA_MAX} fit`;
    return undefined;
  }

  /** Emits what was joined so far (with an error, the part read before the problem) and starts afresh. */
  private finish(error?: string): PosScan {
    const scan: PosScan = { text: Buffer.concat(this.parts).toString('latin1') };
    if (this.symbology !== undefined) scan.symbology = this.symbology;
    if (error !== undefined) scan.error = error;
    this.reset();
    return scan;
  }
}

/** "]" + two printable characters, else none (zeros: the scanner sends no AIM identifier). */
function aimIdentifier(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1');
  return /^\][\x21-\x7e]{2}$/.test(text) ? text : undefined;
}

export interface PosEncodeOptions {
  /** Data bytes per report, 1–56 (default 56); smaller splits a short barcode over several reports. */
  chunk?: number;
}

/**
 * The Scanned Data reports a HID POS scanner sends for `text` (one byte per character, Latin-1), split
 * over as many reports as it takes. `symbology` is "]" + two characters, or "" for none.
 * Throws RangeError for a character above U+00FF, a bad symbology or chunk size.
 */
export function encodePosReports(text: string, symbology = ']A0', options: PosEncodeOptions = {}): Buffer[] {
  const chunk = options.chunk ?? POS_DATA_MAX;
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > POS_DATA_MAX)
    throw new RangeError(`encodePosReports: chunk must be 1–${POS_DATA_MAX}, got ${chunk}`);
  if (symbology !== '' && !/^\][\x21-\x7e]{2}$/.test(symbology))
    throw new RangeError(
      `encodePosReports: symbology must be "]" and two characters, got ${JSON.stringify(symbology)}`,
    );
  for (const char of text) {
    if ((char.codePointAt(0) ?? 0) > 0xff)
      throw new RangeError(`encodePosReports: ${JSON.stringify(char)} is not one byte (Latin-1)`);
  }
  const data = Buffer.from(text, 'latin1');
  const reports: Buffer[] = [];
  for (let offset = 0; offset < data.length || reports.length === 0; offset += chunk) {
    const part = data.subarray(offset, offset + chunk);
    const report = Buffer.alloc(POS_REPORT_LENGTH);
    report[0] = POS_REPORT_ID;
    report[1] = part.length;
    report.write(symbology, 2, 'latin1');
    part.copy(report, DATA_START);
    if (offset + chunk < data.length) report[MORE_FOLLOWS] = 0x01;
    reports.push(report);
  }
  return reports;
}
