/**
 * The station's three ports, owned by the core: where scans come from (ScanSource), where transactions
 * go (TransactionStore), and who hears what happened (StationOutput). The station is written against
 * these alone; app.ts plugs the concrete parts in (scanners, the journal, the log, the screen, …).
 */
import type { KioskEvent, KioskScan, Transaction } from '../kiosk/events.js';
import type { DeviceStatus, StationView } from './view.js';

/** What a store says about one transaction. Only `written` means it is done. */
export type StoreOutcome =
  | { kind: 'written'; line: number }
  /** This transaction can't be represented (the store is fine): reject it, stay in service. */
  | { kind: 'refused'; reason: string }
  /** The store can't be written (disk full, permission, I/O): go out of service until a probe succeeds. */
  | { kind: 'unavailable'; reason: string };

/** What a store says when asked whether it can be written again. */
export type ProbeOutcome = { kind: 'available' } | { kind: 'unavailable'; reason: string };

/** A rotation: the store's content handed on (`file`, with its `lines`), or nothing to hand on. */
export type RotateOutcome =
  { kind: 'rotated'; file: string; lines: number } | { kind: 'empty' } | { kind: 'failed'; reason: string };

export interface StoreOpened {
  /** Where the store is, in words staff recognise (the journal's path). */
  path: string;
  /** Lines already in it. */
  lines: number;
  /** Transactions of today (local date) already in it, so "N today" is true after a crash. */
  today: { loans: number; returns: number };
}

export interface TransactionStore {
  /** Opens the store; rejects (with a message for staff) when it can't be used at all. */
  start(): Promise<StoreOpened>;
  /** Makes `tx` durable; resolves only once it is (or is known not to be). Never rejects. */
  append(tx: Transaction): Promise<StoreOutcome>;
  /** Whether writing works again, without writing a transaction. Never rejects. */
  probe(): Promise<ProbeOutcome>;
  /** Hands the store's content on (the journal to the outbox) and starts afresh. Never rejects. */
  rotate(at: number): Promise<RotateOutcome>;
  stop(): Promise<void>;
}

/** Status changes, warnings and the end of input, from a source to the station. */
export interface SourceStatus {
  device: string;
  status: DeviceStatus;
  /** Plain words for staff: what happened and, for errors, what to do. */
  message: string;
}

/** Where a source delivers: one sink for all sources; each scan names its device. */
export interface ScanSink {
  scan(scan: KioskScan): void;
  status(event: SourceStatus): void;
  /** Something a technician should know that isn't a status change. */
  warn(device: string, message: string): void;
  /** A source that can end (piped input, a recording) has nothing more to send. */
  ended?(device: string): void;
}

/**
 * A scanner, a recording, the screen's typed lines. The station exits by itself once every source has
 * ended; sources that never end (a serial scanner, the screen) keep it running.
 */
export interface ScanSource {
  readonly id: string;
  /** Resolves once the first attempt to open has been made; never rejects for a missing device. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The good/bad signal (beep, light) after a decision, where the device has one. */
  feedback?(kind: 'good' | 'bad'): void;
  /**
   * Hold back new scans (its lane in the station is filling) and go on. A source that can leaves them
   * where they are (a serial port's buffers, the sender waits); one that can't keeps sending, and what
   * doesn't fit in its lane is dropped.
   */
  pause?(): void;
  resume?(): void;
}

/** Something the station says happened that is not a kiosk decision. */
export type StationNotice =
  | { type: 'device'; device: string; status: DeviceStatus; message: string; at: number }
  /** A scan was decided: `ok` false for a rejection (the scanner's good/bad signal follows this). */
  | { type: 'decision'; device: string; ok: boolean; at: number }
  /** The store's content was handed on (the journal moved to the outbox). */
  | { type: 'rotated'; file: string; lines: number; at: number }
  /** The receipt printer's state changed, or a receipt was printed or dropped (`receipt`). */
  | {
      type: 'printer';
      status: DeviceStatus;
      message: string;
      receipt?: 'printed' | 'dropped';
      at: number;
    }
  /** The view changed for another reason (the outbox count). */
  | { type: 'view'; at: number };

export type StationEvent = KioskEvent | StationNotice;

/**
 * Hears every event once. `view` builds the station's view as it stands when called: an output that
 * needs it calls it, the others don't pay for it. Must not throw or block.
 */
export interface StationOutput {
  start?(view: () => StationView): Promise<void> | void;
  onEvent(event: StationEvent, view: () => StationView): void;
  stop?(): Promise<void> | void;
}
