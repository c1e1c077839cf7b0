/**
 * `offcirc rotate`: hands the journal to the outbox for upload. With a kiosk running, it asks that kiosk
 * (which holds the journal) through its control socket; otherwise it takes the journal's lock itself and
 * runs the same rotation the kiosk runs (rotateJournal). Run as root (the README's outage steps), the
 * files it makes take the owner of their folder, so the kiosk's user can open them again.
 */
import type { LoadedConfig } from '../config/load.js';
import { EXIT, type Io } from '../exit.js';
import { JournalLockedError, JournalWriter } from '../journal/writer.js';
import { rotateJournal } from '../journal/outbox.js';
import { controlSocketPath, sendControl } from '../station/control.js';
import { StateStore } from '../station/state.js';
import { stateFile } from '../station/files.js';
import type { Log } from '../log.js';

export async function rotateCommand(
  loaded: LoadedConfig,
  io: Io,
  now: () => number = Date.now,
): Promise<number> {
  const { journalPath, config } = loaded;
  let result: { file: string | null; lines: number };
  try {
    const answer = await sendControl(controlSocketPath(journalPath), { cmd: 'rotate' });
    if (answer && !answer.ok) {
      io.err(`offcirc: the running kiosk could not rotate ${journalPath}: ${answer.error}`);
      return EXIT.io;
    }
    result = answer ?? (await rotateOffline(loaded, io, now));
  } catch (error) {
    if (error instanceof JournalLockedError) {
      io.err(`offcirc: ${error.message}, and it does not answer on ${controlSocketPath(journalPath)}`);
      return EXIT.inUse;
    }
    io.err(`offcirc: rotating ${journalPath} failed: ${(error as Error).message}`);
    return EXIT.io;
  }
  if (result.file === null) {
    io.out(`nothing to rotate: ${journalPath} holds no transactions`);
    return EXIT.ok;
  }
  io.out(
    `rotated ${result.lines} transaction(s) from station ${config.station} to\n  ${result.file}\n` +
      'Check it with "offcirc verify", upload it to Alma (Fulfillment > Advanced Tools > Offline Circulation), ' +
      'then move it out of the outbox so it is never uploaded twice.',
  );
  return EXIT.ok;
}

/** No kiosk is running: take the lock, rotate, and note the rotation in the state file. */
async function rotateOffline(loaded: LoadedConfig, io: Io, now: () => number) {
  const log: Log = (level, message) => {
    if (level !== 'info' && level !== 'debug') io.err(`offcirc: ${message}`);
  };
  const writer = new JournalWriter({
    path: loaded.journalPath,
    lineEnding: loaded.config.journal.lineEnding,
    log,
  });
  await writer.start();
  try {
    const state = new StateStore(stateFile(loaded.journalPath), log, now);
    await state.start();
    try {
      const rotated = await rotateJournal({
        writer,
        station: loaded.config.station,
        at: now(),
        history: state,
      });
      return rotated ?? { file: null, lines: 0 };
    } finally {
      await state.stop();
    }
  } finally {
    await writer.stop();
  }
}
