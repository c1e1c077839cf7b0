/**
 * `offcirc run`: starts the station with its logger and (on a terminal) the kiosk screen, and stops it in
 * order on SIGTERM (and SIGINT when headless), the quit key, or when every finite input has ended.
 */
import path from 'node:path';
import type { LoadedConfig } from './config/load.js';
import { createLogger } from './log.js';
import { createApp } from './app.js';
import type { Mode } from './config/schema.js';
import { EXIT, type Io } from './exit.js';

export interface RunOptions {
  headless: boolean;
  io: Io;
  /** A start mode the technician forces, over the remembered one. */
  mode?: Mode;
}

/** The log folder: as configured, else "logs" beside the journal. */
export const logDir = (loaded: LoadedConfig): string =>
  loaded.config.logging.dir ?? path.join(path.dirname(loaded.journalPath), 'logs');

export async function runStation(loaded: LoadedConfig, options: RunOptions): Promise<number> {
  const { config } = loaded;
  let headless = options.headless;
  if (!headless && !(process.stdout.isTTY && process.stdin.isTTY)) {
    options.io.err('offcirc: not on a terminal, so running headless (JSON-lines log on standard output)');
    headless = true;
  }
  const logger = createLogger({
    level: config.logging.level,
    station: config.station,
    stream: headless ? process.stdout : undefined,
    dir: logDir(loaded),
    keepDays: config.logging.keepDays,
    maxBytes: config.logging.maxSizeMB * 1024 * 1024,
  });
  // Said on standard error too: with the screen up there is no other place to see it.
  if (logger.fileProblem) options.io.err(`offcirc: ${logger.fileProblem}`);

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const app = await createApp({
    config,
    journalPath: loaded.journalPath,
    logger,
    screen: !headless,
    stdin: process.stdin,
    ...(options.mode && { mode: options.mode }),
    onExit: () => finish(),
  });

  // Signal handlers go in before the station starts: it says `ready` as its last step, and a SIGTERM sent
  // on seeing that must find a handler rather than the default action, which kills mid-write.
  let stopAsked = false;
  const onSignal = () => {
    stopAsked = true;
    finish();
  };
  const ignore = () => undefined;
  const ignored = headless ? [] : (['SIGINT', 'SIGTSTP', 'SIGQUIT', 'SIGHUP'] as const);
  process.on('SIGTERM', onSignal);
  if (headless) process.on('SIGINT', onSignal);
  for (const signal of ignored) process.on(signal, ignore);
  const removeHandlers = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    for (const signal of ignored) process.off(signal, ignore);
  };

  try {
    await app.start();
  } catch (error) {
    // app.start() has already stopped what it started, and only that.
    removeHandlers();
    const message = (error as Error).message;
    logger.log('error', message, { event: 'error' });
    await logger.close();
    options.io.err(`offcirc: ${message}`);
    return (error as { kind?: unknown }).kind === 'in-use' ? EXIT.inUse : EXIT.io;
  }

  let screen: { waitUntilExit(): Promise<void>; unmount(): void } | undefined;
  if (!headless && !stopAsked) {
    // Ink draws only a final frame when it believes it runs in CI; a kiosk must always draw. Ink reads
    // these at import, which is why the screen is imported only now.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    // React's production build: its development build checks every render and costs the kiosk CPU idle.
    // (Through a plain object: the single-file build defines process.env.NODE_ENV as a constant.)
    const env: Record<string, string | undefined> = process.env;
    env.NODE_ENV ??= 'production';
    const { runScreen } = await import('./tui/run.js');
    screen = runScreen({ feed: app.feed, control: app.control, config });
    void screen.waitUntilExit().then(() => finish());
  }

  await finished;
  screen?.unmount();
  await app.stop();
  logger.log('info', 'stopped', { event: 'stopped' });
  await logger.close();
  removeHandlers();
  return 0;
}
