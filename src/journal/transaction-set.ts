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
 * minute, so when lines come in time order its first copy is recent. A transaction more than `window`
 * minutes before the latest time seen is not looked up nor held (it can't be judged: its first copy
 * may be forgotten); so a minute that far back can never be asked for again, and is forgotten.
 * It misses a duplicate only when its first copy came more than `window` minutes (of the latest time)
 * before: a station whose clock went back more than `window` and repeated a transaction of the same
 * minute, or lines with a bad time (-1), which it never holds (they are problems already).
 *
 * The minutes are held in epochs of window/8 minutes, one open-addressing table each (linear probing, at
 * most half full, the entries inline in one Int32Array: a probe reads one place in memory), and an epoch
 * is dropped whole once all its minutes are more than `window` before the latest: no deletion, no sweep.
 * A lookup reads only the table of its minute's epoch. Cost: O(1) a line, amortized; memory is the
 * transactions of at most 9/8 `window` minutes, about 40 bytes each, however many lines there are.
 */
export class RecentTransactions implements SeenTransactions {
  /** Minutes of an epoch. */
  private readonly span: number;
  private readonly tables = new Map<number, EpochTable>();
  /** The table used last, its epoch and the minutes [lastFrom, lastTo) it holds (lines of one epoch come together). */
  private lastEpoch = NaN;
  private lastFrom = 0;
  private lastTo = 0;
  private lastTable: EpochTable | undefined;
  /**
   * A dropped epoch's table, emptied, for the next epoch: the tables are reused rather than left to the
   * garbage collector (thousands of them over a large file, which it frees late: memory grew with it).
   */
  private spare: EpochTable | undefined;
  private latest = -Infinity;
  /** The oldest epoch held, and the latest time from which it is dropped. */
  private oldest = Infinity;
  private dropAt = Infinity;
  firstFile = 0;
  firstLine = 0;

  constructor(readonly window = 24 * 60) {
    this.span = window / 8;
  }

  /** The transactions held now. */
  get size(): number {
    let size = 0;
    for (const table of this.tables.values()) size += table.count;
    return size;
  }

  add(a: number, b: number, file: number, line: number, minute: number): boolean {
    if (minute < 0) return true;
    if (minute > this.latest) {
      this.latest = minute;
      if (minute >= this.dropAt) this.forget();
    } else if (minute < this.latest - this.window) {
      return true; // older than the window: its first copy may be forgotten, so it can't be judged
    }
    let table = this.lastTable;
    if (minute < this.lastFrom || minute >= this.lastTo || table === undefined) {
      const epoch = Math.floor(minute / this.span);
      table = this.tables.get(epoch);
      if (table === undefined) {
        table = this.spare ?? new EpochTable(INITIAL);
        this.spare = undefined;
        this.tables.set(epoch, table);
        if (epoch < this.oldest) this.hold(epoch);
      }
      this.lastEpoch = epoch;
      this.lastTable = table;
      this.lastFrom = epoch * this.span;
      this.lastTo = (epoch + 1) * this.span;
    }
    const keyA = a | 0;
    const keyB = (b & 0x1fffff) + 1;
    const at = minute | 0;
    const ints = table.ints;
    const mask = table.mask;
    let slot = slotOf(keyA, at, mask);
    for (let i = slot * STRIDE; ints[i + 1] !== 0; i = slot * STRIDE) {
      if (ints[i] === keyA && ints[i + 1] === keyB && ints[i + 2] === at) {
        this.firstFile = ints[i + 3]!;
        this.firstLine = ints[i + 4]! >>> 0;
        return false;
      }
      slot = (slot + 1) & mask;
    }
    const i = slot * STRIDE;
    ints[i] = keyA;
    ints[i + 1] = keyB;
    ints[i + 2] = at;
    ints[i + 3] = file;
    ints[i + 4] = line;
    if (++table.count * 2 > mask + 1) table.grow();
    return true;
  }

  /** `epoch` is the oldest held: it goes when the latest time is `window` after its last minute. */
  private hold(epoch: number): void {
    this.oldest = epoch;
    this.dropAt = (epoch + 1) * this.span + this.window;
  }

  /** Drops the epochs whose minutes are all more than `window` before the latest. O(epochs held). */
  private forget(): void {
    const before = this.latest - this.window;
    let oldest = Infinity;
    for (const epoch of [...this.tables.keys()]) {
      if ((epoch + 1) * this.span <= before) {
        const table = this.tables.get(epoch);
        this.tables.delete(epoch);
        // Keeps the largest (epochs of one file tend to hold alike).
        if (table !== undefined && (this.spare === undefined || table.mask > this.spare.mask)) {
          table.clear();
          this.spare = table;
        }
        if (epoch === this.lastEpoch) this.lastTable = undefined;
      } else if (epoch < oldest) oldest = epoch;
    }
    this.oldest = Infinity;
    this.dropAt = Infinity;
    if (oldest !== Infinity) this.hold(oldest);
  }
}

/** Int32 of an entry: hash a, 1 + 21 bits of hash b (0: an empty slot), minute, file, line. */
const STRIDE = 5;
/** Slots of a new epoch's table (a power of 2; it doubles as needed). */
const INITIAL = 1024;

/** One epoch's transactions: an open-addressing table, at most half full. */
class EpochTable {
  ints: Int32Array;
  mask: number;
  count = 0;

  constructor(slots: number) {
    this.ints = new Int32Array(slots * STRIDE);
    this.mask = slots - 1;
  }

  /** Empties the table. O(slots). */
  clear(): void {
    this.ints.fill(0);
    this.count = 0;
  }

  /** Doubles the table. O(slots). */
  grow(): void {
    const old = this.ints;
    const slots = (this.mask + 1) * 2;
    const ints = new Int32Array(slots * STRIDE);
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += STRIDE) {
      if (old[i + 1] === 0) continue;
      let slot = slotOf(old[i]!, old[i + 2]!, mask);
      while (ints[slot * STRIDE + 1] !== 0) slot = (slot + 1) & mask;
      const to = slot * STRIDE;
      for (let k = 0; k < STRIDE; k++) ints[to + k] = old[i + k]!;
    }
    this.ints = ints;
    this.mask = mask;
  }
}

/** Where the probe for a transaction starts: its hash mixed with its minute. */
function slotOf(a: number, minute: number, mask: number): number {
  return ((a ^ Math.imul(minute, 0x9e3779b1)) >>> 0) & mask;
}
