/**
 * Everything the kiosk decides, as events a screen or log can show. Pure data: no I/O here.
 */
import type { Mode } from '../config/schema.js';

export type { Mode };

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

export interface RecentTransaction {
  kind: 'loan' | 'return';
  item: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** The kiosk's part of what a screen shows. */
export interface KioskView {
  mode: Mode;
  /** The patron of the open loan session (unmasked: the screen masks it). */
  patron?: string;
  /** When the open session ends unless another scan comes (ms since the epoch). */
  sessionEndsAt?: number;
  /** This session's loans, or the returns since the last pause in return mode; newest last. */
  recent: RecentTransaction[];
  inService: boolean;
  outOfServiceReason?: string;
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
  /** `due`: a loan's provisional due date (ms since the epoch), where the kiosk sets one. */
  | { type: 'transaction'; transaction: Transaction; line: number; due?: number }
  | { type: 'rejected'; reason: string; device?: string; at: number; text?: string }
  | { type: 'ignored'; reason: string; device?: string; at: number }
  | {
      type: 'session';
      action: 'opened' | 'ended';
      patron: string;
      reason?: 'replaced' | 'idle' | 'command' | 'mode';
      at: number;
    }
  | { type: 'mode'; mode: Mode; at: number }
  | { type: 'service'; inService: boolean; reason?: string; at: number };

/** Masks all but the last 4 characters of a patron ID, for screens and logs. */
export function maskPatron(patron: string): string {
  if (patron.length <= 4) return '•'.repeat(patron.length);
  return '•'.repeat(patron.length - 4) + patron.slice(-4);
}
