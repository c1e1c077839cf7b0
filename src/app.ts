/**
 * The composition root: builds the concrete parts from the config (scanners or the screen's typed lines,
 * the journal as the store, the log, state file, scanner feedback, receipts and screen as outputs, the
 * control socket, the outbox watcher, the receipt printer) and hands them to the station. start() runs
 * one ordered list; stop() stops, in reverse, exactly what started. No work of its own.
 */
import type { Config, Mode } from './config/schema.js';
import { createClassifier } from './barcode/classify.js';
import { createScanner } from './devices/index.js';
import { createDueRule } from './kiosk/due.js';
import { DayLoans } from './kiosk/limits.js';
import { chooseStartMode } from './kiosk/start-mode.js';
import { JournalStore } from './journal/store.js';
import { OutboxWatch, outboxDir } from './journal/outbox.js';
import type { Log, StationLogger } from './log.js';
import { ControlServer, controlSocketPath } from './station/control.js';
import { stateFile } from './station/files.js';
import { loansTodayByPatron } from './patrons/loans-today.js';
import { PatronListWatch, patronListPath } from './patrons/watch.js';
import { FeedbackOutput, LogOutput, ScreenFeed, StateOutput } from './station/outputs.js';
import type { ScanSource, StationOutput } from './station/ports.js';
import { receiptBarcode } from './receipt/ask.js';
import { createLink } from './receipt/links.js';
import { ReceiptOutput } from './receipt/output.js';
import { Printer } from './receipt/printer.js';
import { StateStore } from './station/state.js';
import { Station } from './station/station.js';
import { TypedLines } from './station/typed-lines.js';
import type { StationControl } from './station/view.js';

export interface AppOptions {
  config: Config;
  journalPath: string;
  logger: StationLogger;
  /** With the screen, the terminal device's scans are the lines typed on it; headless, standard input. */
  screen: boolean;
  stdin?: NodeJS.ReadableStream;
  /** A mode the technician forces (`run --mode`), over the remembered one and `startMode`. */
  mode?: Mode;
  now?: () => number;
  /** Called when the station wants to end by itself (quit key, every source ended). */
  onExit?: () => void;
}

export interface App {
  station: Station;
  /** What the screen draws from and asks of the station. */
  feed: ScreenFeed;
  control: StationControl;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config } = options;
  const log: Log = options.logger.log;
  const now = options.now ?? Date.now;
  const sources: ScanSource[] = [];
  let typed: TypedLines | undefined;
  const state = new StateOutput(new StateStore(stateFile(options.journalPath), log, now));
  const feed = new ScreenFeed(() => station.view());
  const outbox = new OutboxWatch(outboxDir(options.journalPath), {
    onChange: (n) => station.noteOutbox(n),
    warn: (message, fields) => log('warn', message, { event: 'outbox', ...fields }),
  });
  const patrons = new PatronListWatch({
    file: patronListPath(config.patrons.list, options.journalPath),
    log,
  });
  // Seeded in start(), before the first scan, from what this station wrote today.
  const dayLoans = { current: new DayLoans(now()) };
  const receipts = createReceipts(options, () => station);
  const station: Station = new Station({
    station: config.station,
    kiosk: {
      startMode: config.startMode,
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      doubleReadMs: config.session.doubleReadMs,
      patrons,
      policies: {
        blocked: config.patrons.blocked,
        expired: config.patrons.expired,
        unknown: config.patrons.unknown,
      },
      limits: config.limits,
      dayLoans: {
        count: (patron, at) => dayLoans.current.count(patron, at),
        add: (patron, at) => dayLoans.current.add(patron, at),
      },
      dueDate: createDueRule({
        days: config.loans.days,
        closed: config.loans.closed,
        items: config.barcodes.item,
      }),
    },
    modeAtStart: () => chooseStartMode(options.mode, state.rememberedMode(), config.startMode).mode,
    classify: createClassifier({ barcodes: config.barcodes, commands: config.commands }),
    store: new JournalStore({
      path: options.journalPath,
      lineEnding: config.journal.lineEnding,
      station: config.station,
      log: (level, message, fields) => log(level, message, { event: 'journal', ...fields }),
      now,
    }),
    sources: (stationSink) => {
      // The receipt command barcode is the patron asking for a receipt, not a scan for the kiosk.
      const sink = receipts
        ? receiptBarcode(stationSink, config.commands.receipt, config.barcodes.normalize, receipts.ask)
        : stationSink;
      // With the screen up, lines typed on it are scans (the terminal device's, or unnamed ones).
      const terminal = config.devices.find((d) => d.type === 'terminal');
      if (options.screen)
        sources.push((typed = new TypedLines(terminal?.id ?? 'terminal', sink, !!terminal, now)));
      for (const device of config.devices)
        if (device.type !== 'terminal' || !options.screen)
          sources.push(createScanner(device, sink, options.stdin));
      return sources;
    },
    outputs: [
      new LogOutput(options.logger, log),
      state,
      new FeedbackOutput(() => sources),
      // The outbox count: in the background, never in the scan path; again after each rotation.
      {
        start: () => outbox.start(),
        onEvent: (event) => void (event.type === 'rotated' && outbox.refresh()),
        stop: () => outbox.stop(),
      },
      ...(receipts ? [receipts.output] : []),
      feed,
    ],
    log,
    retryMs: config.journal.retrySeconds * 1000,
    now,
    onExit: () => options.onExit?.(),
  });
  const control = new ControlServer(controlSocketPath(options.journalPath), () => station.rotate());

  /** What started, to stop in reverse: exactly that. */
  const started: (() => Promise<void>)[] = [];

  return {
    station,
    feed,
    control: {
      command: (command) => station.command(command),
      scanLine: (text, error) => typed?.line(text, error),
      ...(receipts && { receipt: () => receipts.ask('keys') }),
      quit: () => options.onExit?.(),
    },
    async start() {
      await patrons.start();
      started.push(() => patrons.stop());
      if (config.limits.itemsPerPatronPerDay !== undefined) {
        const at = now();
        dayLoans.current = new DayLoans(
          at,
          await loansTodayByPatron(options.journalPath, config.station, at),
        );
      }
      try {
        await station.start(); // on failure it has stopped what it started
      } catch (error) {
        for (const stop of started.splice(0).reverse()) await stop();
        throw error;
      }
      started.push(() => station.stop());
      if (receipts) {
        // Not awaited: a printer that is off must not hold up the kiosk's start; it reports its state.
        void receipts.printer.start();
        started.push(() => receipts.printer.stop());
      }
      const problem = await control.start().catch((error: Error) => error.message);
      if (problem) log('warn', `no control socket: ${problem}`, { event: 'control' });
      else started.push(() => control.stop());
      const { mode, from } = chooseStartMode(options.mode, state.rememberedMode(), config.startMode);
      log('info', 'ready', {
        event: 'ready',
        journal: options.journalPath,
        mode,
        modeFrom: from,
        devices: config.devices.map((d) => d.id),
      });
    },
    async stop() {
      for (const stop of started.splice(0).reverse()) await stop();
    },
  };
}

/**
 * The receipt printer (a device with a status, reported to the station like a scanner's) and its
 * output, where a printer is configured and receipts are not "never". `ask` is the patron asking (the
 * key, or the command barcode from `device`): it waits for the scans queued before it, so it applies to
 * the session they opened, and ends an open session, whose receipt then prints.
 */
function createReceipts(
  options: AppOptions,
  station: () => Station,
): { output: StationOutput; printer: Printer; ask: (device: string) => void } | undefined {
  const { config } = options;
  const { receipt } = config;
  if (receipt.printer === undefined || receipt.when === 'never') return undefined;
  const log: Log = options.logger.log;
  let status: { status: 'connected' | 'disconnected' | 'error'; message: string } = {
    status: 'disconnected',
    message: 'printer not connected yet',
  };
  const printer = new Printer(createLink(receipt.printer, receipt), {
    timeoutMs: receipt.timeoutMs,
    reconnectMs: receipt.reconnectMs,
    report: (s, message) => {
      status = { status: s, message };
      station().notePrinter(status);
    },
  });
  const output = new ReceiptOutput({
    station: config.station,
    config: receipt,
    print: (bytes) => printer.print(bytes),
    printerStatus: () => status,
    notify: (update) => station().notePrinter(update),
    idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
    log,
    ...(options.now && { now: options.now }),
  });
  const ask = (device: string) =>
    void station()
      .idle()
      .then(() => {
        const outcome = output.ask();
        log('info', `receipt asked for (${device}): ${outcome}`, {
          event: 'printer',
          asked: outcome,
          device,
        });
        if (outcome === 'at-session-end') station().command('endSession');
      });
  return { output, printer, ask };
}
