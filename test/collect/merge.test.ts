import { describe, expect, it } from 'vitest';
import { mergeStations, type StationLine } from '../../src/collect/merge.js';

const line = (station: string, generation: number, n: number, stamp: string): StationLine => ({
  station,
  generation,
  line: n,
  stamp,
  record: `${station}-${generation}-${n}`,
});

describe('mergeStations', () => {
  it("interleaves stations by time and keeps each station's own order, even when its clock went back", () => {
    const a = [
      line('a', 1, 1, '202611300900'),
      line('a', 1, 2, '202611300905'),
      // The clock was set back: still after a-1-2.
      line('a', 2, 1, '202611300850'),
      line('a', 2, 2, '202611300910'),
    ];
    const b = [
      line('b', 1, 1, '202611300901'),
      line('b', 1, 2, '202611300905'),
      line('b', 1, 3, '202611300906'),
    ];
    const merged = mergeStations([...a, ...b]).map((l) => l.record);
    expect(merged.filter((r) => r.startsWith('a'))).toEqual(a.map((l) => l.record));
    expect(merged.filter((r) => r.startsWith('b'))).toEqual(b.map((l) => l.record));
    // a-2-1 (08:50) waits behind a-1-2 (09:05); b's 09:05 ties with a's and goes after it (station order).
    expect(merged).toEqual(['a-1-1', 'b-1-1', 'a-1-2', 'a-2-1', 'b-1-2', 'b-1-3', 'a-2-2']);
  });

  it('refuses input not grouped by station in (generation, line) order', () => {
    expect(() => mergeStations([line('a', 1, 2, '202611300900'), line('a', 1, 1, '202611300900')])).toThrow(
      TypeError,
    );
    expect(() => mergeStations([line('b', 1, 1, '202611300900'), line('a', 1, 1, '202611300900')])).toThrow(
      TypeError,
    );
  });

  it('nothing in, nothing out', () => {
    expect(mergeStations([])).toEqual([]);
  });
});
