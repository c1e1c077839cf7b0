/** The duplicate check's memory: which transactions verify has already seen, and where. */

/** What the duplicate check needs: add a transaction, and learn where it was first seen if it was. */
export interface SeenTransactions {
  /** Where the transaction last found by add() was first seen. */
  readonly firstFile: number;
  readonly firstLine: number;
  /**
   * Adds a transaction (two 32-bit hashes) of `file` at `line` (≥ 1) whose time is `minute` (minutes
   * since 1970, or -1 when its time is not good); false, with firstFile/firstLine set, when it was there.
   */
  add(a: number, b: number, file: number, line: number, minute: number): boolean;
}

/**
 * The transactions of the last `window` minutes, for a duplicate check walked in time order (the files'
 * lines merged by time, each file in its own order): a duplicate is the same transaction in the same
 * minute, so when lines come in time order its first copy is recent. Forgets every minute more than
 * `window` before the latest time seen (swept every window/8 minutes). Cost: O(1) a line, amortized;
 * memory is the transactions of at most 9/8 `window` minutes (Map entries, about 100 bytes each),
 * however many lines there are. It misses a duplicate
 * only when its second copy comes more than `window` minutes (of the latest time) after the first
 * was forgotten: a station whose clock went back more than `window` and repeated a transaction of the
 * same minute, or lines with a bad time (-1), which it never holds (they are problems already).
 */
export class RecentTransactions implements SeenTransactions {
  /** Per minute: 53 bits of the hashes → file × 2³² + line. */
  private readonly minutes = new Map<number, Map<number, number>>();
  private latest = -Infinity;
  /** The latest time when old minutes were last dropped: they are dropped every window/8 minutes. */
  private swept = -Infinity;
  private held = 0;
  /** The latest minute given a bucket, and whether a bucket was made for an earlier one since a sweep. */
  private newest = -Infinity;
  private unordered = false;
  firstFile = 0;
  firstLine = 0;

  constructor(readonly window = 24 * 60) {}

  /** The transactions held now. */
  get size(): number {
    return this.held;
  }

  add(a: number, b: number, file: number, line: number, minute: number): boolean {
    if (minute < 0) return true;
    if (minute > this.latest) {
      this.latest = minute;
      if (minute - this.swept >= this.window / 8) this.forget();
    } else if (minute < this.latest - this.window) {
      return true; // older than the window: its first copy may be forgotten, so it can't be judged
    }
    // 32 bits of one hash and 21 of the other: a number exact in a double.
    const key = (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
    let bucket = this.minutes.get(minute);
    if (bucket === undefined) {
      bucket = new Map();
      if (minute < this.newest) this.unordered = true;
      else this.newest = minute;
      this.minutes.set(minute, bucket);
    }
    const where = bucket.get(key);
    if (where !== undefined) {
      this.firstFile = Math.floor(where / 0x100000000);
      this.firstLine = where % 0x100000000;
      return false;
    }
    bucket.set(key, file * 0x100000000 + line);
    this.held++;
    return true;
  }

  /**
   * Drops the minutes older than the window, every window/8 minutes of time. The map keeps the order
   * buckets were made, which is time order unless a clock went back: then (only) it looks at them all.
   * O(minutes dropped), or O(minutes held) after a clock went back.
   */
  private forget(): void {
    this.swept = this.latest;
    const oldest = this.latest - this.window;
    const all = this.unordered;
    this.unordered = false;
    let previous = -Infinity;
    for (const [minute, bucket] of this.minutes) {
      if (minute < oldest) {
        this.held -= bucket.size;
        this.minutes.delete(minute);
        continue;
      }
      if (!all) break;
      // A bucket kept that comes after a later one: the order is still broken for the next sweep.
      if (minute < previous) this.unordered = true;
      previous = minute;
    }
  }
}
