/**
 * The order of a merge (pure): lines of several inputs sorted by time, ties kept in input order then file
 * order. Cost: 22 bytes per line for the plan, O(n log n) to order it.
 */
import type { LineEnding } from './line.js';

/** Where each input line is (file, byte offset, length without ending) and its time, in input order. */
export class MergePlan {
  private stamps = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private fileOf = new Uint16Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the next line; lines must come file by file, each file in its own order. */
  add(stamp: number, file: number, offset: number, length: number): void {
    if (this.count === this.stamps.length) this.grow();
    const i = this.count++;
    this.stamps[i] = stamp;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.fileOf[i] = file;
  }

  /** The line indexes in merged order. Ties in time keep the order lines were added (stable). */
  order(): Uint32Array {
    const stamps = this.stamps;
    const order = new Uint32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Index as the tie-break: stable whatever the engine's sort, and inputs were added in the given order.
    order.sort((a, b) => (stamps[a] ?? 0) - (stamps[b] ?? 0) || a - b);
    return order;
  }

  /** File, offset and length of line `i` (an index from order()). */
  line(i: number): { file: number; offset: number; length: number } {
    return { file: this.fileOf[i] ?? 0, offset: this.offsets[i] ?? 0, length: this.lengths[i] ?? 0 };
  }

  private grow(): void {
    const size = this.stamps.length * 2;
    const grown = <T extends Float64Array | Uint32Array | Uint16Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.stamps = grown(this.stamps, (n) => new Float64Array(n));
    this.offsets = grown(this.offsets, (n) => new Float64Array(n));
    this.lengths = grown(this.lengths, (n) => new Uint32Array(n));
    this.fileOf = grown(this.fileOf, (n) => new Uint16Array(n));
  }
}

/** The first line (1-based) of an input whose time is earlier than the line before it, if any. */
export class OrderWatch {
  private last = -Infinity;
  private line = 0;
  firstBackwards: number | undefined;

  next(stamp: number): void {
    this.line++;
    if (stamp < this.last && this.firstBackwards === undefined) this.firstBackwards = this.line;
    this.last = Math.max(this.last, stamp);
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
