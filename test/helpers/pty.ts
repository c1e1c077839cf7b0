/**
 * A pair of real kernel pseudo-terminals joined by socat, for testing serial code without hardware:
 * the code under test opens `scannerPath`; the test plays the scanner through `hostPath`. Costs one
 * socat process; stop() and restart() unplug and replug it on the same link names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the error when the deadline passes (a function to describe the state at that moment). */
  what?: string | (() => string);
}

/**
 * Polls `probe` until it returns something other than undefined/false (which is returned), or fails
 * after the deadline. For waiting on a condition instead of sleeping a fixed time.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 10, what = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface PtyPair {
  /** The temp folder holding the links. */
  readonly dir: string;
  /** The end the code under test opens, as a serial port. */
  readonly scannerPath: string;
  /** The end the test writes to (as if it were the scanner) and reads from. */
  readonly hostPath: string;
  /** Sends bytes from the host end; resolves once they have been handed to the kernel. */
  write(bytes: Buffer | string): Promise<void>;
  /** Everything the code under test wrote to its end since the host end was opened (e.g. feedback). */
  received(): Buffer;
  /** Unplugs: ends socat (its links disappear); a reader on scannerPath sees a disconnect. */
  stop(): Promise<void>;
  /** Replugs: a new socat on the same link names (a different /dev/pts number, as after a real replug). */
  restart(): Promise<void>;
  /** stop() and remove the temp folder (unless the caller gave the folder). */
  dispose(): Promise<void>;
}

export interface PtyOptions {
  /** Folder for the links; a new temp folder by default. */
  dir?: string;
  scannerName?: string;
  hostName?: string;
}

const exists = async (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Starts socat and resolves once both links exist and it is moving data. */
export async function startPty(options: PtyOptions = {}): Promise<PtyPair> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'offcirc-pty-')));
  const scannerPath = join(dir, options.scannerName ?? 'scanner');
  const hostPath = join(dir, options.hostName ?? 'host');

  let socat: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let host: SerialPort | undefined;
  let received: Buffer[] = [];

  async function launch(): Promise<void> {
    const child = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${scannerPath}`, `pty,raw,echo=0,link=${hostPath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    socat = child;
    let log = '';
    let dead = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => (log += text));
    exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (error) => (log += `\n${error.message}`));
    child.once('exit', () => (dead = true));
    await waitFor(
      async () => {
        if (dead) throw new Error(`socat ended: ${log.trim()}`);
        return (
          log.includes('starting data transfer loop') &&
          (await exists(scannerPath)) &&
          (await exists(hostPath))
        );
      },
      { what: `socat links ${scannerPath} and ${hostPath}`, intervalMs: 5 },
    ).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
  }

  async function openHost(): Promise<SerialPort> {
    if (host?.isOpen) return host;
    const port = new SerialPort({ path: hostPath, baudRate: 9600, autoOpen: false });
    // An unplug (stop) closes the host end too; nothing to report, the test drives that itself.
    port.on('error', () => undefined);
    port.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    host = port;
    return port;
  }

  async function closeHost(): Promise<void> {
    const port = host;
    host = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async function stop(): Promise<void> {
    await closeHost();
    const child = socat;
    socat = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    // socat removes its links as it ends; make sure, so a restart never finds a stale one.
    await Promise.all([scannerPath, hostPath].map((p) => unlink(p).catch(() => undefined)));
  }

  await launch();

  return {
    dir,
    scannerPath,
    hostPath,
    async write(bytes) {
      const port = await openHost();
      await new Promise<void>((resolve, reject) =>
        port.write(bytes, (error) => (error ? reject(error) : port.drain(() => resolve()))),
      );
    },
    received: () => Buffer.concat(received),
    stop,
    async restart() {
      await stop();
      received = [];
      await launch();
    },
    async dispose() {
      await stop();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
