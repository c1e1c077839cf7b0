import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type DeviceConfig } from '../../src/config/schema.js';
import { encodeKeyboardReports } from '../../src/devices/hid-keyboard.js';
import { encodePosReports } from '../../src/devices/hid-pos.js';
import { recordCommand, recordDevice, type RecordResult } from '../../src/devices/record.js';
import { parseRecording } from '../../src/devices/recording.js';
import { ReplayScanner } from '../../src/devices/replay.js';
import { startPty, type PtyPair } from '../helpers/pty.js';
import { FakeHidBus, RecordingSink, waitFor } from './hid-fakes.js';
import { portInfo } from '../helpers/ports.js';

const PATRON = '21234000000018';
const ITEM = '31234000000016';

function device(entry: Record<string, unknown>): DeviceConfig {
  return configSchema.parse({ devices: [{ id: 'front', ...entry }] }).devices[0] as DeviceConfig;
}

const out = () => path.join(mkdtempSync(path.join(tmpdir(), 'offcirc-record-')), 'front.jsonl');

const ptys: PtyPair[] = [];
afterEach(async () => {
  await Promise.all(ptys.splice(0).map((p) => p.dispose()));
});

/** Starts recording and resolves once the device is open, with the promise of the result. */
async function recording(
  config: DeviceConfig,
  file: string,
  options: Parameters<typeof recordDevice>[2] = {},
) {
  const controller = new AbortController();
  let opened = '';
  const result = recordDevice(config, file, {
    signal: controller.signal,
    ...options,
    onOpen: (what) => (opened = what),
  });
  result.catch(() => undefined);
  await waitFor(() => opened !== '', 'the device to open');
  return { controller, result, opened: () => opened };
}

async function replay(file: string, as: 'hid-keyboard' | 'hid-pos' | 'serial') {
  const sink = new RecordingSink();
  const config = configSchema.parse({ devices: [{ id: 'again', type: 'replay', file, as, silenceMs: 100 }] });
  const scanner = new ReplayScanner(config.devices[0] as Extract<DeviceConfig, { type: 'replay' }>, sink);
  await scanner.start();
  await waitFor(() => sink.endedDevices.length > 0, 'the replay to end');
  return sink;
}

describe('recordDevice: a serial scanner on a real pty', () => {
  it('writes every chunk with its time, and the recording replays as the same scans', async () => {
    const pty = await startPty();
    ptys.push(pty);
    const file = out();
    const { controller, result, opened } = await recording(
      device({ type: 'serial', path: pty.scannerPath }),
      file,
    );
    expect(opened()).toBe(`serial scanner at ${pty.scannerPath} (9600 baud)`);
    await pty.write(`${PATRON}\r\n`);
    await waitFor(() => readFileSync(file, 'utf8').includes('0d0a'), 'the first chunk on disk');
    await pty.write(ITEM.slice(0, 5));
    await pty.write(`${ITEM.slice(5)}\r`);
    await waitFor(
      () => Buffer.concat(parseRecording(readFileSync(file, 'utf8'), file).map((c) => c.bytes)).length === 31,
      'all bytes',
    );
    controller.abort();
    const done: RecordResult = await result;
    expect(done).toMatchObject({ file, bytes: 31, as: 'serial', stoppedBy: 'signal' });
    const chunks = parseRecording(readFileSync(file, 'utf8'), file);
    expect(done.chunks).toBe(chunks.length);
    expect(Buffer.concat(chunks.map((c) => c.bytes)).toString('latin1')).toBe(`${PATRON}\r\n${ITEM}\r`);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.t).toBeGreaterThanOrEqual(chunks[i - 1]!.t);

    const sink = await replay(file, 'serial');
    expect(sink.scans.map((s) => s.text)).toEqual([PATRON, ITEM]);
  });

  it('stops when the scanner is unplugged, keeping what it recorded', async () => {
    const pty = await startPty();
    ptys.push(pty);
    const file = out();
    const { result } = await recording(device({ type: 'serial', path: pty.scannerPath }), file);
    await pty.write(`${PATRON}\n`);
    await waitFor(() => readFileSync(file, 'utf8').length > 0, 'a chunk on disk');
    await pty.stop();
    const done = await result;
    expect(done.stoppedBy).toBe('device');
    expect(done.deviceError).toBe(`${pty.scannerPath} unplugged`);
    expect(
      Buffer.concat(parseRecording(readFileSync(file, 'utf8'), file).map((c) => c.bytes)).toString(),
    ).toBe(`${PATRON}\n`);
  });

  it('stops by itself after the duration asked for', async () => {
    const pty = await startPty();
    ptys.push(pty);
    const file = out();
    const done = await recordDevice(device({ type: 'serial', path: pty.scannerPath }), file, {
      durationMs: 50,
    });
    expect(done).toMatchObject({ stoppedBy: 'duration', chunks: 0, bytes: 0 });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('finds a scanner configured by USB ids among the listed ports', async () => {
    const pty = await startPty();
    ptys.push(pty);
    const file = out();
    const ports = [
      portInfo({ path: '/dev/ttyS0' }),
      portInfo({
        path: pty.scannerPath,
        manufacturer: 'Honeywell',
        serialNumber: 'X9',
        vendorId: '0c2e',
        productId: '0b61',
      }),
    ];
    const { controller, result, opened } = await recording(
      device({ type: 'serial', match: { vendorId: '0x0c2e', productId: '0x0b61' } }),
      file,
      { listSerial: async () => ports },
    );
    expect(opened()).toContain(pty.scannerPath);
    controller.abort();
    await result;
  });

  it('says what is wrong when the port is missing, and leaves no file behind', async () => {
    const file = out();
    await expect(recordDevice(device({ type: 'serial', path: '/dev/ttyACM9' }), file)).rejects.toThrow(
      '/dev/ttyACM9 not found: plug the scanner in, or check "path" in the config',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('says to install udev when the ports cannot be listed without udevadm', async () => {
    const enoent = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT', path: 'udevadm' });
    await expect(
      recordDevice(device({ type: 'serial', match: { vendorId: '0x0c2e', productId: '0x0b61' } }), out(), {
        listSerial: async () => Promise.reject(enoent),
      }),
    ).rejects.toThrow(/install udev/);
  });

  it('never overwrites an existing recording unless asked', async () => {
    const pty = await startPty();
    ptys.push(pty);
    const file = out();
    writeFileSync(file, 'precious\n');
    await expect(
      recordDevice(device({ type: 'serial', path: pty.scannerPath }), file, { durationMs: 10 }),
    ).rejects.toThrow(`${file} already exists: choose another file name, or remove it first`);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
    await recordDevice(device({ type: 'serial', path: pty.scannerPath }), file, {
      durationMs: 10,
      overwrite: true,
    });
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});

describe('recordDevice: a HID scanner through the node-hid seam', () => {
  const KEYBOARD = {
    vendorId: 0x0c2e,
    productId: 0x0b61,
    path: '/dev/hidraw0',
    usagePage: 1,
    usage: 6,
    product: 'Voyager',
  };

  it('writes each report as it came, and the recording replays as the same scans', async () => {
    const bus = new FakeHidBus();
    bus.plug(KEYBOARD);
    const file = out();
    const { controller, result, opened } = await recording(
      device({ type: 'hid', vendorId: '0x0c2e', productId: '0x0b61' }),
      file,
      { loadHid: async () => bus.module() },
    );
    expect(opened()).toBe('keyboard-mode scanner 0x0c2e:0x0b61 at /dev/hidraw0');
    const reports = [...encodeKeyboardReports(PATRON), ...encodeKeyboardReports(ITEM, { rightShift: true })];
    for (const r of reports) bus.handle('/dev/hidraw0')!.send(r);
    controller.abort();
    const done = await result;
    expect(done).toMatchObject({ as: 'hid-keyboard', chunks: reports.length, bytes: reports.length * 8 });
    expect(parseRecording(readFileSync(file, 'utf8'), file).map((c) => c.bytes)).toEqual(reports);
    expect(bus.opened[0]?.closed).toBe(true);
    const sink = await replay(file, 'hid-keyboard');
    expect(sink.scans.map((s) => s.text)).toEqual([PATRON, ITEM]);
  });

  it('records a HID POS scanner for replay as hid-pos, and stops when it is unplugged', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, path: '/dev/hidraw1', usagePage: 0x8c, usage: 2 });
    const file = out();
    const { result } = await recording(
      device({ type: 'hid', vendorId: '0x0c2e', productId: '0x0b61' }),
      file,
      {
        loadHid: async () => bus.module(),
      },
    );
    for (const r of encodePosReports(ITEM, ']F0', { chunk: 5 })) bus.handle('/dev/hidraw1')!.send(r);
    bus.unplug('/dev/hidraw1');
    const done = await result;
    expect(done).toMatchObject({ as: 'hid-pos', stoppedBy: 'device', chunks: 3 });
    const sink = await replay(file, 'hid-pos');
    expect(sink.scans.map((s) => [s.text, s.symbology])).toEqual([[ITEM, ']F0']]);
  });

  it('asks for the libusb driver first when the device is exclusive', async () => {
    const bus = new FakeHidBus();
    bus.plug({ ...KEYBOARD, path: '0001:0004:00' });
    const { controller, result } = await recording(
      device({ type: 'hid', vendorId: '0x0c2e', productId: '0x0b61', exclusive: true }),
      out(),
      { loadHid: async () => bus.module() },
    );
    controller.abort();
    await result;
    expect(bus.calls.slice(0, 2)).toEqual(['setDriverType:libusb', 'devices']);
  });

  it('says what is wrong: not plugged in, permission, node-hid unavailable', async () => {
    const config = device({ type: 'hid', vendorId: '0x0c2e', productId: '0x0b61' });
    const bus = new FakeHidBus();
    await expect(recordDevice(config, out(), { loadHid: async () => bus.module() })).rejects.toThrow(
      'scanner 0x0c2e:0x0b61 not found: plug it in and try again',
    );
    bus.plug(KEYBOARD);
    bus.openError = new Error("Failed to open a device with path '/dev/hidraw0': Permission denied");
    await expect(recordDevice(config, out(), { loadHid: async () => bus.module() })).rejects.toThrow(
      /^cannot open \/dev\/hidraw0: permission denied; add 'KERNEL=="hidraw\*"/,
    );
    await expect(
      recordDevice(config, out(), {
        loadHid: async () => {
          throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
        },
      }),
    ).rejects.toThrow('HID support unavailable: install libusb-1.0-0 (apt-get install libusb-1.0-0)');
  });

  it('refuses devices that have no raw bytes to record', async () => {
    await expect(recordDevice(device({ type: 'terminal' }), out())).rejects.toThrow(
      'device "front" is a terminal device: only hid and serial devices can be recorded',
    );
  });
});

describe('recordCommand', () => {
  const config = configSchema.parse({
    devices: [
      { id: 'front', type: 'hid', vendorId: '0x0c2e', productId: '0x0b61' },
      { id: 'back', type: 'serial', path: '/dev/ttyACM0' },
    ],
  });

  it('names the devices there are when asked for one that is not in the config', async () => {
    const lines: string[] = [];
    const code = await recordCommand({ config, device: 'side', out: out() }, (t) => lines.push(t));
    expect(code).toBe(64); // wrong usage, as every command's (src/exit.ts)
    expect(lines).toEqual(['no device "side" in the config; its devices are "front" (hid), "back" (serial)']);
  });

  it('records until stopped, then says how to replay the recording', async () => {
    const bus = new FakeHidBus();
    bus.plug({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw0', usagePage: 0x8c, usage: 2 });
    const file = out();
    const lines: string[] = [];
    const listeners = process.listenerCount('SIGINT');
    const stop = new AbortController();
    const code = recordCommand({ config, device: 'front', out: file }, (t) => lines.push(t), {
      loadHid: async () => bus.module(),
      signal: stop.signal,
    });
    await waitFor(() => lines.length === 1, 'the recording to begin');
    expect(lines[0]).toBe(
      `recording HID POS scanner 0x0c2e:0x0b61 at /dev/hidraw0 to ${file}: scan some barcodes, then press Ctrl+C`,
    );
    bus.handle('/dev/hidraw0')!.send(encodePosReports(PATRON)[0]!);
    stop.abort();
    expect(await code).toBe(0);
    expect(lines.slice(1)).toEqual([
      `recorded 1 reports (64 bytes) to ${file}`,
      `to replay it, add this device to the config: {"id":"front-replay","type":"replay","file":${JSON.stringify(file)},"as":"hid-pos"}`,
    ]);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('stops on SIGINT (Ctrl+C)', async () => {
    const bus = new FakeHidBus();
    bus.plug({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw0', usagePage: 1, usage: 6 });
    const lines: string[] = [];
    const code = recordCommand({ config, device: 'front', out: out() }, (t) => lines.push(t), {
      loadHid: async () => bus.module(),
    });
    await waitFor(() => lines.length === 1, 'the recording to begin');
    process.emit('SIGINT');
    expect(await code).toBe(0);
    expect(lines[1]).toMatch(/^recorded 0 reports \(0 bytes\)/);
  });

  it.each([Number.NaN, 0, -5, Number.POSITIVE_INFINITY])(
    'refuses --seconds %s before opening anything',
    async (seconds) => {
      const lines: string[] = [];
      const file = out();
      const code = await recordCommand({ config, device: 'front', out: file, seconds }, (t) => lines.push(t));
      expect(code).toBe(64);
      expect(lines).toEqual([`--seconds: expected a positive number of seconds, got ${String(seconds)}`]);
      expect(existsSync(file)).toBe(false);
    },
  );

  it('stops after --seconds, saying so when it starts', async () => {
    const bus = new FakeHidBus();
    bus.plug({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw0', usagePage: 1, usage: 6 });
    const lines: string[] = [];
    const code = await recordCommand(
      { config, device: 'front', out: out(), seconds: 0.05 },
      (t) => lines.push(t),
      {
        loadHid: async () => bus.module(),
      },
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/then press Ctrl\+C \(or wait 0\.05 s\)$/);
  });

  it("says why it cannot record, with exit code 74 (the device can't be opened)", async () => {
    const lines: string[] = [];
    const code = await recordCommand({ config, device: 'back', out: out() }, (t) => lines.push(t));
    expect(code).toBe(74);
    expect(lines).toEqual([
      'cannot record "back": /dev/ttyACM0 not found: plug the scanner in, or check "path" in the config',
    ]);
  });
});
