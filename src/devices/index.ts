/**
 * Builds the scanner driver each configured device needs. Drivers are imported lazily so a machine
 * without a part (no libusb for HID, say) still runs everything else.
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Log } from '../log.js';
import type { Scanner, ScannerSink } from './scanner.js';
import { SerialScanner } from './serial.js';
import { HidScanner } from './hid.js';
import { ReplayScanner } from './replay.js';
import { TerminalScanner } from './terminal.js';

export interface ScannerContext {
  /** Standard input, for the terminal device in headless mode. */
  stdin?: NodeJS.ReadableStream;
  log: Log;
}

export function createScanner(config: DeviceConfig, sink: ScannerSink, context: ScannerContext): Scanner {
  switch (config.type) {
    case 'serial':
      return new SerialScanner(config, sink);
    case 'hid':
      return new HidScanner(config, sink);
    case 'replay':
      return new ReplayScanner(config, sink);
    case 'terminal':
      return new TerminalScanner(config, sink, context.stdin ?? process.stdin);
  }
}
