/**
 * The composition root: builds the concrete parts from the config (scanners or the screen's typed lines,
 * the journal as the store, the log, state file, scanner feedback, receipts and screen as outputs, the
 * control socket, the outbox watcher, the receipt printer) and hands them to the station. start() runs
 * one ordered list; stop() stops, in reverse, exactly what started. No work of its own.
 */
import type { Config, Mode } from './config/schema.js';
import { createClassifier } from './barcode/classify.js';
import { loadScannerFactory } from './devices/index.js';
import type { Forwarder } from './forward/forwarder.js';
import { chooseStartMode } from './kiosk/start-mode.js';
import { JournalStore } from './journal/store.js';
import { PatronData } from './patrons/kiosk-data.js';
import { OutboxWatch, outboxDir } from './journal/outbox.js';
import type { Log, StationLogger } from './log.js';
import { ControlServer, controlSocketPath } from './station/control.js';
import { stateFile } from './station/files.js';
import { FeedbackOutput, LogOutput, ScreenFeed, StateOutput } from './station/outputs.js';
import type { ScanSource } from './station/ports.js';
import { StateStore } from './station/state.js';
import { Station } from './station/station.js';
import type { TypedLines } from './station/typed-lines.js';
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

/**
 * Builds the app. Asynchronous only to load the code of what the config has (each scanner type's driver,
 * the forwarder, the receipt printer, the screen's typed lines): a start pays for nothing else, and the
 * receipt encoder alone is about 100 ms of it.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const log: Log = options.logger.log;
  const now = options.now ?? Date.now;
  // With the screen up, lines typed on it are scans (the terminal device's, or unnamed ones), and no
  // terminal device reads standard input.
  const driven = config.devices.filter((d) => d.type !== 'terminal' || !options.screen);
  const [createScanner, forwarding, printing, typing] = await Promise.all([
    loadScannerFactory(driven),
    config.forward ? import('./forward/assemble.js') : undefined,
    config.receipt.printer
      ? Promise.all([import('./receipt/assemble.js'), import('./receipt/ask.js')])
      : undefined,
    options.screen ? import('./station/typed-lines.js') : undefined,
  ]);
  const sources: ScanSource[] = [];
  let typed: TypedLines | undefined;
  const state = new StateOutput(new StateStore(stateFile(options.journalPath), log, now));
  // Forwarding reads the durable journal lines on its own loop; the station only wakes it.
  const forwarder: Forwarder | undefined = forwarding?.createForwarder(
    config,
    options.journalPath,
    log,
    now,
    () => feed.onEvent({ type: 'view', at: now() }),
  );
  const feed = new ScreenFeed(() =>
    forwarder ? { ...station.view(), forward: forwarder.current() } : station.view(),
  );
  const outbox = new OutboxWatch(outboxDir(options.journalPath), {
    onChange: (n) => station.noteOutbox(n),
    warn: (message, fields) => log('warn', message, { event: 'outbox', ...fields }),
  });
  const patrons = new PatronData(config, options.journalPath, log, now);
  const receipts = printing?.[0].createReceipts(options, () => station);
  const station: Station = new Station({
    station: config.station,
    kiosk: {
      startMode: config.startMode,
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      doubleReadMs: config.session.doubleReadMs,
      ...patrons.kioskOptions(),
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
      const sink =
        receipts && printing
          ? printing[1].receiptBarcode(
              stationSink,
              config.commands.receipt,
              config.barcodes.normalize,
              receipts.ask,
            )
          : stationSink;
      const terminal = config.devices.find((d) => d.type === 'terminal');
      if (typing)
        sources.push((typed = new typing.TypedLines(terminal?.id ?? 'terminal', sink, !!terminal, now)));
      for (const device of driven) sources.push(createScanner(device, sink, options.stdin));
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
      ...(forwarder ? [forwarder] : []),
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
