/**
 * Everything the kiosk decides, as events a screen or log can show. Pure data: no I/O here.
 */
import type { Mode } from '../config/schema.js';

export type { Mode };

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
  | { type: 'transaction'; transaction: Transaction; line: number }
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
