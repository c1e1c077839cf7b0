import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import {
  devicesCommand,
  discoverDevices,
  formatDiscovery,
  HIDRAW_RULE,
  type DiscoveredHid,
  type DiscoveredSerial,
} from '../../src/devices/discover.js';
import { brokenLibusbDir, FakeHidBus, runInChild } from './hid-fakes.js';
import { portInfo } from '../helpers/ports.js';

type Port = ReturnType<typeof portInfo>;
const port = portInfo;

const noHid = async () => new FakeHidBus().module();
const noSerial = async () => [] as Port[];
/** Folders the tests made, removed after the file's tests. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempFolder = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
const emptyDev = () => tempFolder('offcirc-dev-');

/** Every suggested entry must be accepted by the real schema as it is pasted. */
function expectPastable(entries: (Record<string, unknown> | undefined)[]): void {
  const devices = entries.filter((e): e is Record<string, unknown> => e !== undefined);
  expect(() => configSchema.parse({ devices })).not.toThrow();
}

// Nothing here reads this machine's devices: the HID and serial listers are injected (fakes of
// node-hid's and serialport's list), or a child process is given a PATH or LD_LIBRARY_PATH that makes
// the real ones fail the same way on every machine.
describe('discoverDevices with no HID devices and one built-in serial port', () => {
  const builtIn = async () => [port({ path: '/dev/ttyS0' })];
  const deps = { loadHid: noHid, listSerial: builtIn, devDir: emptyDev() };

  it('lists no HID devices, the serial port the lister gave, and no problems', async () => {
    const d = await discoverDevices(deps);
    expect(d.hidListed).toBe(true);
    expect(d.hid).toEqual([]);
    expect(d.serialListed).toBe(true);
    expect(d.serial.map((s) => s.path)).toEqual(['/dev/ttyS0']);
    expect(d.problems).toEqual([]);
    expectPastable(d.serial.map((s) => s.config));
    const text = formatDiscovery(d);
    expect(text).toContain('HID devices:\n  no HID devices found');
    expect(text).toContain('Serial ports:\n  /dev/ttyS0\n');
    expect(text).not.toContain('Problems:');
  });

  it('devicesCommand prints it and exits 0, as text or as JSON', async () => {
    const texts: string[] = [];
    expect(await devicesCommand({ json: false }, (t) => texts.push(t), deps)).toBe(0);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^HID devices:\n/);
    const jsons: string[] = [];
    expect(await devicesCommand({ json: true }, (t) => jsons.push(t), deps)).toBe(0);
    const parsed = JSON.parse(jsons[0] ?? '') as { hidListed: boolean; hid: unknown[]; problems: unknown[] };
    expect(parsed).toMatchObject({ hidListed: true, hid: [], serialListed: true, problems: [] });
  });
});

describe('discoverDevices: what stops it seeing, and the fix', () => {
  it('without udevadm on the PATH (a child process), says to install udev and still lists HID', async () => {
    const result = await runInChild(
      `
      import { devicesCommand } from '@src/devices/discover.js';
      // No HID devices, whatever this machine has (or lacks libusb); the real SerialPort.list.
      const loadHid = async () => ({ devices: () => [], HID: class {} });
      void devicesCommand({ json: false }, (text) => console.log(text), { loadHid, devDir: '/nonexistent' }).then(
        (code) => console.log('exit ' + code),
      );
      `,
      { PATH: '/nonexistent' },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('HID devices:\n  no HID devices found');
    expect(result.stdout).toContain("Serial ports:\n  can't look (see the problems below)");
    expect(result.stdout).toContain(
      'Problems:\n  serial: can\'t list serial ports: udevadm is missing\n    fix: install udev (apt-get install --no-install-recommends udev), then run "offcirc devices" again',
    );
    expect(result.stdout.trim().split('\n').at(-1)).toBe('exit 0');
  });

  it('where libusb-1.0.so.0 cannot load (a child process, the real node-hid), says to install libusb-1.0-0 and still lists serial', async () => {
    const result = await runInChild(
      `
      import { devicesCommand } from '@src/devices/discover.js';
      // The real node-hid; no serial ports, whether or not this machine has udev.
      void devicesCommand({ json: true }, (text) => console.log(text), { listSerial: async () => [] });
      `,
      { LD_LIBRARY_PATH: brokenLibusbDir() },
    );
    expect(result.stderr).toBe('');
    const d = JSON.parse(result.stdout) as {
      hidListed: boolean;
      serialListed: boolean;
      problems: { area: string; fix: string }[];
    };
    expect(d.hidListed).toBe(false);
    expect(d.serialListed).toBe(true);
    expect(d.problems).toEqual([
      expect.objectContaining({
        area: 'hid',
        fix: 'install libusb-1.0-0 (apt-get install libusb-1.0-0), then run "offcirc devices" again',
      }),
    ]);
  });

  it('with node-hid failing to load (injected), says to install libusb', async () => {
    const d = await discoverDevices({
      loadHid: async () => {
        throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
      },
      listSerial: noSerial,
      devDir: emptyDev(),
    });
    expect(d.problems).toEqual([
      {
        area: 'hid',
        problem: "can't list HID devices: install libusb-1.0-0 (apt-get install libusb-1.0-0)",
        fix: 'install libusb-1.0-0 (apt-get install libusb-1.0-0), then run "offcirc devices" again',
      },
    ]);
    const text = formatDiscovery(d);
    expect(text).toContain("HID devices:\n  can't look (see the problems below)");
    expect(text).toContain('Serial ports:\n  no serial ports found');
  });

  it('with the serial lister failing on a missing udevadm (injected), says to install udev', async () => {
    const enoent = Object.assign(new Error('spawn udevadm ENOENT'), {
      code: 'ENOENT',
      path: 'udevadm',
      syscall: 'spawn udevadm',
    });
    const d = await discoverDevices({
      loadHid: noHid,
      listSerial: () => Promise.reject(enoent),
      devDir: emptyDev(),
    });
    expect(d.problems).toEqual([
      {
        area: 'serial',
        problem: "can't list serial ports: udevadm is missing",
        fix: 'install udev (apt-get install --no-install-recommends udev), then run "offcirc devices" again',
      },
    ]);
  });

  it('names the hidraw nodes it may not open, and the udev rule that lets it', async () => {
    const dev = emptyDev();
    for (const name of ['hidraw10', 'hidraw2', 'hidraw0', 'hidraw-not', 'tty0'])
      writeFileSync(path.join(dev, name), '');
    const d = await discoverDevices({
      loadHid: noHid,
      listSerial: noSerial,
      devDir: dev,
      canOpen: (node) => node.endsWith('hidraw0'),
    });
    expect(d.problems).toEqual([
      {
        area: 'hid',
        problem: `can't open ${path.join(dev, 'hidraw2')}, ${path.join(dev, 'hidraw10')} (permission denied): scanners there can't be read by this user`,
        fix: `add '${HIDRAW_RULE}' to /etc/udev/rules.d/70-offcirc-scanners.rules, run "udevadm control --reload-rules && udevadm trigger", and add this user to the plugdev group (log in again after)`,
      },
    ]);
    expect(HIDRAW_RULE).toBe('KERNEL=="hidraw*", SUBSYSTEM=="hidraw", MODE="0660", GROUP="plugdev"');
    expect(formatDiscovery(d)).toContain("Problems:\n  hid: can't open");
  });

  it('checks the real hidraw nodes of a folder it can read', async () => {
    const dev = emptyDev();
    writeFileSync(path.join(dev, 'hidraw0'), '');
    const d = await discoverDevices({ loadHid: noHid, listSerial: noSerial, devDir: dev });
    // As root (or with the rule in place) the node opens: no problem to report.
    expect(d.problems).toEqual([]);
  });
});

describe('discoverDevices: what it shows of each device', () => {
  it('shows HID ids in hex, names, usage, path, what it looks like, and a config entry for scanners', async () => {
    const bus = new FakeHidBus();
    bus.plug({
      vendorId: 0x0c2e,
      productId: 0x0b61,
      path: '/dev/hidraw1',
      manufacturer: 'Honeywell',
      product: 'Voyager',
      serialNumber: 'A1',
      usagePage: 0x8c,
      usage: 0x02,
      interface: 1,
    });
    bus.plug({
      vendorId: 0x05e0,
      productId: 0x1200,
      path: '/dev/hidraw0',
      manufacturer: 'Zebra',
      product: 'Symbol Bar Code Scanner',
      usagePage: 0x01,
      usage: 0x06,
      interface: 0,
    });
    bus.plug({
      vendorId: 0x046d,
      productId: 0xc077,
      path: '/dev/hidraw2',
      product: 'USB Optical Mouse',
      usagePage: 0x01,
      usage: 0x02,
    });
    const d = await discoverDevices({
      loadHid: async () => bus.module(),
      listSerial: noSerial,
      devDir: emptyDev(),
    });
    expect(d.hid).toEqual([
      {
        vendorId: '0x05e0',
        productId: '0x1200',
        manufacturer: 'Zebra',
        product: 'Symbol Bar Code Scanner',
        usagePage: '0x01',
        usage: '0x06',
        path: '/dev/hidraw0',
        interface: 0,
        kind: 'keyboard',
        config: {
          id: 'scanner-1',
          type: 'hid',
          vendorId: '0x05e0',
          productId: '0x1200',
          protocol: 'keyboard',
        },
      },
      {
        vendorId: '0x0c2e',
        productId: '0x0b61',
        manufacturer: 'Honeywell',
        product: 'Voyager',
        serialNumber: 'A1',
        usagePage: '0x8c',
        usage: '0x02',
        path: '/dev/hidraw1',
        interface: 1,
        kind: 'pos',
        config: {
          id: 'scanner-2',
          type: 'hid',
          vendorId: '0x0c2e',
          productId: '0x0b61',
          serialNumber: 'A1',
          protocol: 'pos',
        },
      },
      {
        vendorId: '0x046d',
        productId: '0xc077',
        product: 'USB Optical Mouse',
        usagePage: '0x01',
        usage: '0x02',
        path: '/dev/hidraw2',
        kind: 'other',
      },
    ]);
    expectPastable(d.hid.map((h) => h.config));
    const text = formatDiscovery(d);
    expect(text).toContain(
      [
        '  0x0c2e:0x0b61 Honeywell Voyager, serial A1',
        '    usage page 0x8c usage 0x02: HID POS bar code scanner',
        '    path /dev/hidraw1, interface 1',
        '    config: {"id":"scanner-2","type":"hid","vendorId":"0x0c2e","productId":"0x0b61","serialNumber":"A1","protocol":"pos"}',
      ].join('\n'),
    );
    expect(text).toContain(
      'usage page 0x01 usage 0x06: keyboard: a keyboard-mode scanner, or a real keyboard',
    );
    expect(text).toContain('usage page 0x01 usage 0x02: not a scanner (neither keyboard nor HID POS)');
  });

  it('shows serial ports with their stable by-id link, ids and a config entry using the most stable way', async () => {
    const root = tempFolder('offcirc-serial-');
    const byId = path.join(root, 'by-id');
    mkdirSync(byId);
    const acm0 = path.join(root, 'ttyACM0');
    const acm1 = path.join(root, 'ttyACM1');
    writeFileSync(acm0, '');
    writeFileSync(acm1, '');
    symlinkSync('../ttyACM0', path.join(byId, 'usb-Honeywell_Scanner_X9-if00'));
    const d = await discoverDevices({
      loadHid: noHid,
      devDir: emptyDev(),
      byIdDir: byId,
      listSerial: async () => [
        port({
          path: acm1,
          vendorId: '0c2e',
          productId: '0b61',
          manufacturer: 'Honeywell',
          serialNumber: 'Y1',
        }),
        port({
          path: acm0,
          vendorId: '0c2e',
          productId: '0b61',
          manufacturer: 'Honeywell',
          serialNumber: 'X9',
        }),
        port({ path: '/dev/ttyS0' }),
      ],
    });
    expect(d.serial).toEqual([
      {
        path: '/dev/ttyS0',
        note: 'a built-in serial port (not USB): a scanner is there only if one is cabled to it',
        config: { id: 'serial-1', type: 'serial', path: '/dev/ttyS0' },
      },
      {
        path: acm0,
        byId: path.join(byId, 'usb-Honeywell_Scanner_X9-if00'),
        vendorId: '0x0c2e',
        productId: '0x0b61',
        manufacturer: 'Honeywell',
        serialNumber: 'X9',
        config: { id: 'serial-2', type: 'serial', path: path.join(byId, 'usb-Honeywell_Scanner_X9-if00') },
      },
      {
        path: acm1,
        vendorId: '0x0c2e',
        productId: '0x0b61',
        manufacturer: 'Honeywell',
        serialNumber: 'Y1',
        config: {
          id: 'serial-3',
          type: 'serial',
          match: { vendorId: '0x0c2e', productId: '0x0b61', serialNumber: 'Y1' },
        },
      },
    ]);
    expectPastable(d.serial.map((s) => s.config));
    const text = formatDiscovery(d);
    expect(text).toContain(
      `  ${acm0} (stable link ${path.join(byId, 'usb-Honeywell_Scanner_X9-if00')})\n    USB 0x0c2e:0x0b61, Honeywell, serial X9`,
    );
    expect(text).toContain('  /dev/ttyS0\n    no USB ids\n    a built-in serial port');
  });

  it('says plainly when there is nothing at all', async () => {
    const text = formatDiscovery(
      await discoverDevices({ loadHid: noHid, listSerial: noSerial, devDir: emptyDev() }),
    );
    expect(text).toContain('HID devices:\n  no HID devices found');
    expect(text).toContain('Serial ports:\n  no serial ports found');
  });
});

describe('offcirc devices: strings as a USB device sends them', () => {
  // A device chooses its own manufacturer, product and serial strings: these would clear the screen,
  // retitle the window, turn text red (a one-byte C1 CSI) and reverse what follows.
  const manufacturer = 'Evil\x1b[2J\x1b]0;owned\x07 Corp';
  const product = 'Scan\x9b31mner \u202eRTL\u00e9';
  const serialNumber = 'A\x1b[0m1\\x';
  // Controls (C0 with ESC, DEL, C1) and the right-to-left override; line feeds are the output's own.
  const unsafe = /[\p{Cc}\u202e]/u;

  async function evilDiscovery() {
    const bus = new FakeHidBus();
    bus.plug({
      vendorId: 0x0c2e,
      productId: 0x0b61,
      path: '/dev/hidraw0',
      manufacturer,
      product,
      serialNumber,
      usagePage: 0x8c,
      usage: 0x02,
    });
    return {
      loadHid: async () => bus.module(),
      listSerial: async () => [
        port({ path: '/dev/ttyACM0', vendorId: '0c2e', productId: '0b61', manufacturer, serialNumber }),
      ],
      devDir: emptyDev(),
    };
  }

  it('prints them escaped in the text, each escape readable back to the byte it stands for', async () => {
    const texts: string[] = [];
    expect(await devicesCommand({ json: false }, (t) => texts.push(t), await evilDiscovery())).toBe(0);
    const text = texts[0] ?? '';
    expect(text.replaceAll('\n', '')).not.toMatch(unsafe);
    expect(text).toContain(
      '  0x0c2e:0x0b61 Evil\\x1b[2J\\x1b]0;owned\\x07 Corp Scan\\x9b31mner \\u{202e}RTL\u00e9, serial A\\x1b[0m1\\\\x\n',
    );
    expect(text).toContain(
      '    USB 0x0c2e:0x0b61, Evil\\x1b[2J\\x1b]0;owned\\x07 Corp, serial A\\x1b[0m1\\\\x\n',
    );
    // The pasted config entry still holds the serial number the device reports, to match it by.
    const configLine = text.split('\n').find((l) => l.startsWith('    config: {"id":"scanner-1"'));
    const entry = JSON.parse(configLine!.slice('    config: '.length)) as { serialNumber: string };
    expect(entry.serialNumber).toBe(serialNumber);
  });

  it('writes them as JSON escapes with --json, which parse back to the strings the device sent', async () => {
    const jsons: string[] = [];
    expect(await devicesCommand({ json: true }, (t) => jsons.push(t), await evilDiscovery())).toBe(0);
    const json = jsons[0] ?? '';
    expect(json.replaceAll('\n', '')).not.toMatch(unsafe);
    expect(json).toContain(`"product": "Scan\\u009b31mner \\u202eRTL\u00e9"`);
    const d = JSON.parse(json) as { hid: DiscoveredHid[]; serial: DiscoveredSerial[] };
    expect(d.hid[0]).toMatchObject({ manufacturer, product, serialNumber });
    expect(d.serial[0]).toMatchObject({ manufacturer, serialNumber });
  });
});
