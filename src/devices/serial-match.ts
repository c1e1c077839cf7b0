/**
 * Finds the serial port a `match` ({vendorId, productId, serialNumber?}) means among the ports the
 * system lists: the path changes on replug (/dev/ttyACM0 → /dev/ttyACM1), the USB IDs do not. Pure.
 */
import type { SerialPort } from 'serialport';
import type { SerialDeviceConfig } from '../config/schema.js';

/** What SerialPort.list() gives for one port (USB IDs as hex strings without "0x", e.g. "0c2e"). */
export type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];
export type UsbMatch = NonNullable<SerialDeviceConfig['match']>;

/** A USB ID as a number: config numbers as they are, hex strings with or without "0x", any case. */
export function parseUsbId(id: number | string | undefined): number | undefined {
  if (typeof id === 'number') return Number.isInteger(id) && id >= 0 && id <= 0xffff ? id : undefined;
  if (typeof id !== 'string') return undefined;
  const hex = id.trim().replace(/^0x/i, '');
  return /^[0-9a-f]{1,4}$/i.test(hex) ? parseInt(hex, 16) : undefined;
}

/** "0c2e:0b61" (and the serial number), the way lsusb shows it. */
export function describeMatch(match: UsbMatch): string {
  const hex = (id: number | string) => (parseUsbId(id) ?? 0).toString(16).padStart(4, '0');
  const ids = `${hex(match.vendorId)}:${hex(match.productId)}`;
  return match.serialNumber === undefined ? ids : `${ids} serial ${match.serialNumber}`;
}

/** Whether the port carries the matched vendor, product and (when given) serial number. */
export function portMatches(port: PortInfo, match: UsbMatch): boolean {
  const vendor = parseUsbId(port.vendorId);
  const product = parseUsbId(port.productId);
  if (vendor === undefined || vendor !== parseUsbId(match.vendorId)) return false;
  if (product === undefined || product !== parseUsbId(match.productId)) return false;
  return match.serialNumber === undefined || port.serialNumber?.trim() === match.serialNumber.trim();
}

/** The matching ports, by path so the choice among look-alikes is the same each time. */
export function findPorts(ports: readonly PortInfo[], match: UsbMatch): PortInfo[] {
  return ports.filter((p) => portMatches(p, match)).sort((a, b) => a.path.localeCompare(b.path));
}
