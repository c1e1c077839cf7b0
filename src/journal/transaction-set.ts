/** The duplicate check's memory: which transactions verify has already seen, and where. */

/**
 * A compact set of transactions for the duplicate check: an open-addressing table of 64-bit hashes of the
 * four facts, remembering where each was first seen. Each slot is 4 words side by side (hash, hash, line,
 * file) so a probe touches one cache line. Cost: 16 bytes a slot, at most half the slots in use, so
 * 32–64 bytes per distinct transaction (a million lines ≈ 32–64 MB), O(1) per line. Two different
 * transactions share a 64-bit hash with probability about n²/2⁶⁵ (≈ 3·10⁻⁸ for a million lines).
 */
export class TransactionSet {
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
  add(a: number, b: number, file: number, line: number): boolean {
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
