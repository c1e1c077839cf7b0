/**
 * The file tools' byte pass (line-scan.wat, compiled to WebAssembly): a LineScanner holds a reader's
 * input in its own WebAssembly memory and, in one pass over it, records each line's place, ending, its
 * time as a number, the hash of its transaction (action, item, patron) and whether it is CLEAN: it
 * passes every byte-level check of an OffCirc.dat line (93–1024 printable ASCII bytes with a line
 * ending, 12 digits, L or R, one barcode padded with spaces to column 93, then a patron ID without
 * spaces on a loan and nothing on a return). verify.ts says what is wrong with the lines that are not
 * clean, and checks on every line what depends on more than its bytes (the date, the future, the line
 * ending against the first, duplicates). test/fuzz/line-scan.test.ts checks, on random and garbage
 * bytes, that a clean line is one verify.ts finds nothing wrong with.
 * Cost: about 30 ns a line of 100 bytes on the 2-core test machine (the helpers are written inline:
 * V8 does not inline calls between WebAssembly functions); memory: the input plus 192 KiB of records.
 */
import { LINE_SCAN_WASM } from './line-scan-wasm.js';
import type { SeenEnding } from './parse.js';

/** Flags of a record: its ending (ENDING_MASK: 0 none, 1 LF, 2 CRLF), CLEAN, LOAN (the action is L). */
export const ENDING_MASK = 3;
export const CLEAN = 4;
export const LOAN = 8;
/** The endings by their number in the flags. */
export const ENDINGS: readonly SeenEnding[] = ['none', 'lf', 'crlf'];

/** Lines recorded by one scan() at most. */
export const BATCH = 4096;
/**
 * i32 of each record, at the offsets below: start, end (without ending), flags, the transaction's
 * 64-bit hash as hash a (its low 32 bits) and hash b (its high 32), and for a CLEAN line its date
 * (YYYYMMDD) and minute of the day (-1 when its hour or minute is impossible; both -1 when not CLEAN).
 */
export const RECORD_INTS = 7;
/** Each field's place in a record (line-scan.wat stores them at four times these). */
export const AT_START = 0;
export const AT_END = 1;
export const AT_FLAGS = 2;
export const AT_HASH_A = 3;
export const AT_HASH_B = 4;
export const AT_DATE = 5;
export const AT_MINUTE = 6;
const STAMPS = BATCH * RECORD_INTS * 4;
/** Where the input starts in the memory (line-scan.wat has the same numbers). */
const INPUT = 196_608;
/** Bytes after the input that 16-byte loads may read (the item field is read whole: 93 + 16 past a line's start). */
export const SLACK = 128;
const PAGE = 65_536;

/** Records [from, to) of a LineScanner: lines of `input` (its `ints` and `stamps`, see RECORD_INTS). */
export interface ScannedRun {
  input: Buffer;
  ints: Int32Array;
  stamps: Float64Array;
  from: number;
  to: number;
}

/** The little of the WebAssembly API used here (the project's TypeScript libraries don't declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/** What line-scan.wat exports. */
interface ScanExports {
  next: { value: number };
  line(s: number, e: number, ending: number, n: number): void;
  scan(from: number, to: number, eof: number, max: number): number;
}

/**
 * A reader's WebAssembly instance and its memory: `input` is where the reader puts the bytes (capacity
 * bytes, grown with grow()), scan() records lines, the records are read from `ints` and `stamps`.
 */
export class LineScanner {
  private readonly memory: WasmMemory;
  private readonly exports: ScanExports;
  /** The input area; a new view after grow(). */
  input!: Buffer;
  /** Records: RECORD_INTS a line (start and end are offsets in `input`). */
  ints!: Int32Array;
  /** The time of each record, as stampValue gives it. */
  stamps!: Float64Array;
  /** After scan(): the offset after the last line recorded. */
  next = 0;

  constructor(capacity: number) {
    compiled ??= new wasm.Module(Buffer.from(LINE_SCAN_WASM, 'base64'));
    this.memory = new wasm.Memory({ initial: pagesFor(capacity) });
    const instance = new wasm.Instance(compiled, { env: { memory: this.memory } });
    // The instance's exports are what line-scan.wat exports (no type is known to TypeScript here).
    this.exports = instance.exports as unknown as ScanExports;
    this.views(capacity);
  }

  /** Grows the input area to `capacity` bytes, keeping its bytes (views made before are stale). */
  grow(capacity: number): void {
    const more = pagesFor(capacity) - this.memory.buffer.byteLength / PAGE;
    if (more > 0) this.memory.grow(more);
    this.views(capacity);
  }

  /**
   * Records the lines of input[from, to), at most BATCH: each line ended by LF, and with `eof` the bytes
   * after the last LF as a last line without ending. Returns how many; `next` is then after the last.
   */
  scan(from: number, to: number, eof: boolean): number {
    const n = this.exports.scan(from, to, eof ? 1 : 0, BATCH);
    this.next = this.exports.next.value;
    return n;
  }

  /** Records the one line input[0, length) as record 0, with the given ending. */
  line(length: number, ending: SeenEnding): void {
    this.exports.line(INPUT, INPUT + length, ENDINGS.indexOf(ending), 0);
  }

  private views(capacity: number): void {
    const memory = this.memory.buffer;
    this.input = Buffer.from(memory, INPUT, capacity);
    this.ints = new Int32Array(memory, 0, BATCH * RECORD_INTS);
    this.stamps = new Float64Array(memory, STAMPS, BATCH);
  }
}

function pagesFor(capacity: number): number {
  return Math.ceil((INPUT + capacity + SLACK) / PAGE);
}
