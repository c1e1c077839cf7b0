/**
 * The station's work, one bounded lane per source, served round-robin: a scanner flooding its lane can
 * never make another wait for more than one of its items, and a full lane drops the newest arrival (its
 * caller counts and reports it). push and shift are O(1) apart from shifting a lane of at most `cap`.
 * Memory is bounded by (lanes × cap) items.
 */
export interface Queued<T> {
  lane: string;
  item: T;
  /** When it was pushed (the caller's clock): the watchdog's measure of waiting. */
  queuedAt: number;
}

export class FairQueue<T> {
  private readonly lanes = new Map<string, Queued<T>[]>();
  /** Lanes with work, in the order they are served next. */
  private ready: string[] = [];
  private count = 0;

  /** `cap(lane)`: how many items that lane may hold (Infinity for internal work that bounds itself). */
  constructor(private readonly cap: (lane: string) => number) {}

  get size(): number {
    return this.count;
  }

  /** Adds `item` to its lane; false (and nothing added) when the lane is full. */
  push(lane: string, item: T, queuedAt: number): boolean {
    let queue = this.lanes.get(lane);
    if (queue === undefined) {
      queue = [];
      this.lanes.set(lane, queue);
    }
    if (queue.length >= this.cap(lane)) return false;
    queue.push({ lane, item, queuedAt });
    if (queue.length === 1) this.ready.push(lane);
    this.count++;
    return true;
  }

  /** The next item, taking lanes in turn. */
  shift(): Queued<T> | undefined {
    const lane = this.ready.shift();
    if (lane === undefined) return undefined;
    const queue = this.lanes.get(lane)!;
    const next = queue.shift()!;
    this.count--;
    if (queue.length > 0) this.ready.push(lane);
    return next;
  }

  /** Items waiting in `lane`. */
  sizeOf(lane: string): number {
    return this.lanes.get(lane)?.length ?? 0;
  }

  /** When the longest-waiting item was pushed, or undefined when empty. O(lanes). */
  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const lane of this.ready) {
      const at = this.lanes.get(lane)![0]!.queuedAt;
      if (oldest === undefined || at < oldest) oldest = at;
    }
    return oldest;
  }

  /** Drops everything waiting (stop). */
  clear(): void {
    this.lanes.clear();
    this.ready = [];
    this.count = 0;
  }
}
