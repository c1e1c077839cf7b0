/**
 * Checks OffCirc.dat lines one at a time, at the byte level (pure: no I/O). A LineChecker holds flat state
 * per file; the duplicate check shares one SeenTransactions across all files given (see its cost).
 * Two kinds of finding: a **problem** is something Alma would reject or misapply (verify exits 1, merge
 * and export refuse); a **note** is one of offcirc's own conventions not met that Alma accepts (an
 * unpadded return, a complete last line without a line ending): reported, never refused.
 * Each line comes with its record from the byte pass (line-scan.ts, WebAssembly): a CLEAN line passed
 * every byte-level check there, so only the checks that need more than its bytes run here (its time
 * against the day's and now, its ending against the first, duplicates); every other line gets all the
 * checks below, which say what is wrong. The transaction's hash for duplicates is the record's.
 *
 * Why one file over 300 lines: LineChecker's checks share one pass's per-file state over the bytes; the
 * duplicate window (transaction-set.ts) and the reading (parse.ts) are apart.
 */
import type { SeenTransactions } from './transaction-set.js';
import { formatTimestamp } from './line.js';
import { ACTION_AT, ITEM_AT, MAX_KEPT_LINE, PATRON_AT, TIME_WIDTH } from './parse.js';
import type { SeenEnding } from './parse.js';
import {
  AT_DATE,
  AT_END,
  AT_FLAGS,
  AT_HASH_A,
  AT_HASH_B,
  AT_MINUTE,
  AT_START,
  CLEAN,
  ENDINGS,
  ENDING_MASK,
  LOAN,
  LineScanner,
  RECORD_INTS,
  type ScannedRun,
} from './line-scan.js';

/** Every kind of problem verify reports; stable strings for `--json` readers. */
export const PROBLEM_CODES = [
  'binary',
  'length',
  'byte',
  'line-ending',
  'last-line',
  'date',
  'future',
  'action',
  'padding',
  'return-text',
  'no-patron',
  'patron',
  'duplicate',
  'koha-item',
  'koha-patron',
  'koha-order',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** Every kind of note (harmless to Alma); stable strings for `--json` readers. */
export const NOTE_CODES = ['unpadded', 'last-line'] as const;
export type NoteCode = (typeof NOTE_CODES)[number];

/** One thing wrong, at a 1-based line of a file. */
export interface Problem {
  file: string;
  line: number;
  code: ProblemCode;
  message: string;
}

/** One convention not met that Alma accepts, at a 1-based line of a file. */
export interface Note {
  file: string;
  line: number;
  code: NoteCode;
  message: string;
}

/** Counts of one file (or all files) as verify saw them. */
export interface LineCounts {
  lines: number;
  loans: number;
  returns: number;
}

/**
 * How far ahead of now a line's time may be before it counts as "in the future": station clocks drift and
 * the file may be checked on another machine, so a few minutes of skew is normal; more is a wrong clock.
 */
export const FUTURE_TOLERANCE_MINUTES = 10;

/** Years before this are reported: a kiosk that lost its clock (no RTC battery) writes 1970 or 2000. */
export const EARLIEST_YEAR = 2000;

const SPACE = 0x20;
const CR = 0x0d;
const DIGIT_0 = 0x30;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Names a byte the way a technician can find it in a hex editor. */
export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const names: Record<number, string> = {
    0x00: 'NUL',
    0x09: 'tab',
    0x1b: 'ESC',
    0x7f: 'DEL',
    0x0c: 'form feed',
  };
  if (byte > 0x7f) return `byte ${hex} (not ASCII)`;
  const name = names[byte];
  return `control byte ${hex}${name ? ` (${name})` : ''}`;
}

/** Shows bytes [from, to) of `buf` as printable text for a message (at most 20 of them). */
function excerpt(buf: Uint8Array, from: number, to: number): string {
  let text = '';
  const end = Math.min(to, from + 20);
  for (let i = from; i < end; i++) {
    const b = buf[i] ?? 0;
    text += b >= SPACE && b < 0x7f ? String.fromCharCode(b) : '?';
  }
  return JSON.stringify(to > end ? `${text}…` : text);
}

/*
 * Word-at-a-time scans (SWAR) for the checks of a line that is not CLEAN: a DataView reads 4 bytes at any
 * offset in one step (TurboFan compiles it to one load), and each test asks whether ANY byte of the word
 * matches, so a scan takes a quarter of the steps of a byte loop (and a range of 4 bytes or more ends
 * with a word that overlaps the one before, instead of a byte loop). A finding is then located and said
 * by the byte loops of the checks.
 */
const ONES = 0x01010101;
const HIGHS = 0x80808080;
const SPACES = 0x20202020;

/** Whether the bytes [from, to) of `view` are all printable ASCII (0x20–0x7E). */
function allPrintable(view: DataView, from: number, to: number): boolean {
  if (to - from < 4) {
    for (let i = from; i < to; i++) {
      const b = view.getUint8(i);
      if (b < SPACE || b > 0x7e) return false;
    }
    return true;
  }
  for (let i = from; ; i += 4) {
    if (i > to - 4) i = to - 4;
    const x = view.getInt32(i, true);
    // A byte under 0x20: (x - 0x20…) & ~x has its high bit; a byte over 0x7E: (x + 0x01…) | x does.
    if ((((x - SPACES) & ~x) | (x + ONES) | x) & HIGHS) return false;
    if (i === to - 4) return true;
  }
}

/** Whether the bytes [from, to) of `view` are all spaces. */
function allSpaces(view: DataView, from: number, to: number): boolean {
  if (to - from < 4) {
    for (let i = from; i < to; i++) if (view.getUint8(i) !== SPACE) return false;
    return true;
  }
  for (let i = from; ; i += 4) {
    if (i > to - 4) i = to - 4;
    if (view.getInt32(i, true) !== SPACES) return false;
    if (i === to - 4) return true;
  }
}

/** Where the first space of the bytes [from, to) of `view` is, or `to`. */
function firstSpace(view: DataView, from: number, to: number): number {
  let i = from;
  for (; i <= to - 4; i += 4) {
    // A space becomes a zero byte; the lowest zero byte sets the lowest high bit of (y - 0x01…) & ~y.
    const y = view.getInt32(i, true) ^ SPACES;
    const zero = (y - ONES) & ~y & HIGHS;
    if (zero !== 0) return i + ((31 - Math.clz32(zero & -zero)) >> 3);
  }
  for (; i < to; i++) if (view.getUint8(i) === SPACE) return i;
  return to;
}

/** The byte pass of the lines handed to check() one at a time (made on first use, shared). */
let scratch: LineScanner | undefined;

const NO_MEMORY = new ArrayBuffer(0);

export interface LineCheckerOptions {
  /** The file's name as the user gave it, for messages. */
  file: string;
  /** This file's index in `files` (for duplicates across files). */
  fileIndex?: number;
  /** All files of this run, so a duplicate can name the other file. */
  files?: readonly string[];
  /** Shared across the files of one run so a file given twice is caught. */
  seen?: SeenTransactions;
  /** The time "now" for the future check. */
  now: Date;
  toleranceMinutes?: number;
  report(problem: Problem): void;
  /** Receives the notes; without it they are dropped. */
  note?(note: Note): void;
  /**
   * Receives the duplicates at once, apart from the line's other findings (which are then what they are
   * without the duplicate check); without it a duplicate goes to report() with the line's other problems.
   */
  duplicate?(problem: Problem): void;
}

/**
 * Checks the lines of one file in order. Feed each line with check() (as LineSplitter hands them over);
 * O(line length) per line and flat memory, except the shared SeenTransactions.
 */
export class LineChecker {
  readonly counts: LineCounts = { lines: 0, loans: 0, returns: 0 };
  /** The ending of the first terminated line: the one every other line must match. */
  firstEnding: 'crlf' | 'lf' | undefined;
  private firstEndingLine = 0;
  private readonly limit: number;
  /** The last YYYYMMDD seen and its start in minutes since 1970 (checkTime's cache). */
  private lastDate = -1;
  private lastDayMinutes = 0;
  private readonly limitText: string;
  private readonly nowText: string;
  private readonly file: string;
  private readonly fileIndex: number;

  constructor(private readonly options: LineCheckerOptions) {
    this.file = options.file;
    this.fileIndex = options.fileIndex ?? 0;
    const tolerance = options.toleranceMinutes ?? FUTURE_TOLERANCE_MINUTES;
    this.limitText = formatTimestamp(options.now.getTime() + tolerance * 60_000);
    this.limit = Number(this.limitText);
    this.nowText = formatTimestamp(options.now.getTime());
  }

  /** Number of lines checked so far. */
  get line(): number {
    return this.counts.lines;
  }

  /** Reports a problem that is not about one line's content (e.g. a binary file) at `line` (0 = file). */
  reportFile(code: ProblemCode, message: string, line = 0): void {
    this.options.report({ file: this.file, line, code, message });
  }

  /**
   * Findings of the line being checked, held until its end so that a last line without a line ending can
   * be judged (complete or cut short) first and still be listed first. Empty for a good line: no cost.
   */
  private held: Problem[] = [];
  /** The buffer of the line last checked, where it starts in its memory, and views of all of that. */
  private lastBuffer: Uint8Array | undefined;
  private offset = 0;
  private memory: ArrayBufferLike | undefined;
  private bytes = new Uint8Array(NO_MEMORY) as Uint8Array<ArrayBufferLike>;
  private view = new DataView(NO_MEMORY) as DataView<ArrayBufferLike>;

  private problem(code: ProblemCode, message: string): void {
    this.held.push({ file: this.file, line: this.counts.lines, code, message });
  }

  private noteLine(code: NoteCode, message: string): void {
    this.options.note?.({ file: this.file, line: this.counts.lines, code, message });
  }

  /** Checks the next line: `content` without its ending (maybe cut, see LineVisitor), its real length. */
  check(content: Uint8Array, length: number, ending: SeenEnding): void {
    // The byte pass of a line handed over alone: through a scanner of the checkers' own (line-scan.ts).
    const kept = content.length;
    if (scratch === undefined || scratch.input.length < kept)
      scratch = new LineScanner(Math.max(kept, MAX_KEPT_LINE));
    scratch.input.set(content);
    scratch.line(kept, ending);
    const ints = scratch.ints;
    // A line cut short (kept < length) was judged on its first bytes only: never clean.
    const flags = kept === length ? ints[2]! : ints[2]! & ~CLEAN;
    this.checkScanned(
      content,
      0,
      kept,
      length,
      ending,
      flags,
      ints[3]!,
      ints[4]!,
      scratch.stamps[0]!,
      ints[5]!,
      ints[6]!,
    );
  }

  /** checkScanned() for each line of `run`, in order (their kept bytes are all there is of them). */
  checkRun(run: ScannedRun): void {
    const { input, ints, stamps, to } = run;
    for (let r = run.from; r < to; r++) {
      const at = r * RECORD_INTS;
      const start = ints[at + AT_START]!;
      const length = ints[at + AT_END]! - start;
      const flags = ints[at + AT_FLAGS]!;
      this.checkScanned(
        input,
        start,
        length,
        length,
        ENDINGS[flags & ENDING_MASK]!,
        flags,
        ints[at + AT_HASH_A]!,
        ints[at + AT_HASH_B]!,
        stamps[r]!,
        ints[at + AT_DATE]!,
        ints[at + AT_MINUTE]!,
      );
    }
  }

  /**
   * check() for a line the byte pass (LineScanner) has recorded: its kept bytes are line[start, start +
   * kept), `length` its real length, and `flags` … `dayMinute` its record. A CLEAN line
   * gets only the checks that depend on more than its bytes; any other line every check, with messages.
   */
  checkScanned(
    line: Uint8Array,
    start: number,
    kept: number,
    length: number,
    ending: SeenEnding,
    flags: number,
    hashA: number,
    hashB: number,
    stamp: number,
    date: number,
    dayMinute: number,
  ): void {
    if ((flags & CLEAN) === 0) {
      this.checkAt(line, start, kept, length, ending, hashA, hashB, stamp);
      return;
    }
    const counts = this.counts;
    counts.lines++;
    this.checkEnding(ending as 'crlf' | 'lf');
    // The time check of the lines of one day (timeOf's first step), from the record's date and minute.
    const minute =
      date === this.lastDate && dayMinute >= 0 && stamp <= this.limit
        ? this.lastDayMinutes + dayMinute
        : this.timeOf(stamp);
    if ((flags & LOAN) !== 0) counts.loans++;
    else counts.returns++;
    this.checkDuplicate(hashA, hashB, minute);
    if (this.held.length > 0) this.flushHeld();
  }

  private flushHeld(): void {
    for (const problem of this.held) this.options.report(problem);
    this.held = [];
  }

  /** Every check of the line whose kept bytes are line[start, start + kept), with its record's hashes. */
  private checkAt(
    line: Uint8Array,
    start: number,
    kept: number,
    length: number,
    ending: SeenEnding,
    hashA: number,
    hashB: number,
    stamp: number,
  ): void {
    // The checks read the whole memory under `line` through views made once per buffer, not per line
    // (asking a Buffer for its .buffer and .byteOffset costs more than most checks).
    if (line !== this.lastBuffer) {
      this.lastBuffer = line;
      this.offset = line.byteOffset;
      const memory = line.buffer;
      if (memory !== this.memory) {
        this.memory = memory;
        this.bytes = new Uint8Array(memory);
        this.view = new DataView(memory);
      }
    }
    const buf = this.bytes;
    const s = this.offset + start;
    this.counts.lines++;
    const unpadded = this.checkLine(buf, s, kept, length, ending, hashA, hashB, stamp);
    const held = this.held;
    if (ending === 'none') {
      // A line without ending is whole only when nothing else is wrong with it and its length says so:
      // a return padded to exactly 93, a loan with a patron. An unpadded return can't be told from one
      // cut in its barcode, nor a loan cut inside its patron ID from a shorter patron ID.
      const action = kept > ACTION_AT ? buf[s + ACTION_AT] : -1;
      const whole =
        held.length === 0 &&
        ((action === 0x52 && length === PATRON_AT) || (action === 0x4c && length > PATRON_AT));
      if (whole) {
        this.noteLine(
          'last-line',
          'last line has no line ending; it is complete, so it counts (Alma accepts it)',
        );
      } else {
        held.unshift({
          file: this.file,
          line: this.counts.lines,
          code: 'last-line',
          message: 'last line has no line ending (was the file cut short?)',
        });
      }
    } else if (unpadded !== undefined && held.length === 0) {
      this.noteLine(
        'unpadded',
        `return line is ${unpadded} characters, not padded with spaces to ${PATRON_AT} (Alma accepts this; merge writes it padded)`,
      );
    }
    if (held.length > 0) this.flushHeld();
  }

  /**
   * The checks of one line (its kept bytes: buf[s, s + kept)); returns the line's length when it is a
   * return not padded to 93. One pass over the bytes for a good line; messages are built only for a bad
   * one.
   */
  private checkLine(
    buf: Uint8Array,
    s: number,
    kept: number,
    length: number,
    ending: SeenEnding,
    hashA: number,
    hashB: number,
    stamp: number,
  ): number | undefined {
    const counts = this.counts;

    if (ending !== 'none') this.checkEnding(ending);
    const bytesOk = this.checkBytes(buf, s, kept);

    if (length === 0) {
      this.problem('length', 'empty line');
      return undefined;
    }
    // A return needs nothing after its barcode: without padding (as other tools write it) it is whole.
    const unpaddedReturn =
      length < PATRON_AT && length > ITEM_AT && kept > ACTION_AT && buf[s + ACTION_AT] === 0x52;
    if (length > MAX_KEPT_LINE) {
      this.problem(
        'length',
        `line is ${length} bytes, far longer than an OffCirc.dat line (93 characters + patron ID); only its first ${MAX_KEPT_LINE} were checked`,
      );
    } else if (length < PATRON_AT && !unpaddedReturn) {
      this.problem(
        'length',
        `line is ${length} characters, expected at least ${PATRON_AT} (12 time + 1 action + 80 item, padded with spaces)`,
      );
    }

    const minute = this.checkTime(buf, s, kept, stamp);

    if (kept <= ACTION_AT) return undefined;
    const action = buf[s + ACTION_AT] ?? 0;
    if (action === 0x4c) counts.loans++;
    else if (action === 0x52) counts.returns++;
    else {
      const shown =
        action >= SPACE && action < 0x7f ? JSON.stringify(String.fromCharCode(action)) : describeByte(action);
      this.problem('action', `action ${shown} at column ${ACTION_AT + 1}, expected L (loan) or R (return)`);
      return undefined;
    }

    const itemEnd = this.checkItem(buf, s, kept);
    if (action === 0x4c) this.checkPatron(buf, s, kept, length);
    else if (length > PATRON_AT) {
      this.problem(
        'return-text',
        `return has text after column ${PATRON_AT}: ${excerpt(buf, s + PATRON_AT, s + kept)} (a return line ends with the item field)`,
      );
    }
    if (itemEnd > ITEM_AT && bytesOk && length === kept) this.checkDuplicate(hashA, hashB, minute);
    return unpaddedReturn ? length : undefined;
  }

  /** Call at the end of the file: the counts of this file. */
  finish(): LineCounts {
    return { ...this.counts };
  }

  private checkEnding(ending: 'crlf' | 'lf'): void {
    if (this.firstEnding === undefined) {
      this.firstEnding = ending;
      this.firstEndingLine = this.counts.lines;
    } else if (ending !== this.firstEnding) {
      this.problem(
        'line-ending',
        `line ends in ${ending.toUpperCase()} but line ${this.firstEndingLine} ends in ${this.firstEnding.toUpperCase()}: mixed line endings`,
      );
    }
  }

  /** Reports the first byte outside printable ASCII (a bare CR apart); true when there is none. */
  private checkBytes(buf: Uint8Array, s: number, kept: number): boolean {
    const end = s + kept;
    if (allPrintable(this.view, s, end)) return true;
    let i = s;
    let first = -1;
    let firstCr = -1;
    let others = 0;
    for (; i < end; i++) {
      const b = buf[i] ?? 0;
      if (b >= SPACE && b < 0x7f) continue;
      if (b === CR) {
        if (firstCr === -1) firstCr = i - s;
        continue;
      }
      if (first === -1) first = i - s;
      else others++;
    }
    if (firstCr !== -1) {
      this.problem('line-ending', `bare CR (0x0D) at column ${firstCr + 1}: a CR that does not end the line`);
    }
    if (first === 0 && kept >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) {
      this.problem(
        'byte',
        'UTF-8 byte-order mark (EF BB BF) at column 1: save the file as plain ASCII, without BOM',
      );
    } else if (first !== -1) {
      const more = others > 0 ? ` (and ${others} more on this line)` : '';
      this.problem('byte', `${describeByte(buf[s + first] ?? 0)} at column ${first + 1}${more}`);
    }
    return first === -1 && firstCr === -1;
  }

  /**
   * Checks the time (whose value as a number is `stamp`, see LineScanner); returns it in minutes since
   * 1970 (as UTC: for distances) when it is good, else -1.
   */
  private checkTime(buf: Uint8Array, s: number, kept: number, stamp: number): number {
    if (kept < TIME_WIDTH) {
      this.problem('date', `no complete time: expected 12 digits YYYYMMDDHHMM at the start of the line`);
      return -1;
    }
    for (let i = 0; i < TIME_WIDTH; i++) {
      const d = (buf[s + i] ?? 0) - DIGIT_0;
      if (d < 0 || d > 9) {
        this.problem(
          'date',
          `time ${excerpt(buf, s, s + TIME_WIDTH)} is not 12 digits YYYYMMDDHHMM (column ${i + 1} is not a digit)`,
        );
        return -1;
      }
    }
    return this.timeOf(stamp);
  }

  /** The checks of a time of 12 digits whose value is `stamp`: minutes since 1970 (UTC), or -1. */
  private timeOf(stamp: number): number {
    // Lines of one day share the date's checks and its Date.UTC (the costliest step here).
    const date = Math.floor(stamp / 1e4);
    const hourMinute = stamp - date * 1e4;
    const hour = (hourMinute / 100) | 0;
    const minute = hourMinute % 100;
    if (date === this.lastDate && hour <= 23 && minute <= 59 && stamp <= this.limit) {
      return this.lastDayMinutes + hour * 60 + minute;
    }
    const year = Math.floor(date / 1e4);
    const monthDay = date - year * 1e4;
    const month = (monthDay / 100) | 0;
    const day = monthDay % 100;
    if (month < 1 || month > 12) {
      this.problem('date', `impossible date: month ${month}`);
      return -1;
    }
    if (day < 1 || day > daysInMonth(year, month)) {
      this.problem('date', `impossible date: ${MONTHS[month - 1]} ${day}, ${year}`);
      return -1;
    }
    if (hour > 23) {
      this.problem('date', `impossible time: hour ${hour}`);
      return -1;
    }
    if (minute > 59) {
      this.problem('date', `impossible time: minute ${minute}`);
      return -1;
    }
    if (year < EARLIEST_YEAR) {
      this.problem('date', `year ${year} is before ${EARLIEST_YEAR}: was the station's clock set?`);
      return -1;
    }
    if (stamp > this.limit) {
      const tolerance = this.options.toleranceMinutes ?? FUTURE_TOLERANCE_MINUTES;
      this.problem(
        'future',
        `time ${showStamp(String(stamp))} is in the future (more than ${tolerance} minutes after now, ${showStamp(this.nowText)}): check the station's clock`,
      );
      return -1;
    }
    if (date !== this.lastDate) {
      this.lastDate = date;
      this.lastDayMinutes = Date.UTC(year, month - 1, day) / 60_000;
    }
    return this.lastDayMinutes + hour * 60 + minute;
  }

  /** Checks the item field; returns the end (exclusive, from the line's start) of the barcode. */
  private checkItem(buf: Uint8Array, s: number, kept: number): number {
    const end = Math.min(kept, PATRON_AT);
    if (end <= ITEM_AT || buf[s + ITEM_AT] === SPACE) {
      let blank = true;
      for (let i = ITEM_AT; i < end; i++) if (buf[s + i] !== SPACE) blank = false;
      this.problem(
        'padding',
        blank
          ? `no item barcode (columns ${ITEM_AT + 1}–${PATRON_AT} are blank)`
          : `item barcode does not start at column ${ITEM_AT + 1}: the item field starts with a space`,
      );
      return ITEM_AT;
    }
    const last = s + end;
    const barcodeEnd = firstSpace(this.view, s + ITEM_AT, last);
    if (allSpaces(this.view, barcodeEnd, last)) return barcodeEnd - s;
    for (let i = barcodeEnd; i < last; i++) {
      if (buf[i] !== SPACE) {
        this.problem(
          'padding',
          `text after the item's padding at column ${i - s + 1}: the item field is one barcode padded with spaces to column ${PATRON_AT}`,
        );
        break;
      }
    }
    return barcodeEnd - s;
  }

  private checkPatron(buf: Uint8Array, s: number, kept: number, length: number): void {
    if (length <= PATRON_AT) {
      if (length === PATRON_AT)
        this.problem('no-patron', `loan without a patron ID after column ${PATRON_AT}`);
      return;
    }
    const end = s + kept;
    const space = firstSpace(this.view, s + PATRON_AT, end);
    if (space === end) return;
    const column = space - s + 1;
    this.problem(
      'patron',
      column === PATRON_AT + 1
        ? `patron ID starts with a space at column ${column} (is the item field wider than 80?)`
        : `patron ID has a space at column ${column}`,
    );
  }

  /**
   * Looks for the same transaction (and minute) before: `hashA` and `hashB` are the record's hashes of
   * its action, item (padding aside) and patron (line-scan.wat), each field's length mixed in.
   */
  private checkDuplicate(hashA: number, hashB: number, minute: number): void {
    const seen = this.options.seen;
    if (!seen) return;
    if (seen.add(hashA, hashB, this.fileIndex, this.counts.lines, minute)) return;
    const where =
      seen.firstFile === this.fileIndex
        ? `line ${seen.firstLine}`
        : `${this.options.files?.[seen.firstFile] ?? `file ${seen.firstFile + 1}`}:${seen.firstLine} (the same file given twice?)`;
    const message = `same transaction as ${where}: same time, action, item and patron`;
    if (this.options.duplicate) {
      this.options.duplicate({ file: this.file, line: this.counts.lines, code: 'duplicate', message });
    } else {
      this.problem('duplicate', message);
    }
  }
}

/** `YYYYMMDDHHMM` → `YYYY-MM-DD HH:MM` for messages. */
export function showStamp(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)} ${stamp.slice(8, 10)}:${stamp.slice(10, 12)}`;
}

/** Keeps the first `perKind` findings of each code and counts the rest: flat memory, a short answer. */
export class ProblemLog<F extends { code: string } = Problem> {
  readonly shown: F[] = [];
  readonly totals = new Map<F['code'], number>();
  total = 0;

  constructor(readonly perKind = 20) {}

  add(problem: F): void {
    this.total++;
    const count = (this.totals.get(problem.code) ?? 0) + 1;
    this.totals.set(problem.code, count);
    if (count <= this.perKind) this.shown.push(problem);
  }

  /** Counts `n` more findings of `code` without keeping them (they come after the ones shown). */
  count(code: F['code'], n: number): void {
    if (n <= 0) return;
    this.total += n;
    this.totals.set(code, (this.totals.get(code) ?? 0) + n);
  }

  /**
   * Adds the findings of `other` (kept with the same perKind) as if they were added here one by one,
   * after the ones here: its shown findings in order, then the count of those it left out. O(shown).
   */
  append(other: ProblemLog<F>): void {
    for (const finding of other.shown) this.add(finding);
    for (const [code, count] of other.totals) this.count(code, count - Math.min(count, other.perKind));
  }

  /** Codes with problems not shown, and how many of each. */
  omitted(): { code: F['code']; count: number }[] {
    const out: { code: F['code']; count: number }[] = [];
    for (const [code, count] of this.totals) {
      if (count > this.perKind) out.push({ code, count: count - this.perKind });
    }
    return out;
  }
}
