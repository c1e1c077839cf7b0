/**
 * "offcirc devices": what scanners this machine can see (HID devices through node-hid, serial ports
 * through SerialPort.list()), each with a config entry ready to paste, and what stops it seeing more
 * (no libusb, no udev, hidraw nodes it may not open) with the fix. One enumeration of each kind. The
 * names and serial numbers a device sends are printed escaped: a USB device can send terminal escapes.
 *
 * Why one file over 300 lines: listing, explaining what stops it seeing (udev, libusb, permissions) and
 * printing the entries to paste are one command's output, each part short.
 */
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import {
  hidUnavailableMessage,
  isKeyboardInterface,
  isPosInterface,
  loadNodeHid,
  usbIdHex,
  type HidDeviceInfo,
  type NodeHidModule,
} from './node-hid.js';
import { describeListError } from './serial-errors.js';
import type { PortInfo } from './serial-match.js';

export interface DiscoveredHid {
  vendorId: string;
  productId: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  usagePage?: string;
  usage?: string;
  /** Where node-hid opens it (/dev/hidrawN); changes on replug, so the config matches by ids instead. */
  path?: string;
  interface?: number;
  /** 'pos': a HID POS bar code scanner; 'keyboard': a keyboard-mode scanner, or a real keyboard. */
  kind: 'pos' | 'keyboard' | 'other';
  /** A device entry for the config, for a possible scanner. */
  config?: Record<string, unknown>;
}

export interface DiscoveredSerial {
  path: string;
  /** The /dev/serial/by-id/… link pointing at it: stays the same when the port number changes. */
  byId?: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
  /** Something a technician should know about this port. */
  note?: string;
  config: Record<string, unknown>;
}

export interface DiscoveryProblem {
  area: 'hid' | 'serial';
  problem: string;
  fix: string;
}

export interface Discovery {
  /** Whether node-hid could list devices at all (an empty list then means none). */
  hidListed: boolean;
  hid: DiscoveredHid[];
  serialListed: boolean;
  serial: DiscoveredSerial[];
  problems: DiscoveryProblem[];
}

export interface DiscoverDeps {
  loadHid?: () => Promise<NodeHidModule>;
  listSerial?: () => Promise<PortInfo[]>;
  /** Where hidraw nodes live (default /dev). */
  devDir?: string;
  /** Where udev puts the stable serial links (default /dev/serial/by-id). */
  byIdDir?: string;
  /** Whether this process may open a device node for reading and writing. */
  canOpen?: (node: string) => boolean;
}

export const HIDRAW_RULE = 'KERNEL=="hidraw*", SUBSYSTEM=="hidraw", MODE="0660", GROUP="plugdev"';

/** Looks at everything there is to see; never rejects (what it can't see is a problem in the answer). */
export async function discoverDevices(deps: DiscoverDeps = {}): Promise<Discovery> {
  const discovery: Discovery = { hidListed: false, hid: [], serialListed: false, serial: [], problems: [] };
  await discoverHid(discovery, deps);
  await discoverSerial(discovery, deps);
  return discovery;
}

async function discoverHid(discovery: Discovery, deps: DiscoverDeps): Promise<void> {
  let list: HidDeviceInfo[];
  try {
    const hid = await (deps.loadHid ?? loadNodeHid)();
    list = hid.devices();
  } catch (error) {
    const message = hidUnavailableMessage(error);
    discovery.problems.push({
      area: 'hid',
      problem: `can't list HID devices: ${message.replace(/^HID support unavailable: /, '')}`,
      fix: /libusb/.test(message)
        ? 'install libusb-1.0-0 (apt-get install libusb-1.0-0), then run "offcirc devices" again'
        : 'reinstall offcirc for this platform',
    });
    return;
  }
  discovery.hidListed = true;
  let count = 0;
  const sorted = [...list].sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''));
  for (const d of sorted) {
    const kind = isPosInterface(d) ? 'pos' : isKeyboardInterface(d) ? 'keyboard' : 'other';
    const found: DiscoveredHid = { vendorId: usbIdHex(d.vendorId), productId: usbIdHex(d.productId), kind };
    if (d.manufacturer) found.manufacturer = d.manufacturer;
    if (d.product) found.product = d.product;
    if (d.serialNumber) found.serialNumber = d.serialNumber;
    if (d.usagePage !== undefined) found.usagePage = hex(d.usagePage);
    if (d.usage !== undefined) found.usage = hex(d.usage);
    if (d.path) found.path = d.path;
    if (d.interface !== undefined) found.interface = d.interface;
    if (kind !== 'other') {
      found.config = {
        id: `scanner-${++count}`,
        type: 'hid',
        vendorId: found.vendorId,
        productId: found.productId,
        ...(found.serialNumber ? { serialNumber: found.serialNumber } : {}),
        protocol: kind,
      };
    }
    discovery.hid.push(found);
  }
  const dev = deps.devDir ?? '/dev';
  const canOpen = deps.canOpen ?? defaultCanOpen;
  let nodes: string[] = [];
  try {
    nodes = readdirSync(dev).filter((name) => /^hidraw\d+$/.test(name));
  } catch {
    // No such folder: nothing to check.
  }
  const closed = nodes
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
    .map((name) => path.join(dev, name))
    .filter((node) => !canOpen(node));
  if (closed.length > 0) {
    discovery.problems.push({
      area: 'hid',
      problem: `can't open ${closed.join(', ')} (permission denied): scanners there can't be read by this user`,
      fix: `add '${HIDRAW_RULE}' to /etc/udev/rules.d/70-offcirc-scanners.rules, run "udevadm control --reload-rules && udevadm trigger", and add this user to the plugdev group (log in again after)`,
    });
  }
}

async function discoverSerial(discovery: Discovery, deps: DiscoverDeps): Promise<void> {
  let ports: PortInfo[];
  try {
    ports = await (deps.listSerial ?? (() => SerialPort.list()))();
  } catch (error) {
    const problem = describeListError(error);
    discovery.problems.push(
      problem.kind === 'udev'
        ? {
            area: 'serial',
            problem: "can't list serial ports: udevadm is missing",
            fix: 'install udev (apt-get install --no-install-recommends udev), then run "offcirc devices" again',
          }
        : {
            area: 'serial',
            problem: problem.message,
            fix: 'check that udev is running (systemctl status systemd-udevd)',
          },
    );
    return;
  }
  discovery.serialListed = true;
  const links = stableLinks(deps.byIdDir ?? '/dev/serial/by-id');
  let count = 0;
  for (const port of [...ports].sort((a, b) => a.path.localeCompare(b.path))) {
    const found: DiscoveredSerial = { path: port.path, config: {} };
    const byId = links.get(safeRealpath(port.path));
    if (byId) found.byId = byId;
    if (port.vendorId) found.vendorId = usbIdHex(port.vendorId);
    if (port.productId) found.productId = usbIdHex(port.productId);
    if (port.manufacturer) found.manufacturer = port.manufacturer;
    if (port.serialNumber) found.serialNumber = port.serialNumber;
    const id = `serial-${++count}`;
    if (byId) found.config = { id, type: 'serial', path: byId };
    else if (found.vendorId && found.productId)
      found.config = {
        id,
        type: 'serial',
        match: {
          vendorId: found.vendorId,
          productId: found.productId,
          ...(found.serialNumber ? { serialNumber: found.serialNumber } : {}),
        },
      };
    else found.config = { id, type: 'serial', path: port.path };
    if (!found.vendorId && /^\/dev\/ttyS\d+$/.test(port.path))
      found.note = 'a built-in serial port (not USB): a scanner is there only if one is cabled to it';
    discovery.serial.push(found);
  }
}

/** by-id link target (resolved) -> the link itself. */
function stableLinks(dir: string): Map<string, string> {
  const links = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return links; // no USB serial devices, or no udev to make the links
  }
  for (const name of names.sort()) {
    const link = path.join(dir, name);
    const target = safeRealpath(link);
    if (target !== link && !links.has(target)) links.set(target, link);
  }
  return links;
}

function safeRealpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function defaultCanOpen(node: string): boolean {
  try {
    accessSync(node, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

const KIND: Record<DiscoveredHid['kind'], string> = {
  pos: 'HID POS bar code scanner',
  keyboard: 'keyboard: a keyboard-mode scanner, or a real keyboard',
  other: 'not a scanner (neither keyboard nor HID POS)',
};

/**
 * Characters a terminal may act on or that hide what is really there: controls (C0 with ESC, DEL, C1
 * with the one-byte CSI), format characters (bidirectional overrides, zero-width), unassigned, private
 * use and lone surrogates, and every separator but the plain space.
 */
const UNSAFE = /[\p{C}\p{Z}]/gu;

/**
 * A string a USB device (or udev) sent, made safe to print on a terminal: each unsafe character (above)
 * becomes `\xHH` or `\u{HHHH}` and a backslash `\\`, so the printed text reads back to the exact
 * string; letters of any script stay as they are. O(n).
 */
export function printable(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(UNSAFE, (char) => {
    if (char === ' ') return char;
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON safe to print on a terminal: JSON.stringify leaves DEL, C1 controls, bidirectional overrides and
 * the like raw; this writes each as \uXXXX escapes, so the text parses back to the same value. O(n).
 */
export function terminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE, (char) =>
    char === ' ' || char === '\n'
      ? char
      : [...Array(char.length).keys()]
          .map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`)
          .join(''),
  );
}

/** The answer as a technician reads it at the station. */
export function formatDiscovery(d: Discovery): string {
  const lines: string[] = ['HID devices:'];
  if (!d.hidListed) lines.push("  can't look (see the problems below)");
  else if (d.hid.length === 0)
    lines.push(
      '  no HID devices found (a scanner set to USB serial mode is listed under serial ports instead)',
    );
  // Names, serial numbers and paths are as the device (or udev) gave them: printed escaped.
  for (const h of d.hid) {
    const name =
      [h.manufacturer, h.product]
        .filter((part): part is string => Boolean(part))
        .map(printable)
        .join(' ') || '(no name)';
    const serial = h.serialNumber ? `, serial ${printable(h.serialNumber)}` : '';
    lines.push(`  ${h.vendorId}:${h.productId} ${name}${serial}`);
    const usage = h.usagePage !== undefined ? `usage page ${h.usagePage} usage ${h.usage ?? '?'}: ` : '';
    lines.push(`    ${usage}${KIND[h.kind]}`);
    if (h.path)
      lines.push(
        `    path ${printable(h.path)}${h.interface !== undefined ? `, interface ${h.interface}` : ''}`,
      );
    if (h.config) lines.push(`    config: ${terminalJson(h.config)}`);
  }
  lines.push('', 'Serial ports:');
  if (!d.serialListed) lines.push("  can't look (see the problems below)");
  else if (d.serial.length === 0)
    lines.push(
      '  no serial ports found (a USB serial scanner shows up as /dev/ttyACM* or /dev/ttyUSB* when plugged in)',
    );
  for (const s of d.serial) {
    lines.push(`  ${printable(s.path)}${s.byId ? ` (stable link ${printable(s.byId)})` : ''}`);
    const ids = s.vendorId ? `USB ${s.vendorId}:${s.productId ?? '?'}` : 'no USB ids';
    const who = [s.manufacturer, s.serialNumber ? `serial ${s.serialNumber}` : undefined]
      .filter((part): part is string => Boolean(part))
      .map(printable)
      .join(', ');
    lines.push(`    ${ids}${who ? `, ${who}` : ''}`);
    if (s.note) lines.push(`    ${s.note}`);
    lines.push(`    config: ${terminalJson(s.config)}`);
  }
  if (d.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const p of d.problems) lines.push(`  ${p.area}: ${p.problem}`, `    fix: ${p.fix}`);
  }
  lines.push(
    '',
    'Paste a "config" entry into "devices" in the config file, giving it the id you want. Serial ports on',
    'pseudo-terminals are never listed; a keyboard-mode scanner shows up like any keyboard.',
  );
  return lines.join('\n');
}

/** "offcirc devices [--json]": prints what it found; always exit code 0 (problems are in the answer). */
export async function devicesCommand(
  options: { json: boolean },
  out: (text: string) => void,
  deps: DiscoverDeps = {},
): Promise<number> {
  const discovery = await discoverDevices(deps);
  out(options.json ? terminalJson(discovery, 2) : formatDiscovery(discovery));
  return 0;
}
