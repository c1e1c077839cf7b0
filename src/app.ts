/**
 * The composition root: builds the parts from the config, wires scanners → rules → kiosk → journal → log
 * and screen, and owns the order of start-up and shut-down. Nothing else reaches across parts.
 *
 * Every kiosk interaction (a scan, a key, the idle tick) runs through one queue, one at a time, so a
 * transaction is decided, written and reported before the next scan is looked at.
 */
import type { Config, Mode } from './config/schema.js';
import { createClassifier } from './barcode/classify.js';
import { Kiosk, type KioskCommand } from './kiosk/kiosk.js';
import type { KioskEvent, Transaction } from './kiosk/events.js';
import { JournalWriteError, JournalWriter } from './journal/writer.js';
import type { Scan, Scanner, ScannerSink, DeviceStatusEvent } from './devices/scanner.js';
import { createScanner } from './devices/index.js';
import type { StationControl, StationFeed, StationView } from './station/view.js';
import type { Log, StationLogger } from './log.js';
import { StateStore } from './station/state.js';
import { stateFile } from './station/files.js';
import { ControlServer, controlSocketPath, type ControlAnswer } from './station/control.js';
import { outboxDir, outboxWaiting, rotateToOutbox } from './journal/outbox.js';

export interface StationOptions {
  config: Config;
  journalPath: string;
  logger: StationLogger;
  /** The screen reads typed lines itself; headless, the terminal device reads standard input. */
  screen: boolean;
  stdin?: NodeJS.ReadableStream;
  /** The clock, in ms since the epoch (tests pass their own). */
  now?: () => number;
  /** Called when the station wants to end by itself (quit key, every finite device done). */
  onExit?: () => void;
}

/** How often the outbox is looked at again (staff remove files from it after upload). */
const OUTBOX_REFRESH_MS = 60_000;

export class Station implements StationFeed, StationControl {
  private readonly log: Log;
  private readonly now: () => number;
  private kiosk: Kiosk;
  private readonly classify: ReturnType<typeof createClassifier>;
  private readonly journal: JournalWriter;
  private readonly state: StateStore;
  private readonly control: ControlServer;
  private outbox: number | undefined;
  private outboxTimer: NodeJS.Timeout | undefined;
  private readonly scanners: Scanner[] = [];
  private readonly devices = new Map<string, DeviceStatusEvent>();
  private readonly ended = new Set<string>();
  private readonly listeners = new Set<(event?: KioskEvent) => void>();
  private queue: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastWrite: StationView['journal']['lastWrite'];

  constructor(private readonly options: StationOptions) {
    const { config } = options;
    this.log = options.logger.log;
    this.now = options.now ?? Date.now;
    this.kiosk = this.newKiosk(config.startMode);
    this.classify = createClassifier({ barcodes: config.barcodes, commands: config.commands });
    this.journal = new JournalWriter({
      path: options.journalPath,
      lineEnding: config.journal.lineEnding,
      log: (level, message, fields) => this.log(level, message, { event: 'journal', ...fields }),
    });
    this.state = new StateStore(stateFile(options.journalPath), this.log, this.now);
    this.control = new ControlServer(controlSocketPath(options.journalPath), () => this.rotate());
  }

  private newKiosk(startMode: Mode): Kiosk {
    const { session } = this.options.config;
    return new Kiosk({
      startMode,
      idleTimeoutMs: session.idleTimeoutSeconds * 1000,
      doubleReadMs: session.doubleReadMs,
    });
  }

  /** Opens the journal (refusing to start if another offcirc holds it), then the scanners. */
  async start(): Promise<void> {
    const opened = await this.journal.start();
    this.log('info', `journal ${this.journal.path} open with ${opened.lines} line(s)`, {
      event: 'journal',
      path: this.journal.path,
      lines: opened.lines,
    });
    const state = await this.state.start();
    // A restart comes back in the mode staff left it in.
    if (state.mode && state.mode !== this.kiosk.view().mode) this.kiosk = this.newKiosk(state.mode);
    const noControl = await this.control.start().catch((error: Error) => error.message);
    if (noControl) this.log('warn', `no control socket: ${noControl}`, { event: 'control' });
    await this.refreshOutbox();
    this.outboxTimer = setInterval(() => void this.refreshOutbox(), OUTBOX_REFRESH_MS);
    this.outboxTimer.unref();
    const sink: ScannerSink = {
      scan: (scan) => this.enqueue(() => this.handleScan(scan)),
      status: (event) => this.deviceStatus(event),
      warn: (device, message) => this.log('warn', message, { event: 'device', device, status: 'warning' }),
      ended: (device) => this.deviceEnded(device),
    };
    for (const device of this.options.config.devices) {
      if (device.type === 'terminal' && this.options.screen) {
        this.deviceStatus({
          device: device.id,
          status: 'connected',
          message: 'reading scans typed on the screen',
        });
        continue;
      }
      this.scanners.push(createScanner(device, sink, this.options.stdin));
    }
    await Promise.all(this.scanners.map((s) => s.start()));
    this.ticker = setInterval(() => this.enqueue(() => this.emit(this.kiosk.tick(this.now()))), 1000);
    this.ticker.unref();
    this.log('info', 'ready', {
      event: 'ready',
      journal: this.journal.path,
      mode: this.kiosk.view().mode,
      devices: this.options.config.devices.map((d) => d.id),
    });
    this.changed();
  }

  /** Stops reading scanners, lets the write under way finish, then closes the journal. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.ticker);
    clearInterval(this.outboxTimer);
    clearTimeout(this.retry);
    await this.control.stop();
    await Promise.all(this.scanners.map((s) => s.stop().catch(() => undefined)));
    await this.queue;
    await this.journal.stop();
    await this.state.stop();
  }

  view(): StationView {
    const today = this.state.state.today;
    return {
      station: this.options.config.station,
      ...this.kiosk.view(),
      devices: [...this.devices.values()].map(({ device, status, message }) => ({
        id: device,
        status,
        message,
      })),
      journal: { path: this.journal.path, today: today.loans + today.returns, lastWrite: this.lastWrite },
      ...(this.outbox === undefined ? {} : { outbox: this.outbox }),
    };
  }

  subscribe(listener: (event?: KioskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  command(command: KioskCommand): void {
    this.enqueue(() => this.emit(this.kiosk.command(command, this.now())));
  }

  scanLine(text: string, error?: string): void {
    const terminal = this.options.config.devices.find((d) => d.type === 'terminal');
    const device = terminal?.id ?? 'terminal';
    this.enqueue(() => this.handleScan({ text, device, at: this.now(), group: 'keyboard', error }));
  }

  quit(): void {
    this.options.onExit?.();
  }

  /** Resolves once everything queued so far has been handled (tests and shut-down use it). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => void | Promise<void>): void {
    if (this.stopping) return;
    this.queue = this.queue.then(work).catch((error: unknown) => {
      // A bug must not stop lending: say so loudly, keep the queue going.
      this.log('error', `internal error: ${(error as Error).stack ?? String(error)}`, { event: 'error' });
    });
  }

  /** Hands the journal to the outbox, between two scans (the control socket's `rotate`). */
  private rotate(): Promise<ControlAnswer> {
    return new Promise((resolve) =>
      this.enqueue(async () => {
        try {
          const rotated = await rotateToOutbox(
            this.journal,
            this.journal.path,
            this.options.config.station,
            this.now(),
          );
          if (!rotated) return resolve({ ok: true, file: null, lines: 0 });
          this.state.recordRotation(rotated);
          this.log('info', `rotated ${rotated.lines} transaction(s) to ${rotated.file}`, {
            event: 'rotated',
            file: rotated.file,
            lines: rotated.lines,
          });
          await this.refreshOutbox();
          resolve({ ok: true, ...rotated });
        } catch (error) {
          resolve({ ok: false, error: (error as Error).message });
        }
      }),
    );
  }

  private async refreshOutbox(): Promise<void> {
    const waiting = await outboxWaiting(outboxDir(this.journal.path));
    if (waiting.transactions !== this.outbox) {
      this.outbox = waiting.transactions;
      this.changed();
    }
  }

  private async handleScan(scan: Scan): Promise<void> {
    const decision = this.kiosk.scan(scan, this.classify(scan.text), this.now());
    this.emit(decision.events, scan.device);
    if (decision.write) await this.write(decision.write, scan.device);
  }

  private async write(tx: Transaction, device: string): Promise<void> {
    try {
      const { line } = await this.journal.append(tx);
      const now = this.now();
      this.lastWrite = { ok: true, at: now };
      this.emit(this.kiosk.written(tx, line, now), device);
    } catch (error) {
      const reason = (error as Error).message;
      if (!(error instanceof JournalWriteError)) {
        // The line itself can't be written (the rules let through what the file can't hold): refuse this
        // scan, but the journal is fine and the kiosk stays in service.
        this.emit(this.kiosk.refused(tx, `not saved: ${reason}`, this.now()), device);
        return;
      }
      this.lastWrite = { ok: false, error: reason, at: this.now() };
      this.emit(this.kiosk.writeFailed(tx, reason, this.now()), device);
      this.scheduleRetry();
    }
  }

  /** While out of service, tries every `retrySeconds` whether the journal can be written again. */
  private scheduleRetry(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(
      () =>
        this.enqueue(async () => {
          if (this.kiosk.view().inService) return;
          try {
            await this.journal.probe();
            this.lastWrite = undefined;
            this.emit(this.kiosk.recovered(this.now()));
          } catch {
            this.scheduleRetry();
          }
        }),
      this.options.config.journal.retrySeconds * 1000,
    );
    this.retry.unref();
  }

  private emit(events: KioskEvent[], device?: string): void {
    for (const event of events) {
      this.options.logger.event(event);
      this.count(event);
      for (const listener of this.listeners) listener(event);
    }
    if (device !== undefined && events.length > 0) this.feedback(device, events);
    if (events.length > 0) this.changed();
  }

  /** Keeps today's counts and the mode in the state file. */
  private count(event: KioskEvent): void {
    if (event.type === 'transaction')
      this.state.update((s) => (event.transaction.kind === 'loan' ? s.today.loans++ : s.today.returns++));
    else if (event.type === 'rejected') this.state.update((s) => s.today.rejections++);
    else if (event.type === 'mode') this.state.update((s) => (s.mode = event.mode));
  }

  /** Good or bad signal to the scanner that sent the scan, where it has one. */
  private feedback(device: string, events: KioskEvent[]): void {
    const scanner = this.scanners.find((s) => s.id === device);
    if (!scanner?.feedback) return;
    if (events.some((e) => e.type === 'rejected')) scanner.feedback('bad');
    else if (events.some((e) => e.type !== 'ignored')) scanner.feedback('good');
  }

  private deviceStatus(event: DeviceStatusEvent): void {
    const before = this.devices.get(event.device);
    this.devices.set(event.device, event);
    if (before?.status === event.status && before.message === event.message) return;
    this.log(
      event.status === 'error' ? 'error' : event.status === 'disconnected' ? 'warn' : 'info',
      event.message,
      {
        event: 'device',
        device: event.device,
        status: event.status,
      },
    );
    this.changed();
  }

  /** When every device is finite (piped input, a recording) and all have ended, the station is done. */
  private deviceEnded(device: string): void {
    this.ended.add(device);
    this.deviceStatus({ device, status: 'disconnected', message: 'no more input' });
    const all = this.options.config.devices.every((d) => this.ended.has(d.id));
    if (all) void this.queue.then(() => this.options.onExit?.());
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
