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
 * A compact set of transactions for the duplicate check: an open-addressing table of 64-bit hashes of the
 * four facts, remembering where each was first seen. Each slot is 4 words side by side (hash, hash, line,
 * file) so a probe touches one cache line. Cost: 16 bytes a slot, at most half the slots in use, so
 * 32–64 bytes per distinct transaction (a million lines ≈ 32–64 MB), O(1) per line. Two different
 * transactions share a 64-bit hash with probability about n²/2⁶⁵ (≈ 3·10⁻⁸ for a million lines).
 */
export class TransactionSet implements SeenTransactions {
  /** Slot i is words 4i..4i+3: hash A, hash B, line (0 = empty), file. */
  private table = new Uint32Array(4 << 12);
  private used = 0;
  /** Where the transaction last found by add() was first seen. */
  firstFile = 0;
  firstLine = 0;

  /** The number of distinct transactions held. */
  get size(): number {
    return this.used;
  }

  /** Adds a transaction; false (and firstFile/firstLine set) when it was already there. `line` ≥ 1. */
  add(a: number, b: number, file: number, line: number, _minute = 0): boolean {
    const table = this.table;
    const mask = (table.length >> 2) - 1;
    let at = (a & mask) << 2;
    for (;;) {
      const seen = table[at + 2] ?? 0;
      if (seen === 0) break;
      if (table[at] === a && table[at + 1] === b) {
        this.firstFile = table[at + 3] ?? 0;
        this.firstLine = seen;
        return false;
      }
      at = (at + 4) & ((mask << 2) | 3);
    }
    table[at] = a;
    table[at + 1] = b;
    table[at + 2] = line;
    table[at + 3] = file;
    this.used++;
    if (this.used * 2 > table.length >> 2) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const next = new Uint32Array(old.length * 2);
    const mask = (next.length >> 2) - 1;
    const wrap = (mask << 2) | 3;
    for (let from = 0; from < old.length; from += 4) {
      const line = old[from + 2] ?? 0;
      if (line === 0) continue;
      const a = old[from] ?? 0;
      let at = (a & mask) << 2;
      while (next[at + 2] !== 0) at = (at + 4) & wrap;
      next[at] = a;
      next[at + 1] = old[from + 1] ?? 0;
      next[at + 2] = line;
      next[at + 3] = old[from + 3] ?? 0;
    }
    this.table = next;
  }
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

  /** Drops the minutes older than the window. O(minutes held), every window/8 minutes of time. */
  private forget(): void {
    this.swept = this.latest;
    const oldest = this.latest - this.window;
    for (const [minute, bucket] of this.minutes) {
      if (minute < oldest) {
        this.held -= bucket.size;
        this.minutes.delete(minute);
      }
    }
  }
}
