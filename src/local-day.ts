/**
 * The local calendar day a wall-clock time falls in: the "today" of the day's loan limits, the patron
 * list's expiry, the state file and the log's file names. One copy of the rule. The last day asked is
 * kept with its bounds, so the scans of one day cost two comparisons rather than a Date each; the bounds
 * come from Date's own local time, so a change of clocks (summer time) moves them where it should.
 */
interface Day {
  /** The day's first millisecond, and the next day's. */
  start: number;
  end: number;
  /** YYYYMMDD as a number. */
  day: number;
  /** "YYYY-MM-DD". */
  date: string;
}

let last: Day = { start: NaN, end: NaN, day: NaN, date: '' };

const two = (n: number) => String(n).padStart(2, '0');

function dayOf(at: number): Day {
  if (at >= last.start && at < last.end) return last;
  const d = new Date(at);
  const year = d.getFullYear();
  const month = d.getMonth() + 1;
  const date = d.getDate();
  const start = new Date(at).setHours(0, 0, 0, 0);
  const end = new Date(at).setHours(24, 0, 0, 0);
  const day = {
    start,
    end,
    day: year * 10000 + month * 100 + date,
    date: `${year}-${two(month)}-${two(date)}`,
  };
  // A time that is no date (NaN) gives NaN bounds: never kept, since nothing is within them.
  last = day;
  return day;
}

/** The local date of `at` as the number YYYYMMDD. */
export const localDay = (at: number): number => dayOf(at).day;

/** The local date of `at` as "YYYY-MM-DD". */
export const localDate = (at: number): string => dayOf(at).date;

/** The first millisecond of the local day after the one `at` falls in. */
export const nextMidnight = (at: number): number => dayOf(at).end;
