/** The desk merge: a permutation, each station's order kept, and every pick the earliest head. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { mergeStations, type StationLine } from '../../src/collect/merge.js';
import { fuzzRuns } from './runs.js';

const station = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const stamp = fc.integer({ min: 0, max: 30 }).map((m) => `2026113009${String(m).padStart(2, '0')}`);

it('keeps every line once, each station in its own order, always taking the earliest head', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(station, fc.boolean(), stamp), { maxLength: 60 }), (draws) => {
      const next = new Map<string, { generation: number; line: number }>();
      const lines: StationLine[] = [];
      for (const [s, rotate, t] of draws) {
        const at = next.get(s) ?? { generation: 1, line: 0 };
        const cursor =
          rotate && at.line > 0 ? { generation: at.generation + 1, line: 1 } : { ...at, line: at.line + 1 };
        next.set(s, cursor);
        lines.push({ station: s, ...cursor, stamp: t, record: `${s}:${cursor.generation}:${cursor.line}` });
      }
      const input = lines
        .slice()
        .sort(
          (x, y) =>
            (x.station < y.station ? -1 : x.station > y.station ? 1 : 0) ||
            x.generation - y.generation ||
            x.line - y.line,
        );
      const merged = mergeStations(input);
      expect(merged.map((l) => l.record).sort()).toEqual(input.map((l) => l.record).sort());
      for (const s of ['a', 'b', 'c', 'd', 'e'])
        expect(merged.filter((l) => l.station === s)).toEqual(input.filter((l) => l.station === s));
      // Each pick is the smallest (stamp, station) among the stations' heads at that moment.
      const heads = new Map<string, number>();
      for (const l of merged) {
        const candidates = [...new Set(input.map((x) => x.station))]
          .map((s) => input.filter((x) => x.station === s)[heads.get(s) ?? 0])
          .filter((x): x is StationLine => x !== undefined);
        const best = candidates.reduce((m, x) =>
          x.stamp < m.stamp || (x.stamp === m.stamp && x.station < m.station) ? x : m,
        );
        expect(l).toBe(best);
        heads.set(l.station, (heads.get(l.station) ?? 0) + 1);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
