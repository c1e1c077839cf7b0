/**
 * One desk's file from several stations (pure): each station's lines stay in exactly their own order
 * (generation, then line: a station's clock may go backwards), and between stations the next line is
 * the earliest head by (time, station, generation, line). A stable k-way merge: O(n log k) for n lines
 * of k stations, O(k) extra memory.
 */

export interface StationLine {
  station: string;
  generation: number;
  line: number;
  /** YYYYMMDDHHMM as written by the station. */
  stamp: string;
  record: string;
}

const before = (a: StationLine, b: StationLine): boolean =>
  a.stamp !== b.stamp
    ? a.stamp < b.stamp
    : a.station !== b.station
      ? a.station < b.station
      : a.generation !== b.generation
        ? a.generation < b.generation
        : a.line < b.line;

/**
 * Merges `lines`, which must come station by station, each station's lines in (generation, line)
 * order (as `ORDER BY station, generation, line` returns them). Throws a TypeError if they don't.
 */
export function mergeStations(lines: readonly StationLine[]): StationLine[] {
  // Runs: [start, end) of each station's lines.
  const runs: { at: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as StationLine;
    const previous = lines[i - 1];
    if (previous && previous.station === line.station) {
      if (
        previous.generation > line.generation ||
        (previous.generation === line.generation && previous.line >= line.line)
      )
        throw new TypeError(
          `lines of station ${line.station} are not in (generation, line) order at index ${i}`,
        );
      continue;
    }
    if (previous && previous.station > line.station)
      throw new TypeError(`stations are not in order at index ${i}`);
    if (runs.length) (runs[runs.length - 1] as { end: number }).end = i;
    runs.push({ at: i, end: lines.length });
  }
  // A binary min-heap of runs by their head line.
  const heap = runs.slice();
  const head = (r: { at: number }) => lines[r.at] as StationLine;
  const less = (x: number, y: number) => before(head(heap[x]!), head(heap[y]!));
  const swap = (x: number, y: number) => {
    const t = heap[x]!;
    heap[x] = heap[y]!;
    heap[y] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
  const out: StationLine[] = [];
  while (heap.length) {
    const run = heap[0]!;
    out.push(head(run));
    run.at++;
    if (run.at === run.end) {
      const last = heap.pop()!;
      if (heap.length) heap[0] = last;
    }
    if (heap.length) down(0);
  }
  return out;
}
