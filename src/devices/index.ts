/**
 * Builds the scanner driver each configured device needs. A driver's module is loaded only when a
 * configured device is of its type: serialport alone costs a start about 70 ms, and a station of serial
 * scanners has no use for the HID, replay or terminal code. (node-hid itself is loaded later still, when
 * a HID device starts, so a machine without libusb runs everything else.)
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Scanner, ScannerSink } from './scanner.js';

/** Makes a device's driver; `stdin` is where the terminal device reads in headless mode. */
export type ScannerFactory = (
  config: DeviceConfig,
  sink: ScannerSink,
  stdin?: NodeJS.ReadableStream,
) => Scanner;

/**
 * Loads the drivers of these devices' types, and only those. The factory it resolves with makes the
 * driver of any of these devices; it throws for a device of a type that wasn't loaded.
 */
export async function loadScannerFactory(devices: readonly DeviceConfig[]): Promise<ScannerFactory> {
  const has = (type: DeviceConfig['type']) => devices.some((d) => d.type === type);
  const [serial, hid, replay, terminal] = await Promise.all([
    has('serial') ? import('./serial.js') : undefined,
    has('hid') ? import('./hid.js') : undefined,
    has('replay') ? import('./replay.js') : undefined,
    has('terminal') ? import('./terminal.js') : undefined,
  ]);
  return (config, sink, stdin = process.stdin) => {
    const loaded = <M>(driver: M | undefined): M => {
      if (driver === undefined) throw new Error(`no driver loaded for a device of type "${config.type}"`);
      return driver;
    };
    switch (config.type) {
      case 'serial':
        return new (loaded(serial).SerialScanner)(config, sink);
      case 'hid':
        return new (loaded(hid).HidScanner)(config, sink);
      case 'replay':
        return new (loaded(replay).ReplayScanner)(config, sink);
      case 'terminal':
        return new (loaded(terminal).TerminalScanner)(config, sink, stdin);
    }
  };
}
