/**
 * Everything the kiosk decides, as events a screen or log can show. Pure data: no I/O here.
 */
import type { Mode } from '../config/schema.js';
import type { PatronListInfo } from './patrons.js';

export type { Mode };

/**
 * The double-read group of everything that arrives as typed keys (the terminal, the screen's typed lines,
 * a keyboard-mode HID scanner read without `exclusive`): one scan arriving two ways counts once.
 */
export const KEYBOARD_GROUP = 'keyboard';

/** A scan as the kiosk sees it: the text as received, which device, when (drivers' scans are this). */
export interface KioskScan {
  text: string;
  /** The configured device id. */
  device: string;
  /** Milliseconds since the epoch, when the scan's last byte arrived. */
  at: number;
  /** Double reads are recognised per group (a scan that can arrive two ways shares one); default: device. */
  group?: string;
  /** Set when the driver already knows the scan is unusable (e.g. an unknown HID usage ID). */
  error?: string;
}

/** The most transactions a view lists (the newest): more than any screen has rows for. */
export const RECENT_KEPT = 100;

export interface RecentTransaction {
  kind: 'loan' | 'return';
  item: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** A loan's provisional due date: the end of the due day in local time (ms since the epoch). */
  due?: number;
}

/** What a session did, for the screen's summary when it ends: counts and due dates, no barcodes. */
export interface SessionSummary {
  loans: number;
  /** Each loan's provisional due date, in the order lent (loans without one are left out). */
  due: number[];
}

/** A card the patron list doesn't vouch for, and what the kiosk did: lent, warned, or staff admitted it. */
export interface PatronCheck {
  standing: 'blocked' | 'expired' | 'unknown';
  action: 'lend' | 'warn' | 'admitted';
}

/** The kiosk's part of what a screen shows. */
export interface KioskView {
  mode: Mode;
  /** The patron of the open loan session (unmasked: the screen masks it). */
  patron?: string;
  /** When the open session ends unless another scan comes (ms since the epoch). */
  sessionEndsAt?: number;
  /**
   * This session's loans, or the returns since the last pause in return mode; newest last. At most
   * RECENT_KEPT: `recentEarlier` says how many older ones there were (absent when there were none).
   */
  recent: RecentTransaction[];
  recentEarlier?: number;
  inService: boolean;
  outOfServiceReason?: string;
  /** The patron list in use, when one is configured or loaded (for staff). */
  patronList?: PatronListInfo;
  /** A refused card staff could admit now (the admit key and the PIN). */
  admittable?: boolean;
  /** The open session's card was lent to with a warning (the screen asks the patron to see staff). */
  patronWarning?: boolean;
}

/** A loan or return the kiosk wants written; it is done only once the journal says it is durable. */
export interface Transaction {
  kind: 'loan' | 'return';
  item: string;
  /** Present on loans only. */
  patron?: string;
  /** Milliseconds since the epoch: the time written in the line (local wall-clock time). */
  at: number;
  device: string;
}

export type KioskEvent =
  /** `due`: a loan's provisional due date (ms since the epoch, the end of the due day in local time). */
  | { type: 'transaction'; transaction: Transaction; line: number; due?: number }
  | { type: 'rejected'; reason: string; device?: string; at: number; text?: string }
  | { type: 'ignored'; reason: string; device?: string; at: number }
  | {
      type: 'session';
      action: 'opened' | 'ended';
      patron: string;
      reason?: 'replaced' | 'idle' | 'command' | 'mode';
      at: number;
      /** On 'opened': the card was not in good standing on the patron list, and what was done. */
      check?: PatronCheck;
      /** On 'ended': what the session did. */
      summary?: SessionSummary;
    }
  /** Return mode's list of returns ended (idle, "Done", a mode change): how many, for the summary. */
  | { type: 'returns'; action: 'ended'; returns: number; reason: 'idle' | 'command' | 'mode'; at: number }
  | { type: 'mode'; mode: Mode; at: number }
  | { type: 'service'; inService: boolean; reason?: string; at: number };

/**
 * A patron ID as screens, logs and receipts may show it: always four `dot`s and the last four characters,
 * so the ID's length doesn't show either; an ID of four characters or fewer shows none of them. The one
 * masking rule (README: Logs and state).
 */
export function maskPatron(patron: string, dot = '•'): string {
  const chars = [...patron];
  const dots = dot.repeat(4);
  return chars.length > 4 ? `${dots}${chars.slice(-4).join('')}` : dots;
}
