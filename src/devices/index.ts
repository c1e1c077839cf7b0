/**
 * Builds the scanner driver each configured device needs. node-hid is loaded only when a HID device
 * starts, so a machine without libusb runs everything else.
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Scanner, ScannerSink } from './scanner.js';
import { SerialScanner } from './serial.js';
import { HidScanner } from './hid.js';
import { ReplayScanner } from './replay.js';
import { TerminalScanner } from './terminal.js';

/** `stdin` is where the terminal device reads in headless mode. */
export function createScanner(
  config: DeviceConfig,
  sink: ScannerSink,
  stdin: NodeJS.ReadableStream = process.stdin,
): Scanner {
  switch (config.type) {
    case 'serial':
      return new SerialScanner(config, sink);
    case 'hid':
      return new HidScanner(config, sink);
    case 'replay':
      return new ReplayScanner(config, sink);
    case 'terminal':
      return new TerminalScanner(config, sink, stdin);
  }
}
