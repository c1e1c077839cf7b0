/**
 * The merge of several OffCirc.dat files into one, streamed: a stable k-way merge that keeps each input's
 * own order exactly (a line never passes an earlier line of its own file, whatever their times) and
 * interleaves the inputs by time between them, equal times taking the inputs in the order given.
 * Cost: O(n log k) for n lines of k inputs; memory is one read buffer per input (64 KiB, more only for
 * a line longer than that), whatever the number of lines.
 */
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { LINE_ENDINGS, type LineEnding } from './line.js';
import {
  ACTION_AT,
  PATRON_AT,
  UnreadableFileError,
  describeFsError,
  openRegularFile,
  stampValue,
  type SeenEnding,
} from './parse.js';

const LF = 0x0a;
const CR = 0x0d;
const R = 0x52;

/** Bytes read at a time from each input of a merge. */
export const CURSOR_CHUNK = 64 * 1024;

/**
 * Walks the lines of one open file, in order, through a reusable buffer. The current line is
 * `bytes()` (without its ending) and `stamp` its time; both are valid until the next call of next().
 */
export class LineCursor {
  private buffer: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;
  private lineStart = 0;
  private lineEnd = 0;
  /** The current line's YYYYMMDDHHMM as a number. */
  stamp = 0;
  /** How the current line ended. */
  ending: SeenEnding = 'none';
  /** Lines read so far. */
  lines = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    /** The input's position in the order given: the tie-break for equal times. */
    readonly index: number,
    chunk = CURSOR_CHUNK,
  ) {
    this.buffer = Buffer.allocUnsafe(chunk);
  }

  /** The current line's bytes, without its line ending. */
  bytes(): Uint8Array {
    return this.buffer.subarray(this.lineStart, this.lineEnd);
  }

  /** Moves to the next line when it is already buffered (true); false when a read is needed or at the end. */
  nextBuffered(): boolean {
    const nl = this.start < this.end ? this.buffer.indexOf(LF, this.start) : -1;
    if (nl !== -1 && nl < this.end) {
      const crlf = nl > this.start && this.buffer[nl - 1] === CR;
      this.lineStart = this.start;
      this.lineEnd = crlf ? nl - 1 : nl;
      this.ending = crlf ? 'crlf' : 'lf';
      this.start = nl + 1;
    } else if (this.eof && this.start < this.end) {
      // The last line, without a line ending.
      this.lineStart = this.start;
      this.lineEnd = this.end;
      this.ending = 'none';
      this.start = this.end;
    } else {
      return false;
    }
    this.stamp = stampValue(this.bytes());
    this.lines++;
    return true;
  }

  /** Moves to the next line, reading as needed; false at the end of the file. */
  async next(): Promise<boolean> {
    for (;;) {
      if (this.nextBuffered()) return true;
      if (this.eof) return false;
      await this.fill();
    }
  }

  /** Keeps the unread bytes, then reads more after them (the buffer doubles only for an overlong line). */
  private async fill(): Promise<void> {
    if (this.start > 0) {
      this.buffer.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buffer.length) {
      const grown = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(grown, 0, 0, this.end);
      this.buffer = grown;
    }
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(this.buffer, this.end, this.buffer.length - this.end, null));
    } catch (error) {
      throw new UnreadableFileError(this.file, describeFsError(error));
    }
    if (bytesRead === 0) this.eof = true;
    this.end += bytesRead;
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

/**
 * Visits the lines of `files` in merged order (see the module comment): `visit` gets the cursor whose
 * line is next and may return a promise to wait on (back-pressure) before the walk goes on. The
 * current line is valid only during the call. Throws UnreadableFileError when an input can't be read.
 */
export async function walkInTimeOrder(
  files: readonly string[],
  visit: (cursor: LineCursor) => Promise<void> | undefined,
): Promise<WalkedInput[]> {
  const handles: FileHandle[] = [];
  try {
    const cursors: LineCursor[] = [];
    const opened: BigIntStats[] = [];
    for (const [index, file] of files.entries()) {
      const handle = await openRegularFile(file);
      handles.push(handle);
      opened.push(await handle.stat({ bigint: true }));
      cursors.push(new LineCursor(handle, file, index));
    }
    const heap = new CursorHeap();
    for (const cursor of cursors) if (await cursor.next()) heap.push(cursor);
    for (let cursor = heap.top(); cursor !== undefined; cursor = heap.top()) {
      const wait = visit(cursor);
      if (wait !== undefined) await wait;
      if (cursor.nextBuffered() || (await cursor.next())) heap.settleTop();
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

/** Where merged bytes go: write() returns true when the caller should await drain() (back-pressure). */
export interface MergeSink {
  write(data: Uint8Array): boolean;
  drain(): Promise<void>;
}

/** Spaces to pad an unpadded return to the record length. */
const PADDING = Buffer.alloc(PATRON_AT, 0x20);

/**
 * Writes the lines of `files` to `sink` in merged order, each with `ending`. A return shorter than 93
 * characters (as other tools write it) is written in offcirc's padded form; every other line as it is.
 * The inputs must have passed verification. Throws UnreadableFileError when an input can't be read.
 */
export function mergeFiles(
  files: readonly string[],
  sink: MergeSink,
  ending: LineEnding,
): Promise<WalkedInput[]> {
  const endingBytes = Buffer.from(LINE_ENDINGS[ending], 'latin1');
  return walkInTimeOrder(files, (cursor) => {
    const line = cursor.bytes();
    let queued = sink.write(line);
    if (line.length < PATRON_AT && line[ACTION_AT] === R) {
      queued = sink.write(PADDING.subarray(0, PATRON_AT - line.length)) || queued;
    }
    return sink.write(endingBytes) || queued ? sink.drain() : undefined;
  });
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
