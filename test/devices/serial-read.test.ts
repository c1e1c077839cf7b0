import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { readOnEventLoop } from '../../src/devices/serial-read.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';
import { bundleFixture, spawnJsonLines, type Bundle } from '../helpers/ts-child.js';

describe('a serial scanner is read on the event loop, not in the thread pool', () => {
  let bundle: Bundle;
  let pair: PtyPair;
  let dir: string;
  beforeAll(async () => {
    bundle = await bundleFixture('test/devices/fixtures/serial-child.ts');
    pair = await startPty();
    dir = await mkdtemp(join(tmpdir(), 'offcirc-busy-pool-'));
  });
  afterAll(async () => {
    await pair?.dispose();
    await bundle?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // With serialport's own reads (fs.read in the pool) the scan would wait behind the blocked worker.
  it('scans arrive while the only thread-pool worker is busy', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const config = {
      id: 'front',
      type: 'serial',
      path: pair.scannerPath,
      baudRate: 9600,
      silenceMs: 2000,
      reconnectMs: 40,
    };
    const run = spawnJsonLines('env', [
      'UV_THREADPOOL_SIZE=1',
      process.execPath,
      bundle.file,
      JSON.stringify(config),
      fifo,
    ]);
    try {
      await run.waitForLine((l) => l.type === 'blocked', 'the pool blocked');
      await pair.write('21234000000018\r');
      const scan = await run.waitForLine((l) => l.type === 'scan', 'a scan while the pool is blocked');
      expect(scan).toMatchObject({ device: 'front', text: '21234000000018' });
      await pair.write('31234000000016\r');
      await run.waitForLine((l) => l.text === '31234000000016', 'a second scan');
    } finally {
      // Releases the worker: the FIFO's open for reading completes once a writer opens it.
      await writeFile(fifo, '');
      run.child.stdin?.write('stop\n');
    }
    await run.waitForLine((l) => l.type === 'stopped', 'stopped');
    expect(await run.exitWithin(10_000)).toBe(0);
  });
});

describe('readOnEventLoop', () => {
  it('leaves alone what is not a Unix port binding', () => {
    const windowsLike = { read: () => Promise.resolve({ buffer: Buffer.alloc(0), bytesRead: 0 }) };
    const read = windowsLike.read;
    expect(readOnEventLoop(windowsLike)).toBe(false);
    expect(windowsLike.read).toBe(read);
    expect(readOnEventLoop(undefined)).toBe(false);
  });

  async function openPort(
    path: string,
    reads: 'serialport' | 'event loop',
  ): Promise<{ port: SerialPort; errors: Error[] }> {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    const errors: Error[] = [];
    port.on('error', (error) => errors.push(error));
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    if (reads === 'event loop') expect(readOnEventLoop(port.port)).toBe(true);
    return { port, errors };
  }

  // As serialport's own reads do, which the case also runs for comparison.
  for (const reads of ['serialport', 'event loop'] as const) {
    it(`(${reads} reads) reads every byte; a port closed while a read waits ends quietly`, async () => {
      const pair = await startPty();
      try {
        const { port, errors } = await openPort(pair.scannerPath, reads);
        const chunks: Buffer[] = [];
        port.on('data', (chunk: Buffer) => chunks.push(chunk));
        await pair.write('abc\r');
        await pair.write('def\r');
        await waitFor(() => Buffer.concat(chunks).toString() === 'abc\rdef\r', { what: 'the bytes' });
        const closed = new Promise<Error | null>((resolve) => port.once('close', resolve));
        await new Promise<void>((resolve) => port.close(() => resolve()));
        expect(await closed).toBeNull();
        expect(errors).toEqual([]);
      } finally {
        await pair.dispose();
      }
    });
  }

  // serialport's own reads fail this one: the hang-up lands between two reads, each later read returns
  // zero bytes, and the binding reads again at once in the thread pool, for ever (seen here: a worker
  // spinning and no close within 30 s). The scanner's presence check would notice the unplug later.
  it('the scanner going away just after the open closes the port as disconnected', async () => {
    const pair = await startPty();
    try {
      const { port, errors } = await openPort(pair.scannerPath, 'event loop');
      port.on('data', () => undefined);
      const closed = new Promise<Error | null>((resolve) => port.once('close', resolve));
      await pair.stop();
      expect(await closed).toMatchObject({ disconnected: true });
      expect(errors).toEqual([]);
    } finally {
      await pair.dispose();
    }
  });
});
