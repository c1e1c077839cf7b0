/**
 * `offcirc run`: starts the station with its logger and (on a terminal) the kiosk screen, and stops it in
 * order on SIGTERM (and SIGINT when headless), the quit key, or when every finite input has ended.
 */
import path from 'node:path';
import type { LoadedConfig } from './config/load.js';
import { JournalLockedError } from './journal/writer.js';
import { createLogger } from './log.js';
import { Station } from './app.js';
import type { Io } from './cli.js';

export interface RunOptions {
  headless: boolean;
  io: Io;
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
  });
  // Said on standard error too: with the screen up there is no other place to see it.
  if (logger.fileProblem) options.io.err(`offcirc: ${logger.fileProblem}`);

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const station = new Station({
    config,
    journalPath: loaded.journalPath,
    logger,
    screen: !headless,
    stdin: process.stdin,
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
    await station.start();
  } catch (error) {
    removeHandlers();
    await station.stop().catch(() => undefined);
    const message = (error as Error).message;
    logger.log('error', message, { event: 'error' });
    await logger.close();
    options.io.err(`offcirc: ${message}`);
    return error instanceof JournalLockedError ? 73 : 74;
  }

  let screen: { waitUntilExit(): Promise<void>; unmount(): void } | undefined;
  if (!headless && !stopAsked) {
    // Ink draws only a final frame when it believes it runs in CI; a kiosk must always draw. Ink reads
    // these at import, which is why the screen is imported only now.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { runScreen } = await import('./tui/run.js');
    screen = runScreen({ feed: station, control: station, config });
    void screen.waitUntilExit().then(() => finish());
  }

  await finished;
  screen?.unmount();
  await station.stop();
  logger.log('info', 'stopped', { event: 'stopped' });
  await logger.close();
  removeHandlers();
  return 0;
}
