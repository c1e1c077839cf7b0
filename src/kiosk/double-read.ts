/**
 * Recognises a scanner reading the same barcode again within a short window (a patron holding the book
 * under the beam). Pure: the clock is passed in. O(k) per read, k = reads still inside the window.
 */

/** 'read': a new read; 'double': the first repeat of a run, to be said; 'repeat': a later one, silent. */
export type ReadVerdict = 'read' | 'double' | 'repeat';

export class DoubleReads {
  /** Last read of each (group, key), with whether its current run of repeats has been said. */
  private readonly last = new Map<string, { at: number; said: boolean }>();

  /** `windowMs` 0 turns the check off. */
  constructor(private readonly windowMs: number) {}

  /** Records a read of `key` from scan group `group` at `now`; the window slides with every repeat. */
  check(group: string, key: string, now: number): ReadVerdict {
    if (this.windowMs <= 0) return 'read';
    // Forget reads that left the window, so the map stays as small as a few seconds of scanning.
    // Math.abs: a wall clock stepped back must not make an old read look like a repeat.
    for (const [id, entry] of this.last) if (Math.abs(now - entry.at) >= this.windowMs) this.last.delete(id);
    const id = JSON.stringify([group, key]);
    const entry = this.last.get(id);
    if (entry === undefined) {
      this.last.set(id, { at: now, said: false });
      return 'read';
    }
    entry.at = now;
    if (entry.said) return 'repeat';
    entry.said = true;
    return 'double';
  }
}
