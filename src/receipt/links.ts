/**
 * The three ways to reach a receipt printer: a serial port, a USB printer's character device, a TCP
 * socket (port 9100). Each opens, writes, passes on what the printer sends back, and says when it is
 * gone; none retries or times out by itself (printer.ts does both). Opening or writing never blocks a
 * thread: serial and TCP are event-driven, the character device is opened non-blocking.
 */
import { constants, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import type { PrinterConfig } from '../config/schema.js';
import { describeOpenError } from '../devices/serial-errors.js';
import { readOnEventLoop } from '../devices/serial-read.js';

export interface LinkEvents {
  /** Bytes the printer sent (status answers). */
  data(bytes: Buffer): void;
  /** The link is gone (unplugged, closed by the printer, an error): `why` in plain words. */
  lost(why: string): void;
}

export interface PrinterLink {
  /** The printer in words staff recognise: "/dev/ttyUSB0", "10.0.0.40:9100". */
  readonly name: string;
  /** Whether the printer can answer a status request over this link. */
  readonly answers: boolean;
  /** Opens the link; rejects with an Error whose message says what is wrong and what to do. */
  open(events: LinkEvents): Promise<void>;
  /** Hands `bytes` to the OS; rejects when the link fails. May never settle (the caller times it out). */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes quietly; safe to call at any time, more than once. */
  close(): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Watches a device path: a node that disappears or changes (unplug, a new socat) is a lost link. */
function watchPresence(path: string, everyMs: number, gone: () => void): NodeJS.Timeout {
  const device = () => {
    try {
      return statSync(path, { throwIfNoEntry: false })?.rdev;
    } catch {
      return undefined;
    }
  };
  const opened = device();
  const timer = setInterval(() => {
    if (device() !== opened) gone();
  }, everyMs);
  timer.unref();
  return timer;
}

/** A printer on a serial port (or a USB serial adapter): 8N1 at the configured baud rate. */
export class SerialLink implements PrinterLink {
  readonly answers: boolean;
  private port: SerialPort | undefined;
  private presence: NodeJS.Timeout | undefined;
  /** Counts open() and close() calls, so an open that finishes after a close() knows it is too late. */
  private attempts = 0;

  constructor(
    private readonly config: Extract<PrinterConfig, { type: 'serial' }>,
    private readonly presenceMs: number,
  ) {
    this.answers = config.askStatus;
  }

  get name(): string {
    return this.config.path;
  }

  async open(events: LinkEvents): Promise<void> {
    const port = new SerialPort({ path: this.config.path, baudRate: this.config.baudRate, autoOpen: false });
    let lost = false;
    const gone = (why: string) => {
      if (lost || port !== this.port) return;
      lost = true;
      this.close();
      events.lost(why);
    };
    port.on('error', (error: Error) => gone(`${this.config.path}: ${error.message}`));
    const attempt = ++this.attempts;
    const error = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (error)
      throw new Error(describeOpenError(error, this.config.path).message.replace('scanner', 'printer'));
    if (attempt !== this.attempts) {
      // close() came while opening (the caller gave up waiting): this port is nobody's.
      port.close(() => undefined);
      throw new Error(`${this.config.path}: closed while opening`);
    }
    readOnEventLoop(port.port);
    this.port = port;
    port.on('data', (chunk: Buffer) => events.data(chunk));
    port.on('close', () => gone(`${this.config.path} unplugged`));
    this.presence = watchPresence(this.config.path, this.presenceMs, () =>
      gone(`${this.config.path} unplugged`),
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error(`${this.config.path} is not open`));
    // No drain(): tcdrain waits in a worker thread for as long as the printer holds back, and the
    // journal's writes share those threads.
    return new Promise((resolve, reject) =>
      port.write(Buffer.from(bytes), (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): void {
    this.attempts++;
    clearInterval(this.presence);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => undefined);
  }
}

/** A network printer's raw port (9100, "JetDirect"). */
export class TcpLink implements PrinterLink {
  readonly answers: boolean;
  private socket: Socket | undefined;

  constructor(
    private readonly config: Extract<PrinterConfig, { type: 'tcp' }>,
    private readonly connectTimeoutMs: number,
  ) {
    this.answers = config.askStatus;
  }

  get name(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  open(events: LinkEvents): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.config.host, port: this.config.port });
      // Held while connecting too: a close() then (the caller gave up waiting) ends this attempt, so a
      // connection that comes late never lingers, holding a printer that takes one client at a time.
      this.socket = socket;
      let opened = false;
      const timer = setTimeout(() => socket.destroy(new Error('no answer')), this.connectTimeoutMs);
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => events.data(chunk));
      socket.once('connect', () => {
        clearTimeout(timer);
        opened = true;
        resolve();
      });
      // 'close' always follows an error: the error's code is kept to say why there.
      let problem = '';
      socket.on('error', (error: NodeJS.ErrnoException) => (problem = error.code ?? error.message));
      socket.once('close', () => {
        clearTimeout(timer);
        if (!opened)
          return reject(
            new Error(
              `${this.name} can't be reached (${problem || 'closed'}): check the printer is on and its address`,
            ),
          );
        if (this.socket !== socket) return;
        this.socket = undefined;
        events.lost(`${this.name} closed the connection${problem ? ` (${problem})` : ''}`);
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error(`${this.name} is not connected`));
    return new Promise((resolve, reject) =>
      socket.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}

/** Writes that find the device busy wait this long before trying again. */
const BUSY_RETRY_MS = 20;

/**
 * A USB printer's character device (usblp: /dev/usb/lp0). Opened write-only and non-blocking, so a
 * printer that stops taking data costs EAGAIN and a retry on a timer, never a worker thread blocked in
 * write(2). Symbolic links are followed (a udev rule's stable name is the way to find the printer after
 * a replug); what they lead to must be a character device: a regular file is refused, as receipts
 * written into a file would pile up unseen. Never answers status requests (usblp's read side is not used).
 */
export class FileLink implements PrinterLink {
  readonly answers = false;
  private file: FileHandle | undefined;
  private presence: NodeJS.Timeout | undefined;
  private events: LinkEvents | undefined;
  /** Counts open() and close() calls, so an open that finishes after a close() knows it is too late. */
  private attempts = 0;

  constructor(
    private readonly config: Extract<PrinterConfig, { type: 'file' }>,
    private readonly presenceMs: number,
  ) {}

  get name(): string {
    return this.config.path;
  }

  async open(events: LinkEvents): Promise<void> {
    const path = this.config.path;
    const attempt = ++this.attempts;
    let file: FileHandle;
    try {
      file = await open(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO')
        throw new Error(
          `${path} not found: plug the printer in, or check "receipt.printer.path" in the config`,
        );
      if (code === 'EACCES') throw new Error(`${path}: permission denied: add the user to the lp group`);
      throw new Error(`${path} can't be opened: ${messageOf(error)}`);
    }
    const stat = await file.stat().catch(() => undefined);
    if (!stat?.isCharacterDevice()) {
      await file.close().catch(() => undefined);
      throw new Error(
        `${path} is not a character device: expected a USB printer's device such as "/dev/usb/lp0"`,
      );
    }
    if (attempt !== this.attempts) {
      await file.close().catch(() => undefined);
      throw new Error(`${path}: closed while opening`);
    }
    this.file = file;
    this.events = events;
    this.presence = watchPresence(path, this.presenceMs, () => this.fail(`${path} unplugged`));
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const file = this.file;
      if (!file) throw new Error(`${this.config.path} is not open`);
      try {
        const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') {
          this.fail(`${this.config.path}: ${messageOf(error)}`);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
      }
    }
  }

  close(): void {
    this.attempts++;
    clearInterval(this.presence);
    const file = this.file;
    this.file = undefined;
    void file?.close().catch(() => undefined);
  }

  private fail(why: string): void {
    if (!this.file) return;
    this.close();
    this.events?.lost(why);
  }
}

/** The link a printer config describes. */
export function createLink(
  config: PrinterConfig,
  options: { timeoutMs: number; reconnectMs: number },
): PrinterLink {
  switch (config.type) {
    case 'serial':
      return new SerialLink(config, options.reconnectMs);
    case 'tcp':
      return new TcpLink(config, options.timeoutMs);
    case 'file':
      return new FileLink(config, options.reconnectMs);
  }
}
