/**
 * Reads OffCirc.dat bytes as lines without decoding them: a byte-level splitter (pure, O(n), flat memory),
 * a streaming file reader built on it, and the facts of a line that has already passed verification.
 */
import { errnoWords } from '../errno.js';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { HEADER, RECORD, TIMESTAMP, type LineEnding } from './line.js';

/** Byte offsets within a line, named for reading it (the widths themselves come from line.ts). */
export const TIME_WIDTH = TIMESTAMP;
/** Column (0-based) of the `L`/`R` action. */
export const ACTION_AT = TIMESTAMP;
/** Column (0-based) where the 80-character item field starts. */
export const ITEM_AT = HEADER;
/** Column (0-based) where the patron ID starts on loans; also the length of a return line. */
export const PATRON_AT = RECORD;

/** How a line read from a file ended; `none` only for a last line that has no line ending. */
export type SeenEnding = LineEnding | 'none';

/**
 * Receives each line: `content` is the line without its ending, valid only during the call (it may be a
 * view into a reused buffer). When a line is longer than the splitter keeps, `content` holds its first
 * bytes and `length` the real length. `offset` is where the line starts in the stream.
 */
export type LineVisitor = (content: Uint8Array, length: number, ending: SeenEnding, offset: number) => void;

/** Bytes of one line kept for checking; a longer line (a binary file, CR-only endings) is cut here. */
export const MAX_KEPT_LINE = 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines at LF, telling CRLF from LF. Push chunks in order, then call end().
 * O(n) over the bytes; memory is one line of at most `maxKept` bytes, whatever the input.
 */
export class LineSplitter {
  private readonly carry: Uint8Array;
  /** Bytes of the current (unfinished) line held in `carry`. */
  private kept = 0;
  /** Real length of the current unfinished line, kept or not. */
  private pending = 0;
  /** Last byte of the unfinished line, so a CR at a chunk's end still makes the ending CRLF. */
  private lastByte = -1;
  private position = 0;
  private lineStart = 0;

  constructor(
    private readonly visit: LineVisitor,
    private readonly maxKept = MAX_KEPT_LINE,
  ) {
    this.carry = new Uint8Array(maxKept);
  }

  /** Feeds the next bytes; `chunk` may be reused by the caller once this returns. */
  push(chunk: Uint8Array): void {
    let start = 0;
    const n = chunk.length;
    while (start < n) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.hold(chunk, start, n);
        break;
      }
      if (this.pending === 0) {
        // The common case: the whole line is inside this chunk, so hand over a view without copying.
        const crlf = nl > start && chunk[nl - 1] === CR;
        const end = crlf ? nl - 1 : nl;
        const length = end - start;
        const content = chunk.subarray(start, Math.min(end, start + this.maxKept));
        this.visit(content, length, crlf ? 'crlf' : 'lf', this.position + start);
      } else {
        this.hold(chunk, start, nl);
        const crlf = this.lastByte === CR;
        const length = crlf ? this.pending - 1 : this.pending;
        const kept = Math.min(this.kept, length);
        this.visit(this.carry.subarray(0, kept), length, crlf ? 'crlf' : 'lf', this.lineStart);
        this.pending = 0;
        this.kept = 0;
        this.lastByte = -1;
      }
      start = nl + 1;
    }
    this.position += n;
  }

  /** Ends the stream: an unfinished last line is visited with ending `none`. */
  end(): void {
    if (this.pending > 0) {
      this.visit(this.carry.subarray(0, this.kept), this.pending, 'none', this.lineStart);
    }
    this.pending = 0;
    this.kept = 0;
    this.lastByte = -1;
  }

  /** Keeps [from, to) of `chunk` as part of the unfinished line, up to `maxKept` bytes. */
  private hold(chunk: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.pending === 0) this.lineStart = this.position + from;
    const room = this.maxKept - this.kept;
    if (room > 0) {
      const take = Math.min(room, to - from);
      this.carry.set(chunk.subarray(from, from + take), this.kept);
      this.kept += take;
    }
    this.pending += to - from;
    this.lastByte = chunk[to - 1] ?? -1;
  }
}

/** How large each read is: big enough that a million-line file is a few dozen reads. */
export const READ_CHUNK = 1 << 20;

/** Why a path can't be read as a journal: a sentence for the technician. */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: cannot read: ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

/** Turns a Node file-system error into a few plain words (the one table: errno.ts). */
export const describeFsError = (error: unknown): string => errnoWords(error);

/** What a file that is not a regular file is, in a technician's words. */
function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return 'it is a folder, not a file';
  if (stat.isFIFO()) return 'it is a FIFO (named pipe), not a regular file';
  if (stat.isCharacterDevice()) return 'it is a character device, not a regular file';
  if (stat.isBlockDevice()) return 'it is a block device, not a regular file';
  if (stat.isSocket()) return 'it is a socket, not a regular file';
  return 'not a regular file';
}

/**
 * Opens `file` for reading only if it is a regular file, and never opens anything else: the path is
 * stat'ed first, so a FIFO (whose opening would wait for a writer, or release one waiting), a device
 * (a tape rewinds, a serial port raises its lines when opened) or a socket is refused unopened. The open
 * itself is O_NONBLOCK and fstat'ed, so a path swapped for a special file in between is still refused
 * without blocking. Reads of a regular file ignore O_NONBLOCK. Throws UnreadableFileError with the reason.
 */
export async function openRegularFile(file: string): Promise<FileHandle> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw new UnreadableFileError(file, describeFsError(error));
  }
  if (!info.isFile()) throw new UnreadableFileError(file, describeKind(info));
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw new UnreadableFileError(file, describeFsError(error));
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new UnreadableFileError(file, describeKind(opened));
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof UnreadableFileError
      ? error
      : new UnreadableFileError(file, describeFsError(error));
  }
}

/**
 * Streams a file through `onChunk`, READ_CHUNK bytes at a time (the buffer is reused between calls, so a
 * promise returned is awaited before the next read; `false` stops reading). Refuses directories, FIFOs,
 * devices and sockets (see openRegularFile) with UnreadableFileError; any read error becomes one too.
 */
export async function readChunks(
  file: string,
  onChunk: (chunk: Uint8Array) => Promise<void> | boolean | undefined | void,
): Promise<void> {
  const handle = await openRegularFile(file);
  // Only errors of opening and reading become UnreadableFileError: onChunk's own (a full output disk)
  // are about something else and pass through unchanged.
  const reading = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      throw error instanceof UnreadableFileError
        ? error
        : new UnreadableFileError(file, describeFsError(error));
    }
  };
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await reading(() => handle.read(buffer, 0, READ_CHUNK, null));
      if (bytesRead === 0) break;
      const next = onChunk(buffer.subarray(0, bytesRead));
      if (next === false) break;
      if (next instanceof Promise) await next;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Streams a file line by line (see LineSplitter): flat memory whatever the file holds. */
export async function readLines(file: string, visit: LineVisitor): Promise<void> {
  const splitter = new LineSplitter(visit);
  await readChunks(file, (chunk) => {
    splitter.push(chunk);
  });
  splitter.end();
}

/** The four facts of a line that passed verification. */
export interface LineFacts {
  /** `YYYYMMDDHHMM`, local wall-clock time. */
  time: string;
  action: 'L' | 'R';
  /** The item barcode without its padding. */
  item: string;
  /** The patron ID on loans; empty on returns. */
  patron: string;
}

/** Reads the facts of a verified line (ASCII, so latin1 decoding is exact). O(line length). */
export function lineFacts(content: Uint8Array): LineFacts {
  const text = Buffer.from(content.buffer, content.byteOffset, content.length).toString('latin1');
  return {
    time: text.slice(0, TIME_WIDTH),
    action: text[ACTION_AT] === 'L' ? 'L' : 'R',
    item: text.slice(ITEM_AT, PATRON_AT).trimEnd(),
    patron: text.slice(PATRON_AT),
  };
}

/** The 12-digit time of a line as a number (it fits a double exactly), for ordering. O(12). */
export function stampValue(content: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < TIME_WIDTH; i++) value = value * 10 + ((content[i] ?? 0x30) - 0x30);
  return value;
}
