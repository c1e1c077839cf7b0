/**
 * The part of node-hid offcirc uses, as a seam: the driver, the recorder and discovery take a loader for
 * it, so tests feed recorded reports through the same code without a HID device (this machine has no
 * /dev/uhid). Also finding a configured device in the list, and the messages for why HID can't be used.
 */
import type { HidDeviceConfig } from '../config/schema.js';

/** One HID interface as node-hid's devices() lists it. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number;
  interface?: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** An open device: 'data' gives each input report, 'error' is also how node-hid reports an unplug. */
export interface HidHandle {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
  write(values: number[] | Buffer): number;
}

/** node-hid's module, as far as offcirc uses it (the real module fits this shape). */
export interface NodeHidModule {
  devices(): HidDeviceInfo[];
  HID: new (path: string) => HidHandle;
  /** Linux: 'libusb' detaches the kernel's keyboard driver. Process-wide; must come before devices(). */
  setDriverType?(type: 'hidraw' | 'libusb'): void;
}

export const HID_UNAVAILABLE = 'HID support unavailable: install libusb-1.0-0 (apt-get install libusb-1.0-0)';

/** Imports node-hid on first use, so a machine without libusb still runs its serial scanners. */
export async function loadNodeHid(): Promise<NodeHidModule> {
  const module = (await import('node-hid')) as unknown as NodeHidModule & { default?: NodeHidModule };
  return module.default ?? module;
}

/**
 * Whether an error means node-hid itself can't work here (its native part or libusb won't load), as
 * opposed to one device failing. node-hid loads its native part on the first call, not on import.
 */
export function isHidUnavailable(error: unknown): boolean {
  // A damaged or foreign addon file fails to load with this code and a message of its own ("file too short").
  if ((error as { code?: unknown } | null)?.code === 'ERR_DLOPEN_FAILED') return true;
  const message = error instanceof Error ? error.message : String(error);
  return /libusb-1\.0\.so|cannot open shared object|Failed to find binding|Cannot find (?:module|package) 'node-hid'|ERR_DLOPEN_FAILED/i.test(
    message,
  );
}

/** The status message for node-hid failing to load: the install hint where libusb is what's missing. */
export function hidUnavailableMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /libusb|shared object/i.test(message) ? HID_UNAVAILABLE : `HID support unavailable: ${message}`;
}

/** Whether an error opening a device is the hidraw (or usb) node refusing us. */
export function isPermissionDenied(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /permission denied|EACCES|LIBUSB_ERROR_ACCESS|access denied/i.test(message);
}

/** "0x0c2e" from 3118 or "0x0C2E"; USB IDs in messages and pasted configs look like this. */
export function usbIdHex(id: number | string): string {
  const value = typeof id === 'number' ? id : Number.parseInt(id, 16);
  return `0x${value.toString(16).padStart(4, '0')}`;
}

/** A config USB ID ("0x0c2e" or 3118) as a number. */
export function usbIdNumber(id: number | string): number {
  return typeof id === 'number' ? id : Number.parseInt(id.slice(2), 16);
}

/** The udev rule that lets a non-root user open this scanner, with how to load it. */
export function udevRuleFix(
  vendorId: number | string,
  productId: number | string,
  exclusive: boolean,
): string {
  const ids = `ATTRS{idVendor}=="${usbIdHex(vendorId).slice(2)}", ATTRS{idProduct}=="${usbIdHex(productId).slice(2)}"`;
  const rules = [`KERNEL=="hidraw*", SUBSYSTEM=="hidraw", ${ids}, MODE="0660", GROUP="plugdev"`];
  // The libusb driver opens /dev/bus/usb/..., not /dev/hidraw*.
  if (exclusive) rules.push(`SUBSYSTEM=="usb", ${ids}, MODE="0660", GROUP="plugdev"`);
  return (
    `add ${rules.map((r) => `'${r}'`).join(' and ')} to /etc/udev/rules.d/70-offcirc-scanners.rules, ` +
    `run "udevadm control --reload-rules && udevadm trigger", add the offcirc user to the plugdev group, ` +
    `and replug the scanner`
  );
}

export type HidChoice =
  | { found: true; info: HidDeviceInfo & { path: string }; protocol: 'keyboard' | 'pos'; guessed: boolean }
  | { found: false };

/** Whether node-hid's list entry is a HID POS bar code scanner interface (usage page 0x8C). */
export const isPosInterface = (d: HidDeviceInfo) => d.usagePage === 0x8c;
/** Whether it is a keyboard interface (generic desktop page 1, usage 6). */
export const isKeyboardInterface = (d: HidDeviceInfo) => d.usagePage === 0x01 && d.usage === 0x06;

/**
 * Finds the configured scanner in node-hid's list: same vendor and product (and serial number, and path,
 * where configured). A composite device lists one entry per interface: 'auto' takes the HID POS one,
 * else the keyboard one, else (usage unknown, as with some libusb builds) the first, read as a keyboard
 * with `guessed` set so the caller can say so.
 */
export function chooseHidDevice(
  list: readonly HidDeviceInfo[],
  config: Pick<HidDeviceConfig, 'vendorId' | 'productId' | 'serialNumber' | 'path' | 'protocol'>,
): HidChoice {
  const vendorId = usbIdNumber(config.vendorId);
  const productId = usbIdNumber(config.productId);
  const candidates = list.filter(
    (d): d is HidDeviceInfo & { path: string } =>
      d.vendorId === vendorId &&
      d.productId === productId &&
      typeof d.path === 'string' &&
      (config.serialNumber === undefined || d.serialNumber === config.serialNumber) &&
      (config.path === undefined || d.path === config.path),
  );
  if (config.protocol === 'pos' || config.protocol === 'keyboard') {
    const wanted = config.protocol === 'pos' ? isPosInterface : isKeyboardInterface;
    const info =
      candidates.find(wanted) ??
      candidates.find((d) => !d.usagePage) ??
      (candidates.length === 1 ? candidates[0] : undefined);
    return info ? { found: true, info, protocol: config.protocol, guessed: false } : { found: false };
  }
  const pos = candidates.find(isPosInterface);
  if (pos) return { found: true, info: pos, protocol: 'pos', guessed: false };
  const keyboard = candidates.find(isKeyboardInterface);
  if (keyboard) return { found: true, info: keyboard, protocol: 'keyboard', guessed: false };
  const first = candidates[0];
  return first ? { found: true, info: first, protocol: 'keyboard', guessed: true } : { found: false };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export type HidOpening =
  | (Extract<HidChoice, { found: true }> & { opened: true; handle: HidHandle })
  | { opened: false; missing: boolean; message: string };

/**
 * Finds the configured scanner in node-hid's list and opens it, for the live driver and the recorder alike.
 * Never throws: a failure comes back as what to tell staff, with `missing` when the scanner simply isn't
 * plugged in (the caller says how it goes on looking).
 */
export function openHidDevice(hid: NodeHidModule, config: HidDeviceConfig): HidOpening {
  // Must precede the first devices(): node-hid picks its native driver once, on first use.
  if (config.exclusive) hid.setDriverType?.('libusb');
  let list: HidDeviceInfo[];
  try {
    list = hid.devices();
  } catch (error) {
    const message = isHidUnavailable(error)
      ? hidUnavailableMessage(error)
      : `cannot list HID devices: ${messageOf(error)}`;
    return { opened: false, missing: false, message };
  }
  const choice = chooseHidDevice(list, config);
  if (!choice.found)
    return { opened: false, missing: true, message: `scanner ${describeHidConfig(config)} not found` };
  const { info } = choice;
  try {
    return { ...choice, opened: true, handle: new hid.HID(info.path) };
  } catch (error) {
    const message = isPermissionDenied(error)
      ? `cannot open ${info.path}: permission denied; ${udevRuleFix(info.vendorId, info.productId, config.exclusive)}`
      : `cannot open ${info.path}: ${messageOf(error)}`;
    return { opened: false, missing: false, message };
  }
}

/** "0x0c2e:0x0b61" (and serial number) for messages. */
export function describeHidConfig(
  config: Pick<HidDeviceConfig, 'vendorId' | 'productId' | 'serialNumber' | 'path'>,
): string {
  const ids = `${usbIdHex(config.vendorId)}:${usbIdHex(config.productId)}`;
  const serial = config.serialNumber !== undefined ? ` serial ${config.serialNumber}` : '';
  const path = config.path !== undefined ? ` at ${config.path}` : '';
  return `${ids}${serial}${path}`;
}
