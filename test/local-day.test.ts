/**
 * localDay, localDate and nextMidnight (src/local-day.ts) keep the last day's bounds: they must say what a
 * fresh Date says, for any sequence of times. Run in America/Santiago, where summer time starts at
 * midnight (the day's first hour is missing) and ends at midnight (an hour comes twice).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from './fuzz/runs.js';

process.env.TZ = 'America/Santiago';
const { localDate, localDay, nextMidnight } = await import('../src/local-day.js');

const two = (n: number) => String(n).padStart(2, '0');
function expected(at: number) {
  const d = new Date(at);
  return {
    day: d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate(),
    date: `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`,
    // The first moment whose local date is the next one.
    next: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime(),
  };
}
const check = (times: number[]) => {
  for (const at of times)
    expect({ day: localDay(at), date: localDate(at), next: nextMidnight(at) }, String(at)).toEqual(
      expected(at),
    );
};

describe('the local day of a time', () => {
  it('across the midnights where summer time starts and ends, and on either side of each', () => {
    // 2026-09-06 00:00 -03 doesn't exist (clocks go 00:00 → 01:00); 2026-04-05 00:00 comes twice.
    const spring = Date.UTC(2026, 8, 6, 4, 0); // 01:00 -03, the day's first moment
    const autumn = Date.UTC(2026, 3, 5, 3, 0); // 00:00 -03 → 23:00 -04 of the 4th
    const around = (t: number) => [t - 3_600_001, t - 1, t, t + 1, t + 3_600_000, t + 86_400_000];
    check([...around(spring), ...around(autumn), ...around(spring).reverse()]);
    expect(nextMidnight(spring - 1)).toBe(spring);
  });

  it('agrees with a fresh Date for any sequence of times', () => {
    const time = fc.oneof(
      fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
      fc.integer({ min: Date.UTC(2026, 3, 3), max: Date.UTC(2026, 3, 7) }),
      fc.integer({ min: Date.UTC(2026, 8, 4), max: Date.UTC(2026, 8, 8) }),
    );
    fc.assert(fc.property(fc.array(time, { maxLength: 40 }), check), { numRuns: fuzzRuns(300) });
  });

  it('a time that is no date gives no date, and is never kept', () => {
    expect(localDay(NaN)).toBeNaN();
    expect(localDate(NaN)).toBe('NaN-NaN-NaN');
    check([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 5]);
  });
});
