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
 * memory is the transactions of at most 9/8 `window` minutes, about 40 bytes each (typed arrays, no
 * object a transaction), however many lines there are. It misses a duplicate
 * only when its second copy comes more than `window` minutes (of the latest time) after the first
 * was forgotten: a station whose clock went back more than `window` and repeated a transaction of the
 * same minute, or lines with a bad time (-1), which it never holds (they are problems already).
 *
 * The transactions are a ring in the order added (minute, key: 53 bits of the hashes, place: file × 2³²
 * + line: typed arrays), indexed by an open-addressing table (linear probing, at most half full). In time order the
 * oldest are at the ring's head, so a sweep drops them there, each in O(1); after a clock went back the
 * ring is out of order and a sweep looks at every transaction held (as the sweep of a Map would).
 */
export class RecentTransactions implements SeenTransactions {
  private minutes = new Float64Array(INITIAL);
  /** The key: 32 bits of one hash and 21 of the other (53 bits, as one number would hold exactly). */
  private keysA = new Int32Array(INITIAL);
  private keysB = new Int32Array(INITIAL);
  private places = new Float64Array(INITIAL);
  /** The ring: transactions head … tail - 1 (counting without wrapping; the arrays hold them mod length). */
  private head = 0;
  private tail = 0;
  /** 1 + a transaction's position in the arrays, 0 for an empty slot. */
  private slots = new Int32Array(INITIAL * 2);
  /** The minute of the transaction added last, and whether one was added before an earlier one since. */
  private newest = -Infinity;
  private unordered = false;
  private latest = -Infinity;
  /** The latest time when old minutes were last dropped: they are dropped every window/8 minutes. */
  private swept = -Infinity;
  firstFile = 0;
  firstLine = 0;

  constructor(readonly window = 24 * 60) {}

  /** The transactions held now. */
  get size(): number {
    return this.tail - this.head;
  }

  add(a: number, b: number, file: number, line: number, minute: number): boolean {
    if (minute < 0) return true;
    if (minute > this.latest) {
      this.latest = minute;
      if (minute - this.swept >= this.window / 8) this.forget();
    } else if (minute < this.latest - this.window) {
      return true; // older than the window: its first copy may be forgotten, so it can't be judged
    }
    const keyA = a | 0;
    const keyB = b & 0x1fffff;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = slotOf(keyA, minute, mask);
    for (let at = slots[slot]!; at !== 0; at = slots[slot]!) {
      if (this.keysA[at - 1] === keyA && this.keysB[at - 1] === keyB && this.minutes[at - 1] === minute) {
        const where = this.places[at - 1]!;
        this.firstFile = Math.floor(where / 0x100000000);
        this.firstLine = where % 0x100000000;
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.tail - this.head === this.minutes.length) {
      this.rebuild(this.minutes.length * 2, -Infinity);
      slot = this.freeSlot(keyA, minute);
    }
    const i = this.tail++ & (this.minutes.length - 1);
    this.minutes[i] = minute;
    this.keysA[i] = keyA;
    this.keysB[i] = keyB;
    this.places[i] = file * 0x100000000 + line;
    this.slots[slot] = i + 1;
    if (minute < this.newest) this.unordered = true;
    else this.newest = minute;
    return true;
  }

  /** Drops the transactions of minutes older than the window (see the class comment for the cost). */
  private forget(): void {
    this.swept = this.latest;
    const oldest = this.latest - this.window;
    if (this.unordered) {
      this.rebuild(this.minutes.length, oldest);
      return;
    }
    const ringMask = this.minutes.length - 1;
    while (this.head < this.tail) {
      const i = this.head & ringMask;
      const minute = this.minutes[i]!;
      if (minute >= oldest) break;
      this.unslot(i, minute);
      this.head++;
    }
    // Shrinks when a busy day has passed, so memory follows what the window holds.
    const held = this.tail - this.head;
    if (this.minutes.length > INITIAL && held * 8 < this.minutes.length) {
      this.rebuild(this.minutes.length / 2, -Infinity);
    }
  }

  /** Empties the slot of the transaction at position i (backward-shift deletion: no tombstones). */
  private unslot(i: number, minute: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let hole = slotOf(this.keysA[i]!, minute, mask);
    while (slots[hole] !== i + 1) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; slots[next] !== 0; next = (next + 1) & mask) {
      const at = slots[next]! - 1;
      const home = slotOf(this.keysA[at]!, this.minutes[at]!, mask);
      // The entry at `next` may move into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (stays) continue;
      slots[hole] = at + 1;
      hole = next;
    }
    slots[hole] = 0;
  }

  /**
   * Moves the transactions of minutes from `oldest` on, in the order added, to the start of arrays of
   * `capacity`, and rebuilds the slots. O(capacity).
   */
  private rebuild(capacity: number, oldest: number): void {
    const { minutes, keysA, keysB, places } = this;
    const ringMask = minutes.length - 1;
    const newMinutes = new Float64Array(capacity);
    const newKeysA = new Int32Array(capacity);
    const newKeysB = new Int32Array(capacity);
    const newPlaces = new Float64Array(capacity);
    let kept = 0;
    let newest = -Infinity;
    let unordered = false;
    for (let n = this.head; n < this.tail; n++) {
      const i = n & ringMask;
      const minute = minutes[i]!;
      if (minute < oldest) continue;
      newMinutes[kept] = minute;
      newKeysA[kept] = keysA[i]!;
      newKeysB[kept] = keysB[i]!;
      newPlaces[kept] = places[i]!;
      kept++;
      if (minute < newest) unordered = true;
      else newest = minute;
    }
    this.minutes = newMinutes;
    this.keysA = newKeysA;
    this.keysB = newKeysB;
    this.places = newPlaces;
    this.head = 0;
    this.tail = kept;
    this.newest = newest;
    this.unordered = unordered;
    this.slots = new Int32Array(capacity * 2);
    for (let i = 0; i < kept; i++) this.slots[this.freeSlot(newKeysA[i]!, newMinutes[i]!)] = i + 1;
  }

  /** The first empty slot for a transaction of hash `a` in `minute`. */
  private freeSlot(a: number, minute: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = slotOf(a, minute, mask);
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }
}

/** Transactions room is made for at first (it doubles as needed; a power of 2). */
const INITIAL = 1024;

/** Where the probe for a transaction starts: its hash mixed with its minute. */
function slotOf(a: number, minute: number, mask: number): number {
  return ((a ^ Math.imul(minute, 0x9e3779b1)) >>> 0) & mask;
}
