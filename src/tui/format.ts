/** Small text formatters for the kiosk screen: local clock times, countdowns, masked patron IDs. */

const two = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock "HH:MM", as written in the journal. */
export function hhmm(at: number): string {
  const d = new Date(at);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Local wall-clock "HH:MM:SS", for the status line's clock. */
export function hhmmss(at: number): string {
  const d = new Date(at);
  return `${hhmm(at)}:${two(d.getSeconds())}`;
}

/** Whole seconds left until `until` (rounded up, so "0:00" only once time is really up), never negative. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "m:ss" for a countdown. */
export function countdown(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${two(seconds % 60)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local date as "Tue 15 Dec": a due date, short enough for a list row and any terminal's font. */
export function dayDate(at: number): string {
  const d = new Date(at);
  return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}`;
}
