import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { SerialDeviceConfig } from '../../src/config/schema.js';
import { SerialScanner, hexBytes, type PortInfo } from '../../src/devices/serial.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';
import { recordingSink, type RecordingSink } from '../helpers/recording-sink.js';
import { portInfo } from '../helpers/ports.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function pty(...args: Parameters<typeof startPty>): Promise<PtyPair> {
  const pair = await startPty(...args);
  cleanups.push(() => pair.dispose());
  return pair;
}

function config(extra: Partial<SerialDeviceConfig>): SerialDeviceConfig {
  return { id: 'front', type: 'serial', baudRate: 9600, silenceMs: 2000, reconnectMs: 40, ...extra };
}

function scanner(
  cfg: SerialDeviceConfig,
  sink: RecordingSink,
  deps?: ConstructorParameters<typeof SerialScanner>[2],
) {
  const s = new SerialScanner(cfg, sink, deps);
  cleanups.push(() => s.stop());
  return s;
}

const texts = (sink: RecordingSink) => sink.scans.map((s) => s.text);
const statusCount = (sink: RecordingSink, n: number) => () => sink.statuses.length >= n;

/** Opens the path with serialport's lock: fails while another opener (a scanner not stopped) holds it. */
async function canLock(path: string): Promise<boolean> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  const error = await new Promise<Error | null>((resolve) => port.open(resolve));
  if (error) return false;
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return true;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offcirc-serial-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('SerialScanner on a real pty', () => {
  it('reads barcodes sent in one write, in split writes and with CRLF, as scans from this device', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const before = Date.now();
    await scanner(config({ path: pair.scannerPath }), sink).start();
    expect(sink.statuses).toEqual([
      { device: 'front', status: 'connected', message: `${pair.scannerPath} open at 9600 baud` },
    ]);

    await pair.write('21234000000018\r31234000000016\r');
    await waitFor(() => sink.scans.length === 2, { what: 'two scans' });

    // The pieces of one barcode, handed to the kernel apart (the reader may still get them together).
    await pair.write('3123');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pair.write('4000000024\r');
    await pair.write('\n21234000000026\r\n');
    await waitFor(() => sink.scans.length === 4, { what: 'four scans' });

    expect(texts(sink)).toEqual(['21234000000018', '31234000000016', '31234000000024', '21234000000026']);
    for (const scan of sink.scans) {
      expect(scan.device).toBe('front');
      expect(scan.at).toBeGreaterThanOrEqual(before);
      expect(scan.group).toBeUndefined();
    }
    expect(sink.warnings).toEqual([]);
  });

  it('passes non-ASCII and NUL bytes through as characters, for the classifier to reject', async () => {
    const pair = await pty();
    const sink = recordingSink();
    await scanner(config({ path: pair.scannerPath }), sink).start();
    await pair.write(Buffer.from([0x33, 0x31, 0xe9, 0x00, 0x0d]));
    await waitFor(() => sink.scans.length === 1);
    expect(sink.scans[0]?.text).toBe('31\u00e9\u0000');
  });

  it('drops a fragment left without a line end after silenceMs, with a warning, and keeps it off the next barcode', async () => {
    const pair = await pty();
    const sink = recordingSink();
    await scanner(config({ path: pair.scannerPath, silenceMs: 60 }), sink).start();
    await pair.write('3123');
    await waitFor(() => sink.warnings.length === 1, { what: 'the silence warning' });
    expect(sink.warnings[0]).toEqual({
      device: 'front',
      message:
        'dropped 4 bytes with no line end after 60 ms of silence: 4 digits, starting "31" (check the scanner sends CR or LF after each barcode)',
    });
    await pair.write('31234000000016\r');
    await waitFor(() => sink.scans.length === 1);
    expect(texts(sink)).toEqual(['31234000000016']);
  });

  it('reports an unplug once, comes back when the pty does, and reads scans again', async () => {
    const pair = await pty();
    const sink = recordingSink();
    await scanner(config({ path: pair.scannerPath }), sink).start();
    await pair.write('21234000000018\r3123');
    await waitFor(() => sink.scans.length === 1);

    await pair.stop();
    await waitFor(statusCount(sink, 2), { what: 'disconnected' });
    expect(sink.statuses[1]).toEqual({
      device: 'front',
      status: 'disconnected',
      message: `${pair.scannerPath} unplugged: waiting for it to come back`,
    });
    expect(sink.warnings.map((w) => w.message)).toEqual([
      'dropped 4 bytes with no line end when the port closed: 4 digits, starting "31"',
    ]);

    await pair.restart();
    await waitFor(statusCount(sink, 3), { what: 'connected again' });
    await pair.write('31234000000016\r');
    await waitFor(() => sink.scans.length === 2, { what: 'a scan after the replug' });
    expect(texts(sink)).toEqual(['21234000000018', '31234000000016']);
    expect(sink.statuses.map((s) => s.status)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('reports a path missing at start as an error with the fix, and connects once it appears', async () => {
    const dir = await tempDir();
    const path = join(dir, 'scanner');
    const sink = recordingSink();
    await scanner(config({ path }), sink).start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'error',
        message: `${path} not found: plug the scanner in, or check "path" in the config`,
      },
    ]);

    const pair = await pty({ dir });
    await waitFor(statusCount(sink, 2), { what: 'connected' });
    expect(sink.statuses[1]).toMatchObject({ status: 'connected', message: `${path} open at 9600 baud` });
    await pair.write('21234000000018\n');
    await waitFor(() => sink.scans.length === 1);
  });

  it('follows a matched scanner to its new path after a replug, reporting each change once', async () => {
    const first = await pty({ scannerName: 'A1', hostName: 'B1' });
    const usb = (path: string, serialNumber = 'S1'): PortInfo =>
      portInfo({ path, manufacturer: 'Honeywell', serialNumber, vendorId: '0C2E', productId: '0b61' });
    let plugged: string | undefined = first.scannerPath;
    let lists = 0;
    const listPorts = async () => {
      lists++;
      // A look-alike with another serial number and an unrelated port must never be chosen.
      const others = [
        usb('/dev/ttyACM9', 'S2'),
        { ...usb('/dev/ttyS0'), vendorId: undefined, productId: undefined },
      ];
      return plugged ? [...others, usb(plugged)] : others;
    };
    const sink = recordingSink();
    const match = { vendorId: '0x0c2e', productId: 0x0b61, serialNumber: 'S1' };
    await scanner(config({ match }), sink, { listPorts }).start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'connected',
        message: `${first.scannerPath} (USB 0c2e:0b61 serial S1) open at 9600 baud`,
      },
    ]);
    await first.write('21234000000018\r');
    await waitFor(() => sink.scans.length === 1);

    plugged = undefined;
    await first.stop();
    await waitFor(statusCount(sink, 2), { what: 'disconnected' });
    const listsWhileUnplugged = lists;
    await waitFor(() => lists >= listsWhileUnplugged + 3, { what: 'retries while unplugged' });

    const second = await pty({ dir: first.dir, scannerName: 'A2', hostName: 'B2' });
    plugged = second.scannerPath;
    await waitFor(statusCount(sink, 3), { what: 'connected on the new path' });
    await second.write('31234000000016\r');
    await waitFor(() => sink.scans.length === 2);

    expect(sink.statuses.slice(1)).toEqual([
      {
        device: 'front',
        status: 'disconnected',
        message: `${first.scannerPath} unplugged: waiting for it to come back`,
      },
      {
        device: 'front',
        status: 'connected',
        message: `${second.scannerPath} (USB 0c2e:0b61 serial S1) open at 9600 baud`,
      },
    ]);
    expect(texts(sink)).toEqual(['21234000000018', '31234000000016']);
  });

  it('reports a matched scanner that is not plugged in as an error, once, however often it looks', async () => {
    let lists = 0;
    const sink = recordingSink();
    const listPorts = async () => (lists++, []);
    await scanner(config({ match: { vendorId: 3118, productId: '0x0B61' } }), sink, { listPorts }).start();
    await waitFor(() => lists >= 5, { what: 'five looks' });
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'error',
        message:
          'no serial port with USB ID 0c2e:0b61 found: plug the scanner in, or check "match" in the config',
      },
    ]);
  });

  it('says to install udev when listing ports fails for want of udevadm, keeps trying, and does not crash', async () => {
    // The real error: serialport's own list() run where no udevadm can be found.
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const realError = await SerialPort.list().then(
      () => undefined,
      (error: unknown) => error,
    );
    process.env.PATH = savedPath;
    expect(realError).toBeInstanceOf(Error);

    const pair = await pty();
    let udev = false;
    const listPorts = async (): Promise<PortInfo[]> => {
      if (!udev) throw realError;
      return [portInfo({ path: pair.scannerPath, vendorId: '0c2e', productId: '0b61' })];
    };
    const sink = recordingSink();
    await scanner(config({ match: { vendorId: '0x0c2e', productId: '0x0b61' } }), sink, {
      listPorts,
    }).start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'error',
        message:
          'can\'t list serial ports to find the scanner by USB ID: udevadm is missing: install udev (apt-get install --no-install-recommends udev) or give "path" instead of "match"',
      },
    ]);
    udev = true;
    await waitFor(statusCount(sink, 2), { what: 'connected once udev is there' });
    expect(sink.statuses[1]?.status).toBe('connected');
  });

  it('gives the same udev status with the default port list when udevadm is missing', async () => {
    const sink = recordingSink();
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await scanner(config({ match: { vendorId: '0x0c2e', productId: '0x0b61' } }), sink).start();
    } finally {
      process.env.PATH = savedPath;
    }
    expect(sink.statuses).toHaveLength(1);
    expect(sink.statuses[0]).toMatchObject({ status: 'error' });
    expect(sink.statuses[0]?.message).toContain('udevadm is missing: install udev');
  });

  it('sends the configured feedback bytes while open, and nothing (without failing) while unplugged', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath, feedback: { good: '1b07', bad: '1B 08 0d' } }), sink);
    await s.start();
    await pair.write('21234000000018\r'); // opens the host end, so it hears what the scanner is sent
    await waitFor(() => sink.scans.length === 1);
    s.feedback('good');
    await waitFor(() => pair.received().length === 2, { what: 'the good signal' });
    s.feedback('bad');
    await waitFor(() => pair.received().length === 5, { what: 'the bad signal' });
    expect([...pair.received()]).toEqual([0x1b, 0x07, 0x1b, 0x08, 0x0d]);

    await pair.stop();
    await waitFor(statusCount(sink, 2));
    s.feedback('good');
    expect(sink.warnings).toEqual([]);
  });

  it('sends nothing when no feedback is configured', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath, feedback: { bad: '07' } }), sink);
    await s.start();
    await pair.write('21234000000018\r');
    await waitFor(() => sink.scans.length === 1);
    s.feedback('good');
    s.feedback('bad');
    await waitFor(() => pair.received().length === 1, { what: 'the bad signal' });
    expect([...pair.received()]).toEqual([0x07]);
  });

  it('stop() releases the port', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath }), sink);
    await s.start();
    expect(await canLock(pair.scannerPath)).toBe(false);
    await s.stop();
    expect(await canLock(pair.scannerPath)).toBe(true);
  });

  it('stop() cancels the retries of a missing scanner', async () => {
    const counted = () => {
      const c = { n: 0, listPorts: async () => (c.n++, [] as PortInfo[]) };
      return c;
    };
    const match = { vendorId: '0x0c2e', productId: '0x0b61' };
    const stopped = counted();
    const s = scanner(config({ match }), recordingSink(), { listPorts: stopped.listPorts });
    await s.start();
    await waitFor(() => stopped.n >= 2, { what: 'a retry' });
    await s.stop();
    const after = stopped.n;
    // A twin started now shows how much time passes: six of its looks span five retry intervals.
    const twin = counted();
    await scanner(config({ match }), recordingSink(), { listPorts: twin.listPorts }).start();
    await waitFor(() => twin.n >= 6, { what: "the twin's retries" });
    expect(stopped.n).toBe(after);
  });

  it('can be stopped while it is still looking for its port, and opens nothing after', async () => {
    const pair = await pty();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const listPorts = async (): Promise<PortInfo[]> => {
      await gate;
      return [portInfo({ path: pair.scannerPath, vendorId: '0c2e', productId: '0b61' })];
    };
    const sink = recordingSink();
    const s = scanner(config({ match: { vendorId: '0x0c2e', productId: '0x0b61' } }), sink, { listPorts });
    const starting = s.start();
    const stopping = s.stop();
    release();
    await Promise.all([starting, stopping]);
    expect(sink.statuses).toEqual([]);
    expect(await canLock(pair.scannerPath)).toBe(true);
  });

  it('reports a path that is not a serial port as an error with the fix', async () => {
    const dir = await tempDir();
    const sink = recordingSink();
    await scanner(config({ path: dir }), sink).start();
    expect(sink.statuses).toEqual([
      {
        device: 'front',
        status: 'error',
        message: `${dir} is not a serial port (Is a directory, cannot open ${dir}): check "path" in the config`,
      },
    ]);
  });

  it('reports a port held by another program as busy', async () => {
    const pair = await pty();
    const holder = new SerialScanner(config({ id: 'holder', path: pair.scannerPath }), recordingSink());
    cleanups.push(() => holder.stop());
    await holder.start();
    const sink = recordingSink();
    await scanner(config({ path: pair.scannerPath }), sink).start();
    expect(sink.statuses[0]).toMatchObject({ status: 'error' });
    expect(sink.statuses[0]?.message).toContain('is in use by another program');
    await holder.stop();
    await waitFor(statusCount(sink, 2), { what: 'connected once the holder lets go' });
    expect(sink.statuses[1]?.status).toBe('connected');
  });
});

describe('hexBytes', () => {
  it('reads feedback settings with or without spaces, in either case', () => {
    expect([...hexBytes('1b07')]).toEqual([0x1b, 0x07]);
    expect([...hexBytes('1B 07 0d')]).toEqual([0x1b, 0x07, 0x0d]);
    expect(hexBytes('')).toHaveLength(0);
  });
});

describe('SerialScanner: holding back when the station asks', () => {
  it('takes no scans while paused, leaving them in the port, and delivers them all on resume', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath }), sink);
    await s.start();
    s.pause();
    const barcodes = Array.from({ length: 200 }, (_, i) => `3123400${String(i).padStart(7, '0')}`);
    await pair.write(barcodes.map((b) => `${b}\r`).join(''));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.scans).toEqual([]);
    s.resume();
    await waitFor(() => sink.scans.length === 200, { what: 'the 200 held-back scans' });
    expect(texts(sink)).toEqual(barcodes);
  });

  it('does not count the time it held back as silence: a barcode cut by the pause arrives whole', async () => {
    // A burst's read can end mid-barcode just as the station asks to hold back; the rest waits in the port
    // for as long as the station needs, which may be longer than silenceMs.
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath, silenceMs: 100 }), sink);
    await s.start();
    await pair.write('3123400');
    await waitFor(() => s.pendingLength === 7, { what: 'the first half read' });
    s.pause();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await pair.write('0000001\r');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.warnings).toEqual([]);
    s.resume();
    await waitFor(() => sink.scans.length === 1, { what: 'the whole barcode' });
    expect(texts(sink)).toEqual(['31234000000001']);
    expect(sink.warnings).toEqual([]);
  });

  it('still drops a fragment left without a line end once it has been resumed for silenceMs', async () => {
    const pair = await pty();
    const sink = recordingSink();
    const s = scanner(config({ path: pair.scannerPath, silenceMs: 100 }), sink);
    await s.start();
    await pair.write('3123400');
    await waitFor(() => s.pendingLength === 7, { what: 'the fragment read' });
    s.pause();
    s.resume();
    await waitFor(() => sink.warnings.length === 1, { what: 'the dropped fragment' });
    await pair.write('99\r');
    await waitFor(() => sink.scans.length === 1, { what: 'the next scan' });
    expect(texts(sink)).toEqual(['99']);
  });
});
