/**
 * What the kiosk asks of the offline patron list, and the rule that turns an answer into a standing and
 * a policy. The list itself (a file of keyed hashes, src/patrons/) is injected behind PatronDirectory:
 * the kiosk does no I/O. O(1) here; the lookup costs what the directory says (a binary search).
 */
import type { PatronCheck } from './events.js';
import { localDay } from '../local-day.js';
import { KIOSK_REASONS } from './reasons.js';

/** One card's entry in the list. `expiry` is a local date as the number YYYYMMDD. */
export interface PatronRecord {
  blocked: boolean;
  inactive: boolean;
  expiry?: number;
}

/** What staff see of the list on the status line. */
export interface PatronListInfo {
  /** A list is loaded and cards are checked against it. */
  loaded: boolean;
  /** When the import that wrote it ran (ms since the epoch). */
  builtAt?: number;
  entries?: number;
  /** Why the newest list could not be read (the one before stays in use), or why there is none. */
  problem?: string;
}

export interface PatronDirectory {
  /** undefined: no list is loaded (cards are not checked); null: the card is not on the list. */
  lookup(patron: string): PatronRecord | null | undefined;
  info(): PatronListInfo;
}

export type Standing = 'blocked' | 'expired' | 'unknown';
export type Policy = 'refuse' | 'warn' | 'lend';
export type PatronPolicies = Record<Standing, Policy>;

export const DEFAULT_POLICIES: PatronPolicies = { blocked: 'refuse', expired: 'refuse', unknown: 'lend' };

/**
 * The card's standing at `now`: blocked (an active block, or an inactive account: Alma lends to neither),
 * expired (its expiry date is before today), unknown (not on the list), or undefined when it is in good
 * standing or no list is loaded.
 */
export function standingOf(
  directory: PatronDirectory | undefined,
  patron: string,
  now: number,
): Standing | undefined {
  const record = directory?.lookup(patron);
  if (record === undefined) return undefined;
  if (record === null) return 'unknown';
  if (record.blocked || record.inactive) return 'blocked';
  if (record.expiry !== undefined && record.expiry < localDay(now)) return 'expired';
  return undefined;
}

const REFUSALS: Record<Standing, string> = {
  blocked: KIOSK_REASONS.patronBlocked,
  expired: KIOSK_REASONS.patronExpired,
  unknown: KIOSK_REASONS.patronUnknown,
};

/**
 * What a card scanned in loan mode gets: refused (with the reason, and its standing for a staff admit),
 * or a session, noting the standing and the policy applied when the card was not in good standing.
 */
export function judgeCard(
  directory: PatronDirectory | undefined,
  policies: PatronPolicies = DEFAULT_POLICIES,
  patron: string,
  now: number,
): { refuse: string; standing: Standing } | { check?: PatronCheck } {
  const standing = standingOf(directory, patron, now);
  if (standing === undefined) return {};
  const policy = policies[standing];
  if (policy === 'refuse') return { refuse: REFUSALS[standing], standing };
  return { check: { standing, action: policy } };
}
