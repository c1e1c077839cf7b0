/**
 * Test kit for HID: a node-hid stand-in for the injected seam (this machine has no /dev/uhid, so no real
 * HID device can exist), a sink that records what a driver says, and a way to run offcirc's own code in
 * a child process with a different environment (for "libusb can't load" and "udevadm missing").
 */
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { onTestFinished } from 'vitest';
import type { HidDeviceInfo, HidHandle, NodeHidModule } from '../../src/devices/node-hid.js';
import type { DeviceStatusEvent, Scan, ScannerSink } from '../../src/devices/scanner.js';

/** An open device of the fake bus: the test sends reports into it as node-hid's read loop would. */
export class FakeHidDevice extends EventEmitter implements HidHandle {
  closed = false;
  readonly written: Buffer[] = [];

  constructor(readonly path: string) {
    super();
  }

  /** One input report, as node-hid's 'data' event gives it. */
  send(report: Buffer): void {
    if (!this.closed) this.emit('data', report);
  }

  close(): void {
    this.closed = true;
    this.removeAllListeners();
  }

  write(values: number[] | Buffer): number {
    this.written.push(Buffer.from(values));
    return values.length;
  }
}

/** The HID devices "plugged in", and a node-hid-shaped module that lists and opens them. */
export class FakeHidBus {
  list: HidDeviceInfo[] = [];
  readonly opened: FakeHidDevice[] = [];
  /** Every call into the module, in order: "setDriverType:libusb", "devices", "open:/dev/hidraw0". */
  readonly calls: string[] = [];
  /** Thrown by the next opens (e.g. permission denied). */
  openError: Error | undefined;
  /** Thrown by devices() (e.g. the native part failing to load). */
  devicesError: Error | undefined;

  module(): NodeHidModule {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below needs the bus, not itself
    const bus = this;
    return {
      devices: () => {
        bus.calls.push('devices');
        if (bus.devicesError) throw bus.devicesError;
        return bus.list.map((d) => ({ ...d }));
      },
      setDriverType: (type) => {
        bus.calls.push(`setDriverType:${type}`);
      },
      HID: class {
        constructor(devicePath: string) {
          bus.calls.push(`open:${devicePath}`);
          if (bus.openError) throw bus.openError;
          if (!bus.list.some((d) => d.path === devicePath))
            throw new Error(`cannot open device with path ${devicePath}`);
          const device = new FakeHidDevice(devicePath);
          bus.opened.push(device);
          return device;
        }
      } as unknown as NodeHidModule['HID'],
    };
  }

  plug(info: HidDeviceInfo): void {
    this.list.push(info);
  }

  /** Pulls the device out: gone from the list, and an open handle gets node-hid's read error. */
  unplug(devicePath: string): void {
    this.list = this.list.filter((d) => d.path !== devicePath);
    for (const device of this.opened) {
      if (device.path === devicePath && !device.closed)
        device.emit('error', new Error('could not read from HID device'));
    }
  }

  /** The newest open, not yet closed, handle for a path. */
  handle(devicePath: string): FakeHidDevice | undefined {
    return this.opened.filter((d) => d.path === devicePath && !d.closed).at(-1);
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

/** A sink that keeps everything a driver tells it. */
export class RecordingSink implements ScannerSink {
  readonly scans: Scan[] = [];
  readonly statuses: DeviceStatusEvent[] = [];
  readonly warnings: string[] = [];
  readonly endedDevices: string[] = [];

  scan(scan: Scan): void {
    this.scans.push(scan);
  }
  status(event: DeviceStatusEvent): void {
    this.statuses.push(event);
  }
  warn(_device: string, message: string): void {
    this.warnings.push(message);
  }
  ended(device: string): void {
    this.endedDevices.push(device);
  }

  get lastStatus(): DeviceStatusEvent | undefined {
    return this.statuses.at(-1);
  }
}

/** Waits until `condition` holds, checking every few milliseconds; fails with `what` if it never does. */
export async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets timers and I/O callbacks that are already due run. */
export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * Bundles `code` (TypeScript that may import offcirc's src/ by absolute path) with esbuild and runs it in
 * a child node with `env` added, so a test can change what the process sees (LD_LIBRARY_PATH, PATH).
 * node-hid and serialport stay outside the bundle and load from the repository's node_modules.
 */
export async function runInChild(
  code: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-child-'));
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(entry, code.replaceAll('@src/', `${repo}/src/`));
  const outfile = path.join(dir, 'entry.cjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    external: ['node-hid', 'serialport'],
    // import('node-hid') becomes require(), which finds node_modules through NODE_PATH from /tmp.
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  return new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    execFile(
      process.execPath,
      [outfile],
      { env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * A directory holding a `libusb-1.0.so.0` that isn't a library: put first in LD_LIBRARY_PATH, libusb
 * can't load. Call it inside a test: it is removed when the test ends.
 */
export function brokenLibusbDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-nolibusb-'));
  writeFileSync(path.join(dir, 'libusb-1.0.so.0'), '');
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
