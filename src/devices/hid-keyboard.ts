/**
 * Decodes USB boot keyboard reports from a keyboard-mode barcode scanner into scans (US layout), and
 * encodes text back into such reports. O(1) per report; the only state is the keys held, Caps Lock and
 * the scan being read.
 *
 * Report length: 8 bytes is the boot report as node-hid delivers it from a device without numbered
 * reports. A device with numbered reports puts its report ID first, so node-hid hands over 9 bytes; with
 * `reportId: 'auto'` (the default) any 9-byte report is read as ID + boot report, since node-hid cannot
 * show the report descriptor that would say so. With a number, only 9-byte reports carrying that ID are
 * read and other IDs (another collection of a composite device) are skipped. Any other length makes the
 * scan in progress unusable rather than guessing at the layout.
 */
import {
  CAPS_LOCK,
  charForUsage,
  ENTER,
  hexByte,
  KEYPAD_ENTER,
  MOD,
  NUM_LOCK,
  ROLLOVER,
  SHIFT,
  strokeForChar,
  TAB,
} from './hid-usage.js';

export type EndKey = 'enter' | 'tab' | 'either';

/** One scan read from the reports; `error` set means the scan is unusable and says why. */
export interface DecodedScan {
  text: string;
  error?: string;
}

export interface KeyboardDecoderOptions {
  /** Which key ends a scan. The other one also ends it, as an error (see push()). Default 'either'. */
  endKey?: EndKey;
  /** 'auto' (default): 8 bytes plain, 9 bytes with a leading report ID. A number: that ID only. */
  reportId?: 'auto' | number;
  /** A scan longer than this without an end key is unusable (a stuck or misconfigured scanner). */
  maxLength?: number;
}

const BOOT_LENGTH = 8;
const NOT_TEXT_MODIFIERS =
  MOD.leftCtrl | MOD.rightCtrl | MOD.leftAlt | MOD.rightAlt | MOD.leftGui | MOD.rightGui;

/** Stateful decoder: push each input report in order, get back the scans that ended in it. */
export class KeyboardReportDecoder {
  private readonly endKey: EndKey;
  private readonly reportId: 'auto' | number;
  private readonly maxLength: number;
  private held = new Set<number>();
  private capsLock = false;
  private text = '';
  private error: string | undefined;

  constructor(options: KeyboardDecoderOptions = {}) {
    this.endKey = options.endKey ?? 'either';
    this.reportId = options.reportId ?? 'auto';
    this.maxLength = options.maxLength ?? 1024;
  }

  /**
   * Reads one report. A key counts once, in the report where it first appears; a key still held in the
   * next report doesn't repeat. An end key that isn't the configured one still ends the scan, but as an
   * error: a scanner set up for the other suffix would otherwise run all its scans together unseen.
   */
  push(report: Buffer): DecodedScan[] {
    const boot = this.bootReport(report);
    if (boot === undefined) return [];
    const keys = boot.subarray(2, BOOT_LENGTH);
    if (keys.every((k) => k === ROLLOVER)) return []; // a phantom state: no key went down or up
    const modifiers = boot[0] ?? 0;
    const now = new Set<number>();
    const pressed: number[] = [];
    for (const key of keys) {
      if (key === 0 || now.has(key)) continue;
      now.add(key);
      if (!this.held.has(key)) pressed.push(key);
    }
    this.held = now;
    const scans: DecodedScan[] = [];
    for (const key of pressed) {
      const scan = this.press(key, modifiers);
      if (scan !== undefined) scans.push(scan);
    }
    return scans;
  }

  /** The text of the scan in progress (no end key yet). */
  get pending(): string {
    return this.text;
  }

  /** Forgets keys held, Caps Lock and any partial scan (after the device was reopened). */
  reset(): void {
    this.held.clear();
    this.capsLock = false;
    this.text = '';
    this.error = undefined;
  }

  /** The 8-byte boot report inside `report`, or undefined to skip it (another report ID). */
  private bootReport(report: Buffer): Buffer | undefined {
    if (report.length === BOOT_LENGTH + 1) {
      if (typeof this.reportId === 'number' && report[0] !== this.reportId) return undefined;
      return report.subarray(1);
    }
    if (report.length === BOOT_LENGTH && this.reportId === 'auto') return report;
    const expected =
      this.reportId === 'auto'
        ? '8 bytes (9 with a report ID)'
        : `9 bytes starting with report ID ${hexByte(this.reportId)}`;
    this.fail(`unreadable scan: the scanner sent a ${report.length}-byte report, expected ${expected}`);
    return undefined;
  }

  private press(key: number, modifiers: number): DecodedScan | undefined {
    if (key === ENTER || key === KEYPAD_ENTER || key === TAB) {
      const kind = key === TAB ? 'tab' : 'enter';
      if (this.endKey !== 'either' && this.endKey !== kind) {
        this.fail(
          `unreadable scan: the scanner ended the scan with ${keyName(kind)}, but this scanner is set to end scans with ${keyName(this.endKey)} (endKey)`,
        );
      }
      return this.finish();
    }
    if (key === CAPS_LOCK) {
      this.capsLock = !this.capsLock;
      return undefined;
    }
    if (key === NUM_LOCK || (key >= 0xe0 && key <= 0xe7)) return undefined; // modifiers also listed as keys
    if ((modifiers & NOT_TEXT_MODIFIERS) !== 0) {
      this.fail(
        `unreadable scan: the scanner sent ${modifierNames(modifiers)} with key code ${hexByte(key)}, which offcirc doesn't know`,
      );
      return undefined;
    }
    const char = charForUsage(key, (modifiers & SHIFT) !== 0, this.capsLock);
    if (char === undefined) {
      this.fail(`unreadable scan: the scanner sent key code ${hexByte(key)} that offcirc doesn't know`);
      return undefined;
    }
    if (this.text.length >= this.maxLength) {
      this.fail(`unreadable scan: more than ${this.maxLength} characters without an end key`);
      return undefined;
    }
    this.text += char;
    return undefined;
  }

  /** Keeps the first problem: it is the one that explains the rest. */
  private fail(message: string): void {
    this.error ??= message;
  }

  /** Ends the scan; a bare end key with nothing before it is not a scan. */
  private finish(): DecodedScan | undefined {
    const scan: DecodedScan | undefined =
      this.error !== undefined
        ? { text: this.text, error: this.error }
        : this.text !== ''
          ? { text: this.text }
          : undefined;
    this.text = '';
    this.error = undefined;
    return scan;
  }
}

function keyName(key: 'enter' | 'tab'): string {
  return key === 'enter' ? 'Enter' : 'Tab';
}

function modifierNames(modifiers: number): string {
  const names: string[] = [];
  if (modifiers & (MOD.leftCtrl | MOD.rightCtrl)) names.push('Ctrl');
  if (modifiers & (MOD.leftAlt | MOD.rightAlt)) names.push('Alt');
  if (modifiers & (MOD.leftGui | MOD.rightGui)) names.push('GUI');
  if (modifiers & SHIFT) names.push('Shift');
  return names.join('+');
}

export interface KeyboardEncodeOptions {
  /** Hold the right Shift instead of the left one for shifted characters. */
  rightShift?: boolean;
  /** The key sent after the text; default 'enter'. */
  end?: 'enter' | 'keypad-enter' | 'tab' | 'none';
  /** Prefix every report with this report ID (9-byte reports). */
  reportId?: number;
}

/**
 * The reports a US-layout keyboard-mode scanner sends for `text`: a press and a release per character.
 * Throws RangeError for a character the US layout has no key for.
 */
export function encodeKeyboardReports(text: string, options: KeyboardEncodeOptions = {}): Buffer[] {
  const shiftBit = options.rightShift ? MOD.rightShift : MOD.leftShift;
  const strokes: [number, number][] = [];
  for (const char of text) {
    const stroke = strokeForChar(char);
    if (stroke === undefined)
      throw new RangeError(`encodeKeyboardReports: ${JSON.stringify(char)} has no key on the US layout`);
    strokes.push([stroke.shift ? shiftBit : 0, stroke.usage]);
  }
  const end = options.end ?? 'enter';
  if (end !== 'none') strokes.push([0, end === 'tab' ? TAB : end === 'keypad-enter' ? KEYPAD_ENTER : ENTER]);
  const reports: Buffer[] = [];
  const report = (modifiers: number, usage: number): Buffer => {
    const boot = Buffer.from([modifiers, 0, usage, 0, 0, 0, 0, 0]);
    return options.reportId === undefined ? boot : Buffer.concat([Buffer.from([options.reportId]), boot]);
  };
  for (const [modifiers, usage] of strokes) reports.push(report(modifiers, usage), report(0, 0));
  return reports;
}
