/**
 * A serial (or USB CDC-ACM) barcode scanner: opens the port by path or by USB IDs, frames its bytes into
 * scans, and reopens it when it is unplugged and plugged back, however long that takes. A port that
 * can't be opened is a status, never an exception: the daemon outlives every scanner.
 */
import { statSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { SerialDeviceConfig } from '../config/schema.js';
import type { Scanner, ScannerSink } from './scanner.js';
import { LineFramer, describeDrop, type DroppedFragment, type FrameResult } from './framing.js';
import { RetryTimer, StatusReporter } from './reconnect.js';
import { describeMatch, findPorts, type PortInfo } from './serial-match.js';
import { describeListError, describeOpenError, type OpenProblem } from './serial-errors.js';
import { readOnEventLoop } from './serial-read.js';

export type { PortInfo } from './serial-match.js';

export interface SerialScannerDeps {
  /** The system's serial ports, for `match` (default SerialPort.list(), which needs udevadm). */
  listPorts?: () => Promise<PortInfo[]>;
  now?: () => number;
}

/** The bytes of a feedback setting such as "1b07" or "1b 07". */
export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

interface Target {
  path: string;
  /** Said in the connected status and warnings: how the path was found. */
  note: string;
}

/** One serial scanner: a port, its framer, and the retry loop that outlives unplugs. */
export class SerialScanner implements Scanner {
  readonly id: string;
  private readonly listPorts: () => Promise<PortInfo[]>;
  private readonly now: () => number;
  private readonly framer: LineFramer;
  private readonly reporter: StatusReporter;
  private readonly retry: RetryTimer;
  private port: SerialPort | undefined;
  private path: string | undefined;
  private running = false;
  /** Once it has been open, a missing port means "unplugged", not a configuration error. */
  private everOpened = false;
  private attempt: Promise<void> | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  /** The station asked it to hold back: the port's data stays in its buffers (and the sender waits). */
  private paused = false;

  constructor(
    private readonly config: SerialDeviceConfig,
    private readonly sink: ScannerSink,
    deps: SerialScannerDeps = {},
  ) {
    this.id = config.id;
    this.listPorts = deps.listPorts ?? (() => SerialPort.list());
    this.now = deps.now ?? Date.now;
    this.framer = new LineFramer({ silenceMs: config.silenceMs });
    this.reporter = new StatusReporter(config.id, sink);
    this.retry = new RetryTimer(config.reconnectMs, () => void this.connect());
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.retry.cancel();
    clearInterval(this.presenceTimer);
    this.clearSilenceTimer();
    // An open in flight finishes first, then sees running = false and closes what it opened.
    await this.attempt;
    const port = this.port;
    this.port = undefined;
    this.warnDropped(this.framer.drop(this.now()));
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /**
   * Stops taking the port's data until resume(): what the scanner sends waits in the stream's and the
   * kernel's buffers (a full pty makes its writer wait), instead of in the station's memory.
   */
  pause(): void {
    this.paused = true;
    this.port?.pause();
    // The rest of a barcode cut by the pause waits in the port: no fragment is stale while we hold back.
    this.clearSilenceTimer();
  }

  resume(): void {
    this.paused = false;
    this.framer.heldUntil(this.now());
    this.port?.resume();
    this.armSilenceTimer();
  }

  /** Characters of a barcode read without its line end yet (for tests). */
  get pendingLength(): number {
    return this.framer.pendingLength;
  }

  feedback(kind: 'good' | 'bad'): void {
    const hex = this.config.feedback?.[kind];
    const port = this.port;
    if (hex === undefined || !port?.isOpen) return;
    const bytes = hexBytes(hex);
    if (bytes.length === 0) return;
    port.write(bytes, (error) => {
      if (error)
        this.sink.warn(this.id, `could not send the ${kind} signal to ${this.path}: ${error.message}`);
    });
  }

  /** One attempt to find and open the port at a time; on failure the next is scheduled. */
  private connect(): Promise<void> {
    if (!this.running || this.port) return Promise.resolve();
    this.attempt ??= this.open().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async open(): Promise<void> {
    let target: Target;
    try {
      target = await this.resolve();
    } catch (problem) {
      return this.failed(problem as OpenProblem);
    }
    if (!this.running) return;

    let port: SerialPort;
    try {
      port = new SerialPort({ path: target.path, baudRate: this.config.baudRate, autoOpen: false });
    } catch (error) {
      return this.failed(describeOpenError(error, target.path));
    }
    // Errors after a failed open, or on a port given up, must never become an uncaught 'error' event.
    port.on('error', (error) => this.lost(port, error));
    const error = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (error) return this.failed(describeOpenError(error, target.path));
    if (!this.running) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      return;
    }

    readOnEventLoop(port.port);
    this.port = port;
    this.path = target.path;
    this.everOpened = true;
    port.on('data', (chunk: Buffer) => this.received(chunk));
    if (this.paused) port.pause();
    port.on('close', (closeError: Error | null) => this.lost(port, closeError));
    this.watchPresence(port, target.path);
    this.reporter.report('connected', `${target.path}${target.note} open at ${this.config.baudRate} baud`);
  }

  /**
   * An unplugged scanner's device node goes away (a pty's link too, when socat ends). The port's own close
   * event usually says so first, but it was seen to stay silent (with serialport's own reads, a hang-up
   * between two reads; serial-read.ts closes that gap): looking at the path every reconnectMs is the
   * backstop that makes sure an unplug is noticed and the port reopened when it comes back.
   */
  private watchPresence(port: SerialPort, path: string): void {
    const device = (): number | undefined => {
      try {
        return statSync(path, { throwIfNoEntry: false })?.rdev;
      } catch {
        return undefined;
      }
    };
    const opened = device();
    clearInterval(this.presenceTimer);
    this.presenceTimer = setInterval(() => {
      if (device() !== opened) this.lost(port, null);
    }, this.config.reconnectMs);
    this.presenceTimer.unref();
  }

  /** The path to open: as configured, or the port whose USB IDs match, looked up anew each time. */
  private async resolve(): Promise<Target> {
    const { path, match } = this.config;
    if (path !== undefined) return { path, note: '' };
    if (match === undefined)
      throw {
        kind: 'other',
        message: 'neither "path" nor "match" is set in the config',
      } satisfies OpenProblem;
    let ports: PortInfo[];
    try {
      ports = await this.listPorts();
    } catch (error) {
      throw describeListError(error);
    }
    const found = findPorts(ports, match);
    const chosen = found[0];
    if (!chosen)
      throw {
        kind: 'missing',
        message: `no serial port with USB ID ${describeMatch(match)} found: plug the scanner in, or check "match" in the config`,
      } satisfies OpenProblem;
    if (found.length > 1)
      this.sink.warn(
        this.id,
        `${found.length} serial ports match USB ID ${describeMatch(match)} (${found.map((p) => p.path).join(', ')}): using ${chosen.path}; add "serialNumber" to "match" to choose`,
      );
    return { path: chosen.path, note: ` (USB ${describeMatch(match)})` };
  }

  private failed(problem: OpenProblem): void {
    if (!this.running) return;
    if (problem.kind === 'missing' && this.everOpened) this.reportUnplugged();
    else this.reporter.report('error', problem.message);
    this.retry.schedule();
  }

  /** The port closed or failed under us: report it once and start retrying. */
  private lost(port: SerialPort, _error: Error | null): void {
    if (port !== this.port) return;
    this.port = undefined;
    clearInterval(this.presenceTimer);
    this.clearSilenceTimer();
    if (port.isOpen) port.close(() => undefined);
    this.warnDropped(this.framer.drop(this.now()));
    if (!this.running) return;
    this.reportUnplugged();
    this.retry.schedule();
  }

  private reportUnplugged(): void {
    const what = this.config.path ?? this.path ?? 'the scanner';
    this.reporter.report('disconnected', `${what} unplugged: waiting for it to come back`);
  }

  private received(chunk: Buffer): void {
    this.emit(this.framer.push(chunk, this.now()));
    if (!this.paused) this.armSilenceTimer();
  }

  private emit(results: FrameResult[]): void {
    for (const result of results) {
      if (result.kind === 'frame') this.sink.scan({ text: result.text, device: this.id, at: result.at });
      else this.warnDropped(result);
    }
  }

  private warnDropped(dropped: DroppedFragment | undefined): void {
    if (dropped) this.sink.warn(this.id, describeDrop(dropped, this.framer));
  }

  /** The framer is pure, so the timer that drops a fragment left without a line end lives here. */
  private armSilenceTimer(): void {
    this.clearSilenceTimer();
    const deadline = this.framer.deadline();
    if (deadline === undefined) return;
    this.silenceTimer = setTimeout(
      () => {
        this.silenceTimer = undefined;
        this.warnDropped(this.framer.expire(this.now()));
        this.armSilenceTimer();
      },
      Math.max(1, deadline - this.now()),
    );
  }

  private clearSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }
}
