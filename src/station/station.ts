/**
 * The station: the application. Scans from its sources go through the barcode rules and the kiosk, what
 * the kiosk wants written goes to the store, and every outcome goes to every output, once. It knows the
 * three ports (ports.ts), never their kinds.
 *
 * Work runs one item at a time from a FairQueue: one bounded lane per source, served in turn, so a
 * transaction is decided, stored and reported before that source's next scan, and a flooding scanner
 * costs another at most one of its scans. A watchdog takes the station out of service when a scan has
 * waited longer than STALL_MS (a store that hangs), so the screen never says "in service" while scans
 * aren't being handled (watchdog.ts).
 *
 * Why one file over 300 lines: the queue, the write-and-acknowledge protocol and the service state all
 * drive the one Kiosk and must change together; the parts that stand alone are already apart
 * (fair-queue.ts, flood.ts, watchdog.ts, outputs.ts).
 */
import type { Classified } from '../barcode/classify.js';
import type { KioskEvent, KioskScan, Transaction } from '../kiosk/events.js';
import { Kiosk, type KioskCommand, type KioskOptions } from '../kiosk/kiosk.js';
import type { Log } from '../log.js';
import { FairQueue } from './fair-queue.js';
import { FloodWatch } from './flood.js';
import { Watchdog } from './watchdog.js';
import type {
  ScanSink,
  ScanSource,
  SourceStatus,
  StationEvent,
  StoreOpened,
  StationOutput,
  TransactionStore,
} from './ports.js';
import type { DeviceStatus, StationView } from './view.js';

export interface StationOptions {
  station: string;
  kiosk: KioskOptions;
  /** The mode to start in, asked once the store and outputs have started (a remembered mode); default the kiosk's. */
  modeAtStart?: () => KioskOptions['startMode'];
  classify: (text: string) => Classified;
  store: TransactionStore;
  /** Builds the sources; they deliver to the sink given (their constructors do no I/O). */
  sources: (sink: ScanSink) => ScanSource[];
  outputs: StationOutput[];
  log: Log;
  /** While out of service, how often the store is probed. */
  retryMs: number;
  now?: () => number;
  /** Called when the station wants to end by itself (every source has ended). */
  onExit?: () => void;
}

type Work =
  | { kind: 'scan'; scan: KioskScan }
  | { kind: 'command'; command: KioskCommand }
  | { kind: 'task'; run: () => Promise<void> | void };

/**
 * A source's lane: past PAUSE_AT waiting scans it is asked to hold back (a person scans a few a second;
 * more is a burst or a fault) until RESUME_AT; past SOURCE_QUEUE (one serial read's worth of scans) what
 * arrives is dropped. About 150 bytes a scan: the lanes can't hold more than a few MiB.
 */
export const SOURCE_QUEUE = 8192;
export const PAUSE_AT = 64;
const RESUME_AT = 8;
/** Key commands waiting: a key held down or a pasted megabyte of F1 codes is not 16 decisions. */
const KEY_QUEUE = 16;

const KEYS = '\0keys';
const STATION = '\0station';

export class Station {
  private readonly now: () => number;
  private kiosk: Kiosk;
  private readonly sources: ScanSource[];
  private readonly queue = new FairQueue<Work>((lane) =>
    lane === STATION ? Infinity : lane === KEYS ? KEY_QUEUE : SOURCE_QUEUE,
  );
  private readonly flood: FloodWatch;
  private readonly devices = new Map<string, SourceStatus>();
  private readonly ended = new Set<string>();
  /** Lanes whose source was asked to hold back. */
  private readonly paused = new Set<string>();
  /** Parts started, in order: stop() stops exactly these, in reverse. */
  private readonly started: { stop(): Promise<void> | void }[] = [];
  private storePath = '';
  private today = 0;
  private lastWrite: StationView['journal']['lastWrite'];
  private outbox: number | undefined;
  private printer: StationView['printer'];
  private running = false;
  private stopping = false;
  private drained: (() => void)[] = [];
  private readonly watchdog: Watchdog;
  private readonly timers: Record<'retry' | 'expiry', NodeJS.Timeout | undefined> = {
    retry: undefined,
    expiry: undefined,
  };

  /** Builds the parts; no I/O. */
  constructor(private readonly options: StationOptions) {
    this.now = options.now ?? Date.now;
    this.kiosk = new Kiosk(options.kiosk);
    this.watchdog = new Watchdog({
      oldest: () => this.queue.oldest(),
      now: this.now,
      changed: (reason) => this.stallChanged(reason),
    });
    this.flood = new FloodWatch({
      now: this.now,
      log: options.log,
      changed: () => this.emit([{ type: 'view', at: this.now() }]),
    });
    const sink: ScanSink = {
      scan: (scan) => this.push(scan.device, { kind: 'scan', scan }),
      status: (event) => this.deviceStatus(event),
      warn: (device, message) => options.log('warn', message, { event: 'device', device, status: 'warning' }),
      ended: (device) => this.sourceEnded(device),
    };
    this.sources = options.sources(sink);
  }

  /**
   * Opens the store (refusing to start if it can't be used), starts the outputs, then the sources. A
   * failure stops what had started, in reverse, and rejects.
   */
  async start(): Promise<StoreOpened> {
    try {
      const opened = await this.options.store.start();
      this.started.push(this.options.store);
      this.storePath = opened.path;
      this.options.log('info', `journal ${opened.path} open with ${opened.lines} line(s)`, {
        event: 'journal',
        path: opened.path,
        lines: opened.lines,
        today: opened.today,
      });
      this.today = opened.today.loans + opened.today.returns;
      for (const output of this.options.outputs) {
        await output.start?.(this.viewNow);
        this.started.push({ stop: () => output.stop?.() });
      }
      const mode = this.options.modeAtStart?.();
      if (mode && mode !== this.kiosk.view().mode)
        this.kiosk = new Kiosk({ ...this.options.kiosk, startMode: mode });
      for (const source of this.sources) {
        this.started.push(source);
        await source.start();
      }
      return opened;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops the sources, lets the work under way finish, then stops outputs and the store. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.flood.stop();
    this.watchdog.stop();
    // Sources started last, so they stop first; the work they queued is finished before the rest stops.
    for (const part of this.started.splice(0).reverse()) {
      if (!this.sources.includes(part as ScanSource)) await this.idle();
      await Promise.resolve(part.stop()).catch(() => undefined);
    }
    await this.idle();
  }

  view(): StationView {
    const kiosk = this.kiosk.view();
    return {
      station: this.options.station,
      ...kiosk,
      ...(this.watchdog.reason !== undefined && {
        inService: false,
        outOfServiceReason: this.watchdog.reason,
      }),
      devices: [...this.devices.values()].map((d) => this.flood.shown(d)),
      journal: {
        path: this.storePath,
        today: this.today,
        ...(this.lastWrite && { lastWrite: this.lastWrite }),
      },
      ...(this.outbox !== undefined && { outbox: this.outbox }),
      ...(this.printer !== undefined && { printer: { ...this.printer } }),
    };
  }

  /** A key's command (loan, return, end session). */
  command(command: KioskCommand): void {
    this.push(KEYS, { kind: 'command', command });
  }

  /** Hands the store's content on between two scans (the control socket's rotate). */
  rotate(): Promise<{ ok: true; file: string | null; lines: number } | { ok: false; error: string }> {
    return new Promise((resolve) => {
      const queued = this.push(STATION, {
        kind: 'task',
        run: async () => {
          const outcome = await this.options.store.rotate(this.now());
          if (outcome.kind === 'failed') return resolve({ ok: false, error: outcome.reason });
          if (outcome.kind === 'empty') return resolve({ ok: true, file: null, lines: 0 });
          this.emit([{ type: 'rotated', file: outcome.file, lines: outcome.lines, at: this.now() }]);
          resolve({ ok: true, file: outcome.file, lines: outcome.lines });
        },
      });
      if (!queued) resolve({ ok: false, error: 'the kiosk is stopping' });
    });
  }

  /** The outbox's count of waiting transactions, as its watcher found it. */
  noteOutbox(transactions: number): void {
    if (transactions === this.outbox) return;
    this.outbox = transactions;
    this.emit([{ type: 'view', at: this.now() }]);
  }

  /**
   * The receipt printer's state, or a receipt's fate, from the receipt output: outputs only hear events,
   * so the station keeps it in its view and tells every output (the screen, the log) as it does a scanner's.
   */
  notePrinter(update: { status: DeviceStatus; message: string; receipt?: 'printed' | 'dropped' }): void {
    if (this.stopping) return;
    const at = this.now();
    const droppedAt =
      update.receipt === 'dropped' ? at : update.receipt === 'printed' ? undefined : this.printer?.droppedAt;
    this.printer = {
      status: update.status,
      message: update.message,
      ...(droppedAt !== undefined && { droppedAt }),
    };
    this.emit([{ type: 'printer', ...update, at }]);
  }

  /** Resolves once nothing is queued or running (tests and shut-down use it). */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Queues work in its lane; false when it was not queued (stopping, or the lane is full). */
  private push(lane: string, work: Work): boolean {
    if (this.stopping) return false;
    if (!this.queue.push(lane, work, this.now())) {
      if (work.kind === 'scan') this.flood.overflow(lane, true);
      return false;
    }
    if (work.kind === 'scan' && !this.paused.has(lane) && this.queue.sizeOf(lane) >= PAUSE_AT) {
      this.paused.add(lane);
      this.sourceOf(lane)?.pause?.();
      this.flood.overflow(lane, false);
    }
    this.watchdog.arm();
    if (!this.running) void this.pump();
    return true;
  }

  /** Runs queued work one item at a time; a bug in one item is logged and the next goes on. */
  private async pump(): Promise<void> {
    this.running = true;
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      if (this.paused.has(next.lane) && this.queue.sizeOf(next.lane) <= RESUME_AT) {
        this.paused.delete(next.lane);
        this.sourceOf(next.lane)?.resume?.();
      }
      try {
        await this.handle(next.item);
      } catch (error) {
        this.options.log('error', `internal error: ${(error as Error).stack ?? String(error)}`, {
          event: 'error',
        });
      }
      this.watchdog.check();
      // Let the event loop read the sources between two items: a scan from another scanner then reaches
      // its lane, and its turn, before a backlog of one source's scans is worked through.
      if (this.queue.size > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.running = false;
    this.armExpiry();
    for (const resolve of this.drained.splice(0)) resolve();
  }

  private async handle(work: Work): Promise<void> {
    if (work.kind === 'task') return work.run();
    if (work.kind === 'command') return this.emit(this.kiosk.command(work.command, this.now()));
    const { scan } = work;
    const decision = this.kiosk.scan(scan, this.options.classify(scan.text), this.now());
    this.emit(decision.events);
    const outcome = decision.write ? await this.write(decision.write) : decision.events;
    const bad = outcome.some((e) => e.type === 'rejected');
    const good = !bad && outcome.some((e) => e.type !== 'ignored');
    if (bad || good) this.emit([{ type: 'decision', device: scan.device, ok: good, at: this.now() }]);
  }

  /** Stores `tx` and tells the kiosk the outcome; returns the events of that outcome. */
  private async write(tx: Transaction): Promise<KioskEvent[]> {
    const outcome = await this.options.store.append(tx);
    const now = this.now();
    let events: KioskEvent[];
    if (outcome.kind === 'written') {
      this.today++;
      this.lastWrite = { ok: true, at: now };
      events = this.kiosk.written(tx, outcome.line, now);
    } else if (outcome.kind === 'refused') {
      events = this.kiosk.refused(tx, `not saved: ${outcome.reason}`, now);
    } else {
      this.lastWrite = { ok: false, error: outcome.reason, at: now };
      events = this.kiosk.writeFailed(tx, outcome.reason, now);
      this.scheduleProbe();
    }
    this.emit(events);
    return events;
  }

  /** While out of service, probes the store every retryMs until it can be written again. */
  private scheduleProbe(): void {
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(
      () =>
        this.push(STATION, {
          kind: 'task',
          run: async () => {
            if (this.kiosk.view().inService) return;
            const probe = await this.options.store.probe();
            if (probe.kind === 'unavailable') return this.scheduleProbe();
            this.lastWrite = undefined;
            this.emit(this.kiosk.recovered(this.now()));
          },
        }),
      this.options.retryMs,
    );
    this.timers.retry.unref();
  }

  /** Wakes when the kiosk's idle session (or return list) should end: no ticking while nothing is open. */
  private armExpiry(): void {
    clearTimeout(this.timers.expiry);
    const at = this.kiosk.nextExpiry();
    if (at === undefined || this.stopping) return;
    this.timers.expiry = setTimeout(
      () => this.push(STATION, { kind: 'task', run: () => this.emit(this.kiosk.tick(this.now())) }),
      Math.max(0, at - this.now()),
    );
    this.timers.expiry.unref();
  }

  /** The watchdog's verdict changed: out of service while stalled, then back to the kiosk's own state. */
  private stallChanged(reason: string | undefined): void {
    const at = this.now();
    const kiosk = this.kiosk.view();
    if (reason !== undefined) this.emit([{ type: 'service', inService: false, reason, at }]);
    else if (kiosk.inService) this.emit([{ type: 'service', inService: true, at }]);
    else this.emit([{ type: 'service', inService: false, reason: kiosk.outOfServiceReason ?? '', at }]);
  }

  private emit(events: StationEvent[]): void {
    for (const event of events)
      for (const output of this.options.outputs) output.onEvent(event, this.viewNow);
  }

  /** view(), bound once: what outputs are handed to build the view only if they need it. */
  private readonly viewNow = (): StationView => this.view();

  private deviceStatus(event: SourceStatus): void {
    const before = this.devices.get(event.device);
    this.devices.set(event.device, event);
    if (before?.status === event.status && before.message === event.message) return;
    this.emit([{ type: 'device', ...event, at: this.now() }]);
  }

  private sourceOf(id: string): ScanSource | undefined {
    return this.sources.find((s) => s.id === id);
  }

  /** Every source has ended (piped input, recordings played): the station is done. */
  private sourceEnded(device: string): void {
    this.ended.add(device);
    this.deviceStatus({ device, status: 'disconnected', message: 'no more input' });
    if (this.sources.every((s) => this.ended.has(s.id))) void this.idle().then(() => this.options.onExit?.());
  }
}
