import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type HidDeviceConfig } from '../../src/config/schema.js';
import { encodeKeyboardReports } from '../../src/devices/hid-keyboard.js';
import { encodePosReports } from '../../src/devices/hid-pos.js';
import { HidScanner } from '../../src/devices/hid.js';
import {
  HID_UNAVAILABLE,
  hidUnavailableMessage,
  isHidUnavailable,
  type HidDeviceInfo,
} from '../../src/devices/node-hid.js';
import { describeNeeding, libusbProblem } from '../helpers/needs.js';
import { brokenLibusbDir, FakeHidBus, RecordingSink, runInChild, settle, waitFor } from './hid-fakes.js';

/** A device entry as a technician writes it, through the real schema (defaults filled in). */
function hidConfig(entry: Record<string, unknown>): HidDeviceConfig {
  const config = configSchema.parse({ devices: [{ id: 'front', type: 'hid', ...entry }] });
  return config.devices[0] as HidDeviceConfig;
}

const KEYBOARD: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b61,
  path: '/dev/hidraw0',
  manufacturer: 'Honeywell',
  product: 'Voyager 1250g',
  serialNumber: 'A1',
  usagePage: 0x01,
  usage: 0x06,
  interface: 0,
};
const POS: HidDeviceInfo = { ...KEYBOARD, path: '/dev/hidraw1', usagePage: 0x8c, usage: 0x02, interface: 1 };

const scanners: HidScanner[] = [];
function scanner(
  config: HidDeviceConfig,
  bus: FakeHidBus,
  sink = new RecordingSink(),
  now = () => 1_700_000_000_000,
) {
  const s = new HidScanner(config, sink, { loadHid: async () => bus.module(), now });
  scanners.push(s);
  return { s, sink };
}

afterEach(async () => {
  await Promise.all(scanners.splice(0).map((s) => s.stop()));
});

function send(device: { send(r: Buffer): void } | undefined, reports: Buffer[]): void {
  if (!device) throw new Error('the device is not open');
  for (const r of reports) device.send(r);
}

describe('HidScanner: finding and reading the scanner', () => {
  it('finds a keyboard-mode scanner by hex ids, reads its scans, and groups them with the terminal', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0B61' }), bus);
    await s.start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'connected',
        message: 'Honeywell Voyager 1250g at /dev/hidraw0, read as a keyboard',
      },
    ]);
    send(bus.handle('/dev/hidraw0'), encodeKeyboardReports('21234000000018'));
    send(bus.handle('/dev/hidraw0'), encodeKeyboardReports('31234000000016', { rightShift: true }));
    expect(sink.scans).toEqual([
      { text: '21234000000018', device: 'front', at: 1_700_000_000_000, group: 'keyboard' },
      { text: '31234000000016', device: 'front', at: 1_700_000_000_000, group: 'keyboard' },
    ]);
  });

  it('finds it by numeric ids too, and passes on an unusable scan with its reason', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s, sink } = scanner(hidConfig({ vendorId: 0x0c2e, productId: 0x0b61, endKey: 'enter' }), bus);
    await s.start();
    const bad = Buffer.from([0, 0, 0x32, 0, 0, 0, 0, 0]);
    send(bus.handle('/dev/hidraw0'), [
      ...encodeKeyboardReports('12', { end: 'none' }),
      bad,
      ...encodeKeyboardReports('3'),
    ]);
    expect(sink.scans).toEqual([
      {
        text: '123',
        device: 'front',
        at: 1_700_000_000_000,
        group: 'keyboard',
        error: "unreadable scan: the scanner sent key code 0x32 that offcirc doesn't know",
      },
    ]);
  });

  it('with protocol auto, reads a composite scanner through its HID POS interface, with the symbology', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    bus.plug(POS);
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), bus);
    await s.start();
    expect(sink.lastStatus?.message).toBe('Honeywell Voyager 1250g at /dev/hidraw1, read as HID POS');
    send(bus.handle('/dev/hidraw1'), encodePosReports('31234000000016', ']F0', { chunk: 8 }));
    expect(sink.scans).toEqual([
      { text: '31234000000016', device: 'front', at: 1_700_000_000_000, symbology: ']F0' },
    ]);
  });

  it('with protocol keyboard, reads the keyboard interface of the same composite scanner', async () => {
    const bus = new FakeHidBus();
    bus.plug(POS);
    bus.plug(KEYBOARD);
    const { s, sink } = scanner(
      hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', protocol: 'keyboard' }),
      bus,
    );
    await s.start();
    expect(bus.calls).toContain('open:/dev/hidraw0');
    send(bus.handle('/dev/hidraw0'), encodeKeyboardReports('42'));
    expect(sink.scans.map((x) => x.text)).toEqual(['42']);
  });

  it('with protocol pos, reads POS reports even from an interface whose usage page it cannot see', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...POS, usagePage: undefined, usage: undefined });
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', protocol: 'pos' }), bus);
    await s.start();
    send(bus.handle('/dev/hidraw1'), encodePosReports('42', ']E0'));
    expect(sink.scans.map((x) => [x.text, x.symbology])).toEqual([['42', ']E0']]);
    expect(sink.warnings).toEqual([]);
  });

  it('with protocol auto and no usage page to go by, reads a keyboard and says it guessed', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, usagePage: 0, usage: 0 });
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), bus);
    await s.start();
    expect(sink.warnings).toEqual([
      'could not tell from its usage page whether it is a keyboard-mode or HID POS scanner: reading it as a keyboard (set "protocol" to say)',
    ]);
  });

  it('picks the scanner with the configured serial number among identical ones', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    bus.plug({ ...KEYBOARD, path: '/dev/hidraw5', serialNumber: 'B2' });
    const { s } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', serialNumber: 'B2' }), bus);
    await s.start();
    expect(bus.calls.filter((c) => c.startsWith('open:'))).toEqual(['open:/dev/hidraw5']);
  });

  it('with a path configured, opens only the device at that path with the configured ids', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, vendorId: 0x1234, path: '/dev/hidraw2' });
    const { s, sink } = scanner(
      hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', path: '/dev/hidraw2', reconnectMs: 5 }),
      bus,
    );
    await s.start();
    expect(sink.lastStatus).toEqual({
      device: 'front',
      status: 'disconnected',
      message: 'scanner 0x0c2e:0x0b61 at /dev/hidraw2 not found: plug it in (looking for it every 5 ms)',
    });
    bus.plug({ ...KEYBOARD, path: '/dev/hidraw2' });
    await waitFor(() => sink.lastStatus?.status === 'connected', 'the scanner at /dev/hidraw2');
  });

  it('sends the configured feedback bytes to the scanner', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s } = scanner(
      hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', feedback: { good: '00 01', bad: '0002' } }),
      bus,
    );
    await s.start();
    s.feedback('good');
    s.feedback('bad');
    expect(bus.handle('/dev/hidraw0')?.written.map((b) => b.toString('hex'))).toEqual(['0001', '0002']);
  });

  it('keeps reading when the sink throws: a thrown scan is a warning, not an unplug', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const sink = new RecordingSink();
    let first = true;
    sink.scan = function (scan) {
      if (first) {
        first = false;
        throw new Error('kiosk busy');
      }
      RecordingSink.prototype.scan.call(this, scan);
    };
    const { s } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), bus, sink);
    await s.start();
    send(bus.handle('/dev/hidraw0'), [...encodeKeyboardReports('1'), ...encodeKeyboardReports('2')]);
    expect(sink.warnings).toEqual(['a scan could not be handed on: kiosk busy']);
    expect(sink.scans.map((x) => x.text)).toEqual(['2']);
    expect(sink.statuses.map((x) => x.status)).toEqual(['connected']);
  });
});

describe('HidScanner: exclusive reading', () => {
  it('asks node-hid for its libusb driver before it lists devices, and its scans need no group', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, path: '0001:0004:00' });
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', exclusive: true }), bus);
    await s.start();
    expect(bus.calls.slice(0, 3)).toEqual(['setDriverType:libusb', 'devices', 'open:0001:0004:00']);
    expect(sink.lastStatus?.message).toBe(
      'Honeywell Voyager 1250g at 0001:0004:00, read as a keyboard (exclusive)',
    );
    send(bus.handle('0001:0004:00'), encodeKeyboardReports('7'));
    expect(sink.scans).toEqual([{ text: '7', device: 'front', at: 1_700_000_000_000 }]);
  });

  it('says so when node-hid was already on the hidraw driver, and groups its scans with the terminal', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', exclusive: true }), bus);
    await s.start();
    expect(sink.warnings[0]).toMatch(
      /^exclusive had no effect: node-hid was already using the hidraw driver/,
    );
    send(bus.handle('/dev/hidraw0'), encodeKeyboardReports('7'));
    expect(sink.scans[0]?.group).toBe('keyboard');
  });

  it('does not call setDriverType without exclusive', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), bus);
    await s.start();
    expect(bus.calls.some((c) => c.startsWith('setDriverType'))).toBe(false);
  });
});

describe('HidScanner: hot-plug', () => {
  it('on unplug (node-hid error event) says disconnected, closes, and reconnects when it is back', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus);
    await s.start();
    const first = bus.handle('/dev/hidraw0');
    send(first, encodeKeyboardReports('3123', { end: 'none' }));
    bus.unplug('/dev/hidraw0');
    expect(first?.closed).toBe(true);
    expect(sink.lastStatus).toEqual({
      device: 'front',
      status: 'disconnected',
      message:
        'scanner unplugged or stopped answering (could not read from HID device): looking for it every 5 ms',
    });
    expect(sink.warnings).toEqual([
      'dropped a partial scan of 4 characters (4 digits, starting "31"): the scanner went away before its end',
    ]);
    // Polls while it is away, without repeating the status.
    const polls = bus.count('devices');
    await waitFor(() => bus.count('devices') >= polls + 3, 'three more polls');
    expect(sink.statuses.map((x) => x.status)).toEqual(['connected', 'disconnected']);
    bus.plug(KEYBOARD);
    await waitFor(() => sink.lastStatus?.status === 'connected', 'reconnection');
    expect(sink.statuses.map((x) => x.status)).toEqual(['connected', 'disconnected', 'connected']);
    // The half-read scan is gone: the next scan starts afresh.
    send(bus.handle('/dev/hidraw0'), encodeKeyboardReports('31234000000016'));
    expect(sink.scans.map((x) => x.text)).toEqual(['31234000000016']);
  });

  it('when absent at start: start() resolves, says not found once, and connects when plugged in', async () => {
    const bus = new FakeHidBus();
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus);
    await s.start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'disconnected',
        message: 'scanner 0x0c2e:0x0b61 not found: plug it in (looking for it every 5 ms)',
      },
    ]);
    await waitFor(() => bus.count('devices') >= 4, 'polls');
    expect(sink.statuses).toHaveLength(1);
    bus.plug(POS);
    await waitFor(() => sink.lastStatus?.status === 'connected', 'connection');
    send(bus.handle('/dev/hidraw1'), encodePosReports('21234000000018'));
    expect(sink.scans.map((x) => x.text)).toEqual(['21234000000018']);
  });

  it('names the udev rule to add when /dev/hidraw* refuses it, and connects once it is allowed', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    bus.openError = new Error(
      "cannot open device with path /dev/hidraw0: Failed to open a device with path '/dev/hidraw0': Permission denied",
    );
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus);
    await s.start();
    expect(sink.lastStatus?.status).toBe('error');
    expect(sink.lastStatus?.message).toBe(
      'cannot open /dev/hidraw0: permission denied; add \'KERNEL=="hidraw*", SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", MODE="0660", GROUP="plugdev"\' to /etc/udev/rules.d/70-offcirc-scanners.rules, run "udevadm control --reload-rules && udevadm trigger", add the offcirc user to the plugdev group, and replug the scanner',
    );
    await waitFor(() => bus.count('open:/dev/hidraw0') >= 3, 'retries');
    expect(sink.statuses).toHaveLength(1);
    bus.openError = undefined;
    await waitFor(() => sink.lastStatus?.status === 'connected', 'connection after the fix');
  });

  it('with exclusive, the permission fix also covers the USB device node libusb opens', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, path: '0001:0004:00' });
    bus.openError = new Error('cannot open device with path 0001:0004:00: LIBUSB_ERROR_ACCESS');
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', exclusive: true }), bus);
    await s.start();
    expect(sink.lastStatus?.message).toContain(
      '\'SUBSYSTEM=="usb", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", MODE="0660", GROUP="plugdev"\'',
    );
  });

  it('reports another open failure as it is, and keeps trying', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    bus.openError = new Error('cannot open device with path /dev/hidraw0: Device or resource busy');
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus);
    await s.start();
    expect(sink.lastStatus).toEqual({
      device: 'front',
      status: 'error',
      message: 'cannot open /dev/hidraw0: cannot open device with path /dev/hidraw0: Device or resource busy',
    });
    await waitFor(() => bus.count('open:/dev/hidraw0') >= 2, 'a retry');
  });

  it('stop() closes the device and cancels every retry', async () => {
    const bus = new FakeHidBus();
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus);
    await s.start();
    await s.stop();
    const polls = bus.count('devices');
    bus.plug(KEYBOARD);
    await settle(60);
    expect(bus.count('devices')).toBe(polls);
    expect(sink.statuses.map((x) => x.status)).toEqual(['disconnected']);

    const bus2 = new FakeHidBus();
    bus2.plug(KEYBOARD);
    const { s: s2 } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), bus2);
    await s2.start();
    await s2.stop();
    expect(bus2.opened[0]?.closed).toBe(true);
  });

  it('stop() during the first attempt (node-hid still loading) opens nothing', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    let release: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (release = resolve));
    const sink = new RecordingSink();
    const s = new HidScanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), sink, {
      loadHid: async () => {
        await loaded;
        return bus.module();
      },
    });
    const started = s.start();
    await s.stop();
    release();
    await started;
    expect(bus.calls).toEqual([]);
    expect(sink.statuses).toEqual([]);
  });
});

describe('HidScanner: when node-hid cannot work', () => {
  it('keeps running with a clear status when node-hid fails to load, and recovers once it loads', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    let attempts = 0;
    const sink = new RecordingSink();
    const s = new HidScanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 5 }), sink, {
      loadHid: async () => {
        attempts++;
        if (attempts < 3)
          throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
        return bus.module();
      },
    });
    scanners.push(s);
    await s.start();
    expect(sink.statuses).toEqual([{ device: 'front', status: 'error', message: HID_UNAVAILABLE }]);
    await waitFor(() => sink.lastStatus?.status === 'connected', 'recovery');
    expect(sink.statuses.map((x) => x.status)).toEqual(['error', 'connected']);
  });

  it('says the same when the native part fails on first use (node-hid loads it lazily)', async () => {
    const bus = new FakeHidBus();
    bus.devicesError = new Error('/usr/lib/x86_64-linux-gnu/libusb-1.0.so.0: file too short');
    const { s, sink } = scanner(hidConfig({ vendorId: '0x0c2e', productId: '0x0b61' }), bus);
    await s.start();
    expect(sink.statuses).toEqual([{ device: 'front', status: 'error', message: HID_UNAVAILABLE }]);
  });

  it('in a process where libusb-1.0.so.0 cannot load: the real node-hid fails and offcirc says to install libusb', async () => {
    const result = await runInChild(
      `
      import { HidScanner } from '@src/devices/hid.js';
      const scanner = new HidScanner(
        { id: 'front', type: 'hid', vendorId: '0x0c2e', productId: '0x0b61', protocol: 'auto', exclusive: false, endKey: 'either', reconnectMs: 60000 },
        { scan() {}, warn() {}, status(e) { console.log(JSON.stringify(e)); } },
      );
      void (async () => {
        await scanner.start();
        await scanner.stop();
        console.log('still running');
      })();
      `,
      { LD_LIBRARY_PATH: brokenLibusbDir() },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      JSON.stringify({ device: 'front', status: 'error', message: HID_UNAVAILABLE }),
      'still running',
    ]);
  });
});

describeNeeding(libusbProblem(), 'HidScanner with the real node-hid', () => {
  it('loads it, and says the scanner is not plugged in', async () => {
    const sink = new RecordingSink();
    const s = new HidScanner(
      hidConfig({ vendorId: '0x0c2e', productId: '0x0b61', reconnectMs: 60_000 }),
      sink,
    );
    scanners.push(s);
    await s.start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'disconnected',
        message: 'scanner 0x0c2e:0x0b61 not found: plug it in (looking for it every 60 s)',
      },
    ]);
  });
});

describe('node-hid that cannot load', () => {
  it('is "HID support unavailable" for a missing libusb and for a damaged addon alike', () => {
    const libusb = new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
    expect(isHidUnavailable(libusb)).toBe(true);
    expect(hidUnavailableMessage(libusb)).toMatch(/install libusb-1\.0-0/);
    const damaged = Object.assign(
      new Error('/opt/offcirc/offcirc-lib/node-hid-hidraw.node: file too short'),
      {
        code: 'ERR_DLOPEN_FAILED',
      },
    );
    expect(isHidUnavailable(damaged)).toBe(true);
    expect(hidUnavailableMessage(damaged)).toBe(
      'HID support unavailable: /opt/offcirc/offcirc-lib/node-hid-hidraw.node: file too short',
    );
    expect(isHidUnavailable(new Error('could not open HID device'))).toBe(false);
  });
});
