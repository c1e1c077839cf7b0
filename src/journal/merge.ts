/**
 * The merge of several OffCirc.dat files into one, streamed: a stable k-way merge that keeps each input's
 * own order exactly (a line never passes an earlier line of its own file, whatever their times) and
 * interleaves the inputs by time between them, equal times taking the inputs in the order given.
 * Cost: O(n log k) for n lines of k inputs; memory is one read buffer per input (chunkFor, in its byte
 * pass's memory beside the records; more only for a line longer than the buffer; two when reading
 * ahead, see LineCursor), whatever the number of lines.
 */
import { readSync, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { LINE_ENDINGS, type LineEnding } from './line.js';
import {
  AT_DATE,
  AT_END,
  AT_FLAGS,
  AT_HASH_A,
  AT_HASH_B,
  AT_MINUTE,
  AT_START,
  ENDINGS,
  ENDING_MASK,
  LineScanner,
  RECORD_INTS,
  SLACK,
  type ScannedRun,
} from './line-scan.js';
import {
  ACTION_AT,
  PATRON_AT,
  UnreadableFileError,
  describeFsError,
  openRegularFile,
  type SeenEnding,
} from './parse.js';

const R = 0x52;

/** Bytes read at a time from each input of a merge. */
export const CURSOR_CHUNK = 64 * 1024;

/**
 * Bytes read at a time from each of `inputs` files walked together: 2 MiB for a few (few reads: a read
 * ahead costs a turn of the event loop, about 50 µs here, and 1 MiB reads made verify 6% slower), less
 * for many, so that all of them hold about 8 MiB (16 when reading ahead), never under CURSOR_CHUNK each.
 */
export function chunkFor(inputs: number): number {
  return Math.max(CURSOR_CHUNK, Math.min(2 << 20, Math.floor((8 << 20) / Math.max(1, inputs))));
}

/** A line longer than a cursor was told to hold (see LineCursor's `maxLine`). */
export class LineTooLongError extends Error {
  constructor(readonly file: string) {
    super(`${file}: a line is longer than the reader holds`);
    this.name = 'LineTooLongError';
  }
}

/**
 * Walks the lines of one open file, in order, through a reusable buffer. The current line is
 * `buffer[lineStart, lineEnd)` (without its ending; `bytes()` makes a view of it), `stamp` its time, and
 * `flags`, `hashA`, `hashB` its record from the byte pass (line-scan.ts), which runs over the buffer
 * 4096 lines at a time; they are valid until the next call of next().
 *
 * With a `maxLine`, the cursor reads ahead: the buffer holds two regions of `chunk` bytes, each after a
 * margin that holds any unfinished line (at most maxLine and a CR; at least the byte pass's SLACK, so
 * its loads past the first region never reach the second while a read fills it). While the lines of
 * one region are used, the next chunk is read into the other through the thread pool, so reading
 * overlaps the checks on a second core; when a region is used up, its unfinished line is copied into
 * the margin before the other and the walk goes on there. Memory: twice the chunk. Without a
 * `maxLine` a line may be any length, so the cursor reads in turn into one buffer that doubles for a
 * longer line (see fill()).
 */
export class LineCursor {
  /** The byte pass, whose memory holds the buffer. */
  private readonly scanner: LineScanner;
  private buf: Buffer;
  /** The first byte not yet recorded by the byte pass, and the end of the bytes read. */
  private start = 0;
  private end = 0;
  private eof = false;
  private begin = 0;
  private finish = 0;
  /** The records of the last scan, and the next one to use. */
  private record = 0;
  private records = 0;
  /** The current line's YYYYMMDDHHMM as a number (see stampValue). */
  stamp = 0;
  /** How the current line ended. */
  ending: SeenEnding = 'none';
  /** The current line's flags (CLEAN, LOAN, its ending) and transaction hashes (line-scan.ts). */
  flags = 0;
  hashA = 0;
  hashB = 0;
  /** A CLEAN line's date (YYYYMMDD) and minute of the day (see RECORD_INTS). */
  date = -1;
  dayMinute = -1;
  /** Lines read so far. */
  lines = 0;
  private reads = 0;
  private firstRead = 0;
  private firstAt = 0;
  /** Reading ahead (with a maxLine): each region's size, the margin before it, the region in use. */
  private readonly region: number;
  private readonly margin: number;
  private using = 1;
  /** The read into the other region: its bytes, or what went wrong; the file offset it reads at. */
  private ahead: Promise<number | UnreadableFileError> | undefined;
  private position = 0;

  /** A DataView of `buffer` (made once per buffer: writers copy lines through it 4 bytes a step). */
  view: DataView<ArrayBufferLike>;

  constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    /** The input's position in the order given: the tie-break for equal times. */
    readonly index: number,
    chunk = CURSOR_CHUNK,
    /**
     * Without it the buffer doubles for a line longer than the chunk; with it, a line longer than this
     * throws LineTooLongError instead (memory stays two chunks, whatever the file holds).
     */
    private readonly maxLine = Infinity,
  ) {
    this.region = chunk;
    this.margin = Number.isFinite(maxLine) ? Math.max(maxLine + 1, SLACK) : 0;
    this.scanner = new LineScanner(this.margin > 0 ? 2 * (this.margin + this.region) : chunk);
    this.buf = this.scanner.input;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** The buffer holding the current line (it may change at the next read). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Where the current line starts in `buffer`. */
  get lineStart(): number {
    return this.begin;
  }

  /** Where the current line ends in `buffer` (exclusive, before its line ending). */
  get lineEnd(): number {
    return this.finish;
  }

  /** The current line's bytes, without its line ending. */
  bytes(): Uint8Array {
    return this.buf.subarray(this.begin, this.finish);
  }

  /** Moves to the next line when it is already buffered (true); false when a read is needed or at the end. */
  nextBuffered(): boolean {
    if (this.record === this.records) {
      if (this.start >= this.end) return false;
      const n = this.scanner.scan(this.start, this.end, this.eof);
      if (n === 0) return false;
      this.records = n;
      this.record = 0;
      this.start = this.scanner.next;
    }
    const r = this.record++;
    const ints = this.scanner.ints;
    const at = r * RECORD_INTS;
    this.begin = ints[at + AT_START]!;
    this.finish = ints[at + AT_END]!;
    const flags = ints[at + AT_FLAGS]!;
    this.flags = flags;
    this.ending = ENDINGS[flags & ENDING_MASK]!;
    this.hashA = ints[at + AT_HASH_A]!;
    this.hashB = ints[at + AT_HASH_B]!;
    this.date = ints[at + AT_DATE]!;
    this.dayMinute = ints[at + AT_MINUTE]!;
    if (this.finish - this.begin > this.maxLine) throw new LineTooLongError(this.file);
    this.stamp = this.scanner.stamps[r]!;
    this.lines++;
    return true;
  }

  /**
   * Takes at once the lines recorded after the current one in the byte pass's batch (up to, not
   * including, a line longer than maxLine, which nextBuffered() then throws for): they count as read,
   * and the next call of nextBuffered() goes on after the last of them. The current line's fields are
   * left as they were. The records are valid until that call. O(lines).
   */
  takeBuffered(): ScannedRun {
    const from = this.record;
    const ints = this.scanner.ints;
    const max = this.maxLine;
    let to = from;
    for (; to < this.records; to++) {
      const at = to * RECORD_INTS;
      if (ints[at + AT_END]! - ints[at + AT_START]! > max) break;
    }
    this.record = to;
    this.lines += to - from;
    return { input: this.buf, ints, stamps: this.scanner.stamps, from, to };
  }

  /** Moves to the next line, reading as needed; false at the end of the file. */
  async next(): Promise<boolean> {
    for (;;) {
      if (this.nextBuffered()) return true;
      if (this.eof) return false;
      await this.fill();
    }
  }

  /**
   * The bytes of the file's first read (a chunk; all of a shorter file), while they are still in the
   * buffer (until a second read): for telling a binary file before its lines are used.
   */
  head(): Uint8Array | undefined {
    return this.reads === 1 ? this.buf.subarray(this.firstAt, this.firstAt + this.firstRead) : undefined;
  }

  /**
   * Keeps the unread bytes, then reads more after them (the buffer doubles only for an overlong line).
   * Called only when every line recorded has been used. Without reading ahead the read is synchronous,
   * straight into the byte pass's memory: a read through the thread pool that is waited for at once
   * only adds a hand-off.
   */
  private async fill(): Promise<void> {
    if (this.margin > 0) return this.fillAhead();
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      if (this.end > this.maxLine) throw new LineTooLongError(this.file);
      this.scanner.grow(this.buf.length * 2);
      this.buf = this.scanner.input;
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    }
    let bytesRead: number;
    try {
      bytesRead = readSync(this.handle.fd, this.buf, this.end, this.buf.length - this.end, null);
    } catch (error) {
      throw new UnreadableFileError(this.file, describeFsError(error));
    }
    if (bytesRead === 0) this.eof = true;
    if (this.reads++ === 0) this.firstRead = bytesRead;
    this.end += bytesRead;
  }

  /**
   * fill() when reading ahead: waits for the read into the other region (the first time, starts it),
   * moves the unfinished line into the margin before it, and starts the next read into the region just
   * used up (whose lines have all been used: the walk calls beforeRead first).
   */
  private async fillAhead(): Promise<void> {
    const carry = this.end - this.start;
    if (carry > this.maxLine + 1) throw new LineTooLongError(this.file);
    const other = 1 - this.using;
    const ahead = this.ahead ?? this.readInto(other);
    const got = await ahead;
    if (got instanceof UnreadableFileError) throw got;
    this.position += got;
    const at = this.regionAt(other);
    this.buf.copyWithin(at - carry, this.start, this.end);
    this.start = at - carry;
    this.end = at + got;
    this.using = other;
    if (this.reads++ === 0) {
      this.firstRead = got;
      this.firstAt = at;
    }
    if (got === 0) {
      this.eof = true;
      this.ahead = undefined;
    } else {
      this.ahead = this.readInto(1 - other);
    }
  }

  /** Where region 0 or 1 starts in the buffer. */
  private regionAt(region: number): number {
    return this.margin + region * (this.margin + this.region);
  }

  /** Reads the next chunk into `region`; the promise never rejects (a walk may end before it lands). */
  private readInto(region: number): Promise<number | UnreadableFileError> {
    return this.handle.read(this.buf, this.regionAt(region), this.region, this.position).then(
      ({ bytesRead }) => bytesRead,
      (error: unknown) => new UnreadableFileError(this.file, describeFsError(error)),
    );
  }
}

/** A binary min-heap of cursors by (time of the current line, input index): O(log k) a step. */
class CursorHeap {
  private readonly items: LineCursor[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): LineCursor | undefined {
    return this.items[0];
  }

  push(cursor: LineCursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(cursor, items[parent] as LineCursor)) break;
      items[i] = items[parent] as LineCursor;
      i = parent;
    }
    items[i] = cursor;
  }

  /** The top cursor moved to its next line: puts it where its new time belongs. */
  settleTop(): void {
    const items = this.items;
    const n = items.length;
    const moved = items[0];
    if (moved === undefined) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right] as LineCursor, items[left] as LineCursor) ? right : left;
      if (!before(items[child] as LineCursor, moved)) break;
      items[i] = items[child] as LineCursor;
      i = child;
    }
    items[i] = moved;
  }

  /** Drops the top cursor (its input has ended). */
  popTop(): void {
    const last = this.items.pop();
    if (last === undefined || this.items.length === 0) return;
    this.items[0] = last;
    this.settleTop();
  }
}

/** Whether cursor a's line goes before b's: earlier time, or the same time and an earlier input. */
function before(a: LineCursor, b: LineCursor): boolean {
  return a.stamp < b.stamp || (a.stamp === b.stamp && a.index < b.index);
}

/** What a walk read of one input: its lines, and its file status when opened and when done. */
export interface WalkedInput {
  lines: number;
  opened: BigIntStats;
  closed: BigIntStats;
}

export interface WalkOptions {
  /** Bytes read at a time from each input (default CURSOR_CHUNK). */
  chunk?: number;
  /** The longest line read: a longer one throws LineTooLongError (default: no limit, see LineCursor). */
  maxLine?: number;
  /** Called once every input has its first line read, before the first visit; may throw to stop. */
  ready?: (cursors: readonly LineCursor[]) => void;
  /** Called before an input's buffer changes (a read): a visitor holding a view of it lets go here. */
  beforeRead?: () => Promise<void> | undefined;
  /**
   * When only one input is left, the lines after the current one in its byte pass's batch go here at
   * once instead of to visit(), which must then wait for nothing (see LineCursor.takeBuffered): a
   * verify of one file visits 4096 lines a call.
   */
  visitRun?: (cursor: LineCursor, run: ScannedRun) => void;
}

/**
 * Visits the lines of `files` in merged order (see the module comment): `visit` gets the cursor whose
 * line is next and may return a promise to wait on (back-pressure) before the walk goes on. The
 * current line is valid only during the call. Throws UnreadableFileError when an input can't be read.
 */
export async function walkInTimeOrder(
  files: readonly string[],
  visit: (cursor: LineCursor) => Promise<void> | undefined,
  options: WalkOptions = {},
): Promise<WalkedInput[]> {
  const handles: FileHandle[] = [];
  try {
    const cursors: LineCursor[] = [];
    const opened: BigIntStats[] = [];
    for (const [index, file] of files.entries()) {
      const handle = await openRegularFile(file);
      handles.push(handle);
      opened.push(await handle.stat({ bigint: true }));
      cursors.push(new LineCursor(handle, file, index, options.chunk, options.maxLine));
    }
    const heap = new CursorHeap();
    for (const cursor of cursors) if (await cursor.next()) heap.push(cursor);
    options.ready?.(cursors);
    const visitRun = options.visitRun;
    for (let cursor = heap.top(); cursor !== undefined; cursor = heap.top()) {
      const wait = visit(cursor);
      if (wait !== undefined) await wait;
      if (visitRun !== undefined && heap.size === 1) visitRun(cursor, cursor.takeBuffered());
      if (cursor.nextBuffered()) {
        heap.settleTop();
        continue;
      }
      const released = options.beforeRead?.();
      if (released !== undefined) await released;
      if (await cursor.next()) heap.settleTop();
      else heap.popTop();
    }
    const result: WalkedInput[] = [];
    for (const [i, handle] of handles.entries()) {
      result.push({
        lines: cursors[i]?.lines ?? 0,
        opened: opened[i] as BigIntStats,
        closed: await handle.stat({ bigint: true }),
      });
    }
    return result;
  } finally {
    for (const handle of handles) await handle.close().catch(() => undefined);
  }
}

/** Where merged bytes go: a write returns true when the caller should await room() (back-pressure). */
export interface MergeSink {
  write(data: Uint8Array): boolean;
  /** write() of bytes [start, end) of the memory `source` views, copied without making a view. */
  writeRange(source: DataView<ArrayBufferLike>, start: number, end: number): boolean;
  /** What a write returning true asks the caller to await before writing much more. */
  room(): Promise<void>;
}

/** Spaces to pad an unpadded return to the record length. */
const PADDING = Buffer.alloc(PATRON_AT, 0x20);

/** Length of each kind of line ending as read. */
const ENDING_LENGTH: Readonly<Record<SeenEnding, number>> = { crlf: 2, lf: 1, none: 0 };

/**
 * Writes the lines of a merge to `sink` as merge writes them: a return shorter than 93 characters (as
 * other tools write it) in offcirc's padded form, every other line as it is, then the line ending
 * written. Consecutive lines of one input that are written as they are (the input's ending is the one
 * written) are copied as one slice of its buffer, so a merge copies runs of lines, not lines; flush()
 * must be called before that input's buffer changes (walkInTimeOrder's beforeRead) and at the end.
 * O(line) a line, no allocation but one view a run.
 */
export class MergeWriter {
  private endingBytes: Uint8Array;
  /** The run of lines not yet written: buffer[from, to), with their endings. */
  private buffer: Buffer | undefined;
  private from = 0;
  private to = 0;

  constructor(
    private readonly sink: MergeSink,
    private ending: LineEnding,
  ) {
    this.endingBytes = ENDING_BYTES[ending];
  }

  /** Sets the line ending written (before the first line). */
  setEnding(ending: LineEnding): void {
    this.ending = ending;
    this.endingBytes = ENDING_BYTES[ending];
  }

  /** Writes (or holds) the cursor's current line; returns the promise to await when the sink asks for it. */
  line(cursor: LineCursor): Promise<void> | undefined {
    const buf = cursor.buffer;
    const start = cursor.lineStart;
    const end = cursor.lineEnd;
    const length = end - start;
    const ending = this.ending;
    const unpaddedReturn = length < PATRON_AT && length > ACTION_AT && buf[start + ACTION_AT] === R;
    if (!unpaddedReturn && cursor.ending === ending) {
      const stop = end + ENDING_LENGTH[ending];
      if (buf === this.buffer && start === this.to) {
        this.to = stop;
        return undefined;
      }
      const queued = this.write();
      this.buffer = buf;
      this.from = start;
      this.to = stop;
      return queued ? this.sink.room() : undefined;
    }
    const sink = this.sink;
    let queued = this.write();
    queued = sink.writeRange(cursor.view, start, end) || queued;
    if (unpaddedReturn) queued = sink.write(PADDING.subarray(0, PATRON_AT - length)) || queued;
    queued = sink.write(this.endingBytes) || queued;
    return queued ? sink.room() : undefined;
  }

  /** Writes the run held; returns the promise to await when the sink asks for it. */
  flush(): Promise<void> | undefined {
    return this.write() ? this.sink.room() : undefined;
  }

  private write(): boolean {
    const buffer = this.buffer;
    if (buffer === undefined) return false;
    this.buffer = undefined;
    return this.sink.write(buffer.subarray(this.from, this.to));
  }
}

/** The bytes of each line ending merge writes. */
export const ENDING_BYTES: Readonly<Record<LineEnding, Uint8Array>> = {
  crlf: Buffer.from(LINE_ENDINGS.crlf, 'latin1'),
  lf: Buffer.from(LINE_ENDINGS.lf, 'latin1'),
};

/**
 * Writes the lines of `files` to `sink` in merged order, each with `ending` (see writeMergedLine). The
 * inputs must have passed verification. Throws UnreadableFileError when an input can't be read.
 */
export async function mergeFiles(
  files: readonly string[],
  sink: MergeSink,
  ending: LineEnding,
): Promise<WalkedInput[]> {
  const writer = new MergeWriter(sink, ending);
  const walked = await walkInTimeOrder(files, (cursor) => writer.line(cursor), {
    chunk: chunkFor(files.length),
    beforeRead: () => writer.flush(),
  });
  await writer.flush();
  return walked;
}

/** Whether two statuses are of the same, unchanged file (device, inode, size, modification time). */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** The first line (1-based) of an input whose time is earlier than the line before it, if any. */
export class OrderWatch {
  private last = -Infinity;
  private line = 0;
  firstBackwards: number | undefined;
  /** How many lines are earlier than the line before them. */
  backwards = 0;

  next(stamp: number): void {
    this.line++;
    if (stamp < this.last) {
      this.backwards++;
      this.firstBackwards ??= this.line;
    }
    this.last = stamp;
  }
}

/**
 * The merged file's line ending: the one asked for, else the inputs' own when they agree, else CRLF
 * (what Alma's own utility writes), with `differ` set so the caller can say so.
 */
export function chooseLineEnding(
  inputs: readonly (LineEnding | undefined)[],
  requested?: LineEnding,
): { ending: LineEnding; differ: boolean } {
  const kinds = new Set(inputs.filter((e) => e !== undefined));
  const differ = kinds.size > 1;
  if (requested) return { ending: requested, differ };
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  return { ending: only ?? 'crlf', differ };
}
