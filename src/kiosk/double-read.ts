/**
 * Recognises a scanner reading the same barcode again within a short window (a patron holding the book
 * under the beam). Pure: the clock is passed in. O(1) per read, amortised: reads are kept in the order
 * they were last seen, so the ones that left the window are always at the front.
 */

/** 'read': a new read; 'double': the first repeat of a run, to be said; 'repeat': a later one, silent. */
export type ReadVerdict = 'read' | 'double' | 'repeat';

export class DoubleReads {
  /** Last read of each group + key, oldest first, with whether its current run of repeats has been said. */
  private readonly last = new Map<string, { at: number; said: boolean }>();

  /** `windowMs` 0 turns the check off. */
  constructor(private readonly windowMs: number) {}

  /** Records a read of `key` from scan group `group` at `now`; the window slides with every repeat. */
  check(group: string, key: string, now: number): ReadVerdict {
    if (this.windowMs <= 0) return 'read';
    // Math.abs: a wall clock stepped back must not make an old read look like a repeat.
    const outside = (at: number) => Math.abs(now - at) >= this.windowMs;
    for (const [id, entry] of this.last) {
      if (!outside(entry.at)) break;
      this.last.delete(id);
    }
    // Group names (device ids) hold no NUL, so group and key can't run together.
    const id = `${group}\0${key}`;
    const entry = this.last.get(id);
    this.last.delete(id);
    if (entry === undefined || outside(entry.at)) {
      this.last.set(id, { at: now, said: false });
      return 'read';
    }
    entry.at = now;
    this.last.set(id, entry);
    if (entry.said) return 'repeat';
    entry.said = true;
    return 'double';
  }

  /** Reads remembered now (for tests of the bound). */
  get size(): number {
    return this.last.size;
  }
}
