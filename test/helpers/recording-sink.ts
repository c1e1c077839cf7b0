/** A ScannerSink that keeps everything a driver reports, for tests to wait on and inspect. */
import type { DeviceStatusEvent, Scan, ScannerSink } from '../../src/devices/scanner.js';

export interface RecordingSink extends ScannerSink {
  scans: Scan[];
  statuses: DeviceStatusEvent[];
  warnings: { device: string; message: string }[];
  /** Devices that said they had nothing more to send. */
  finished: string[];
  /** Every call in order, e.g. "status connected", "scan 2123…", "warn …", "ended". */
  log: string[];
}

export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    scans: [],
    statuses: [],
    warnings: [],
    finished: [],
    log: [],
    scan(scan) {
      sink.scans.push(scan);
      sink.log.push(`scan ${scan.text}`);
    },
    status(event) {
      sink.statuses.push(event);
      sink.log.push(`status ${event.status}`);
    },
    warn(device, message) {
      sink.warnings.push({ device, message });
      sink.log.push(`warn ${message}`);
    },
    ended(device) {
      sink.finished.push(device);
      sink.log.push('ended');
    },
  };
  return sink;
}
