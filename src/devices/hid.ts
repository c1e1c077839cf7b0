/**
 * The USB-HID scanner driver: finds the configured scanner in node-hid's list, reads its reports through
 * the shared HidReportReader, and keeps looking for it when it is absent or unplugged. Costs one
 * devices() enumeration every reconnectMs while the scanner is missing, nothing while it is connected.
 */
import type { HidDeviceConfig } from '../config/schema.js';
import { describeInput } from '../barcode/describe.js';
import { HidReportReader } from './hid-reader.js';
import { RetryTimer, StatusReporter } from './reconnect.js';
import {
  hidUnavailableMessage,
  loadNodeHid,
  openHidDevice,
  type HidHandle,
  type NodeHidModule,
} from './node-hid.js';
import type { DeviceStatus, Scanner, ScannerSink } from './scanner.js';
// The terminal wedge's group: a non-exclusive keyboard scanner also types into the terminal.
import { KEYBOARD_GROUP } from './terminal.js';

export interface HidScannerDeps {
  /** Loads node-hid; tests pass a module that plays recorded reports. */
  loadHid?: () => Promise<NodeHidModule>;
  /** Clock for Scan.at; default Date.now. */
  now?: () => number;
}

export class HidScanner implements Scanner {
  readonly id: string;
  private hid: NodeHidModule | undefined;
  private handle: HidHandle | undefined;
  private reader: HidReportReader | undefined;
  private readonly reporter: StatusReporter;
  private readonly retryTimer: RetryTimer;
  private running = false;
  /** Bumped by stop(), so an attempt still awaiting node-hid's import doesn't open after it. */
  private generation = 0;
  private warnedDriver = false;

  constructor(
    private readonly config: HidDeviceConfig,
    private readonly sink: ScannerSink,
    private readonly deps: HidScannerDeps = {},
  ) {
    this.id = config.id;
    this.reporter = new StatusReporter(config.id, sink, { firstWordWhileDisconnected: true });
    // stop() bumps the generation, so an attempt in flight when it ran opens nothing.
    this.retryTimer = new RetryTimer(config.reconnectMs, () => {
      const generation = this.generation;
      void this.attempt(generation);
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.attempt(this.generation);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.retryTimer.cancel();
    this.close();
  }

  /** Writes the configured good/bad bytes to the scanner as an output report (first byte: report ID). */
  feedback(kind: 'good' | 'bad'): void {
    const hex = this.config.feedback?.[kind];
    if (hex === undefined || this.handle === undefined) return;
    try {
      this.handle.write(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
    } catch (error) {
      this.sink.warn(this.id, `could not send the ${kind} signal to the scanner: ${messageOf(error)}`);
    }
  }

  private async attempt(generation: number): Promise<void> {
    if (!this.running || generation !== this.generation) return;
    let hid: NodeHidModule;
    try {
      hid = this.hid ??= await (this.deps.loadHid ?? loadNodeHid)();
    } catch (error) {
      this.report('error', hidUnavailableMessage(error));
      return this.retry();
    }
    if (!this.running || generation !== this.generation) return;
    const opening = openHidDevice(hid, this.config);
    if (!opening.opened) {
      if (opening.missing)
        this.report(
          'disconnected',
          `${opening.message}: plug it in (looking for it every ${seconds(this.config.reconnectMs)})`,
        );
      else this.report('error', opening.message);
      return this.retry();
    }
    const { info, handle, protocol } = opening;
    // With the hidraw driver already loaded (another HID device in this process went first) libusb can't be had.
    const exclusive = this.config.exclusive && !info.path.startsWith('/dev/hidraw');
    if (this.config.exclusive && !exclusive && !this.warnedDriver) {
      this.warnedDriver = true;
      this.sink.warn(
        this.id,
        'exclusive had no effect: node-hid was already using the hidraw driver in this process, so the kernel still types this scanner\'s keys; set "exclusive" the same on every HID device',
      );
    }
    if (opening.guessed) {
      this.sink.warn(
        this.id,
        `could not tell from its usage page whether it is a keyboard-mode or HID POS scanner: reading it as a keyboard (set "protocol" to say)`,
      );
    }
    const reader = new HidReportReader(
      {
        device: this.id,
        protocol,
        endKey: this.config.endKey,
        now: this.deps.now,
        // Read without exclusive, the same keys also reach the terminal wedge: one group, one double-read check.
        ...(protocol === 'keyboard' && !exclusive ? { group: KEYBOARD_GROUP } : {}),
      },
      this.sink,
    );
    this.handle = handle;
    this.reader = reader;
    handle.on('data', (report) => {
      if (this.handle !== handle) return;
      try {
        reader.push(Buffer.from(report));
      } catch (error) {
        // Thrown back into node-hid it would come out as an 'error' event, which means "unplugged".
        this.sink.warn(this.id, `a scan could not be handed on: ${messageOf(error)}`);
      }
    });
    handle.on('error', (error) => this.lost(handle, error));
    const name = [info.manufacturer, info.product].filter(Boolean).join(' ') || 'HID scanner';
    this.report(
      'connected',
      `${name} at ${info.path}, read as ${protocol === 'pos' ? 'HID POS' : 'a keyboard'}${exclusive ? ' (exclusive)' : ''}`,
    );
  }

  /** node-hid's only sign of an unplug: close, say so, and look for the scanner again. */
  private lost(handle: HidHandle, error: Error): void {
    if (this.handle !== handle) return;
    this.close();
    this.report(
      'disconnected',
      `scanner unplugged or stopped answering (${messageOf(error)}): looking for it every ${seconds(this.config.reconnectMs)}`,
    );
    this.retry();
  }

  private close(): void {
    const handle = this.handle;
    const pending = this.reader?.reset() ?? '';
    this.handle = undefined;
    this.reader = undefined;
    if (pending !== '')
      this.sink.warn(
        this.id,
        `dropped a partial scan of ${describeInput(pending)}: the scanner went away before its end`,
      );
    try {
      handle?.close();
    } catch {
      // Already gone with the device; nothing left to release.
    }
  }

  private retry(): void {
    if (this.running) this.retryTimer.schedule();
  }

  private report(status: DeviceStatus, message: string): void {
    this.reporter.report(status, message);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
