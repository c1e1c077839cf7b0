/**
 * What a screen needs to draw the station at any moment: a plain snapshot, rebuilt by the station from
 * the kiosk's view, the devices and the store. The screen reads it and the kiosk's events; it decides
 * nothing.
 */
import type { KioskCommand } from '../config/commands.js';
import type { KioskEvent, KioskView, RecentTransaction } from '../kiosk/events.js';

export type { RecentTransaction };

export type DeviceStatus = 'connected' | 'disconnected' | 'error';

export interface StationView extends KioskView {
  station: string;
  devices: { id: string; status: DeviceStatus; message: string }[];
  journal: {
    path: string;
    /** Transactions written today (local date). */
    today: number;
    lastWrite?: { ok: true; at: number } | { ok: false; error: string; at: number };
  };
  /** The receipt printer, where one is configured: its state, and when a receipt was last dropped. */
  printer?: { status: DeviceStatus; message: string; droppedAt?: number };
  /** Rotated files waiting in the outbox for upload, where known. */
  outbox?: number;
  /** Forwarding to the database, when configured. */
  forward?: {
    state: 'connecting' | 'connected' | 'behind' | 'caught-up' | 'error';
    behind: number;
    reason?: string;
  };
}

/** A source of views and events, as the screen subscribes to it. */
export interface StationFeed {
  view(): StationView;
  /** Calls back on every kiosk event and every view change; returns the unsubscribe function. */
  subscribe(listener: (event?: KioskEvent) => void): () => void;
}

/** What the screen may ask the station to do. */
export interface StationControl {
  command(command: KioskCommand): void;
  /** The patron asks for a receipt (the receipt key); absent where no printer is configured. */
  receipt?(): void;
  /**
   * A line typed on the terminal and ended with Enter: a scan from the terminal device; with `error`, one
   * already known to be unusable, which the kiosk rejects with that reason.
   */
  scanLine(text: string, error?: string): void;
  quit(): void;
}
