/**
 * Provisional due dates: a loan made at `at` is due `days` later (the item rule's loanDays, else
 * loans.days), moved on past closed days (listed dates and weekdays), at the end of that day in local
 * time. Alma sets the real date when the file is uploaded. Pure; O(closed days ahead), at most a year.
 */

export interface DueRules {
  /** Loan days when no item rule says otherwise; undefined: loans get no due date. */
  days?: number;
  /** Dates "YYYY-MM-DD" and weekday names ("sunday"), any case. */
  closed: readonly string[];
  /** Item rules in order: the first whose pattern matches the item gives its loanDays (if it has one). */
  items: readonly { pattern: string; loanDays?: number }[];
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const dateKey = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Returns the due-date function for these rules: (item, at) → ms since the epoch, or undefined. */
export function createDueRule(rules: DueRules): (item: string, at: number) => number | undefined {
  const closedWeekdays = new Set<number>();
  const closedDates = new Set<string>();
  for (const day of rules.closed) {
    const weekday = WEEKDAYS.indexOf(day.toLowerCase());
    if (weekday >= 0) closedWeekdays.add(weekday);
    else closedDates.add(day);
  }
  const items = rules.items.map((r) => ({ pattern: new RegExp(r.pattern), loanDays: r.loanDays }));
  return (item, at) => {
    const days = items.find((r) => r.pattern.test(item))?.loanDays ?? rules.days;
    if (days === undefined) return undefined;
    const start = new Date(at);
    // Calendar days in local time (a change of clocks in between moves nothing).
    const due = new Date(start.getFullYear(), start.getMonth(), start.getDate() + days);
    for (let i = 0; i < 366 && (closedWeekdays.has(due.getDay()) || closedDates.has(dateKey(due))); i++)
      due.setDate(due.getDate() + 1);
    return endOfDay(due);
  };
}

/** The last millisecond of the local day of `day`. */
export function endOfDay(day: Date): number {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).getTime() - 1;
}
