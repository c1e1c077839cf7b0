/**
 * Loans per patron today (local date), in memory only: seeded at start from what this station wrote
 * today (the journal and today's outbox files), counted on as loans are written, forgotten at midnight.
 * O(1) per call; memory grows with today's patrons.
 */
import { localDay } from '../local-day.js';
import { KIOSK_REASONS } from './reasons.js';

export class DayLoans {
  private day: number;
  private readonly counts: Map<string, number>;

  /** `seed`: loans per patron ID already written on the local day of `at`. */
  constructor(at: number, seed: ReadonlyMap<string, number> = new Map()) {
    this.day = localDay(at);
    this.counts = new Map(seed);
  }

  count(patron: string, now: number): number {
    this.roll(now);
    return this.counts.get(patron) ?? 0;
  }

  add(patron: string, at: number): void {
    this.roll(at);
    // A loan stamped on another day (the clock stepped) counts on no day but its own.
    if (localDay(at) !== this.day) return;
    this.counts.set(patron, (this.counts.get(patron) ?? 0) + 1);
  }

  private roll(now: number): void {
    const day = localDay(now);
    if (day <= this.day) return;
    this.day = day;
    this.counts.clear();
  }
}

export interface Limits {
  itemsPerSession?: number;
  itemsPerPatronPerDay?: number;
}

/** Why one more loan would break a limit, given the loans already in the session and the patron's today. */
export function limitReason(
  limits: Limits | undefined,
  loans: { session: number; today?: number },
): string | undefined {
  if (limits?.itemsPerSession !== undefined && loans.session >= limits.itemsPerSession)
    return KIOSK_REASONS.sessionLimit(limits.itemsPerSession);
  if (
    limits?.itemsPerPatronPerDay !== undefined &&
    loans.today !== undefined &&
    loans.today >= limits.itemsPerPatronPerDay
  )
    return KIOSK_REASONS.dayLimit(limits.itemsPerPatronPerDay);
  return undefined;
}
