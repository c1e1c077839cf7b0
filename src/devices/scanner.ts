/**
 * What every scanner driver gives the rest of offcirc: scans, status changes and warnings, through a
 * sink passed in at construction. Drivers know nothing about patrons or items.
 */

/** What a scanner read: the text as received (not yet normalized), which device, when. */
export interface Scan {
  text: string;
  /** The configured device id. */
  device: string;
  /** Milliseconds since the epoch, when the scan's last byte arrived. */
  at: number;
  /** The AIM symbology identifier (e.g. "]F0") where the device reports it apart from the text. */
  symbology?: string;
  /**
   * Devices whose scans can also reach offcirc another way share a group (a keyboard-mode HID scanner
   * read without `exclusive` also types into the terminal): double reads are recognised per group.
   * Defaults to the device id.
   */
  group?: string;
  /** Set when the driver already knows the scan is unusable (e.g. an unknown HID usage ID). */
  error?: string;
}

export type DeviceStatus = 'connected' | 'disconnected' | 'error';

export interface DeviceStatusEvent {
  device: string;
  status: DeviceStatus;
  /** Plain words for staff: what happened and, for errors, what to do. */
  message: string;
}

export interface ScannerSink {
  scan(scan: Scan): void;
  status(event: DeviceStatusEvent): void;
  /** Something a technician should know that isn't a status change (e.g. a dropped fragment). */
  warn(device: string, message: string): void;
  /** A finite device (terminal input closed, recording played) has nothing more to send. */
  ended?(device: string): void;
}

/** A scanner driver. The constructor does no I/O; start() opens (and keeps retrying), stop() closes. */
export interface Scanner {
  readonly id: string;
  /** Resolves once the first attempt to open has been made; never rejects for a missing device. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends the device its good/bad signal (beep, light) after a decision, where configured. */
  feedback?(kind: 'good' | 'bad'): void;
}
