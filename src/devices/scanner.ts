/**
 * What every scanner driver gives the rest of offcirc, in the station's own terms (station/ports.ts): a
 * driver is a ScanSource delivering to a ScanSink. Drivers know nothing about patrons or items. The types
 * here only name the station's ones as drivers see them, plus what a driver's scan may add.
 */
import type { KioskScan } from '../kiosk/events.js';
import type { ScanSink, ScanSource, SourceStatus } from '../station/ports.js';
import type { DeviceStatus } from '../station/view.js';

/** What a scanner read: the text as received (not yet normalized), which device, when. */
export interface Scan extends KioskScan {
  /** The AIM symbology identifier (e.g. "]F0") where the device reports it apart from the text. */
  symbology?: string;
}

export type { DeviceStatus };
export type DeviceStatusEvent = SourceStatus;
export type ScannerSink = ScanSink;
/** A scanner driver. The constructor does no I/O; start() opens (and keeps retrying), stop() closes. */
export type Scanner = ScanSource;
