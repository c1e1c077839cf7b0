/**
 * The station's own small state, kept with lowdb in a JSON file beside the journal: the mode staff left it
 * in, today's counts, and the history of rotations. The journal stays the only record of transactions:
 * losing this file loses none, and a corrupt one is set aside with a warning and started afresh.
 */
import { Low, type Adapter } from 'lowdb';
import { lstatSync, renameSync } from 'node:fs';
import { openRead, replaceFile } from '../safe-file.js';
import { localDate } from '../local-day.js';
import type { Log } from '../log.js';
import { checkState, type StationState } from './state-check.js';

export type { StationState };

/**
 * lowdb's JSON adapter, with offcirc's safe files: read without following a link, written through a new
 * temporary file of random name (lowdb's own writer uses the guessable `.<name>.tmp` and follows links
 * there), owner-only and owned by the folder's owner.
 */
class SafeJsonFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    let handle;
    try {
      handle = await openRead(this.file);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(await handle.readFile({ encoding: 'utf8' })) as T;
    } finally {
      await handle.close();
    }
  }

  write(data: T): Promise<void> {
    return replaceFile(this.file, JSON.stringify(data, null, 2));
  }
}

const fresh = (now: number): StationState => ({
  today: { day: localDate(now), loans: 0, returns: 0, rejections: 0 },
  rotations: [],
});

/** How long a change waits before it is saved, gathering the changes of a burst into one write. */
const SAVE_DELAY_MS = 1000;

/**
 * How long a change of today's counts alone may wait: they are for staff reading the file (the screen's
 * count comes from the journal), and saving them within the second cost a file, an fsync and a rename
 * per scan at a kiosk's pace (more than the scan's own work). A stop saves them at once.
 */
export const COUNTS_SAVE_DELAY_MS = 60_000;

/** How many rotations the history keeps: enough for months of daily rotation, small enough to read at once. */
const ROTATIONS_KEPT = 500;

export class StateStore {
  private db: Low<StationState> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** When the waiting save is due (performance.now()). */
  private due = 0;

  constructor(
    readonly file: string,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the file; a missing one starts empty, a corrupt one is set aside and started afresh. */
  async start(): Promise<StationState> {
    const db = new Low<StationState>(new SafeJsonFile<StationState>(this.file), fresh(this.now()));
    try {
      await db.read();
      db.data = checkState(db.data);
    } catch (error) {
      const aside = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
      // rename moves a link or special file aside without opening it.
      if (lstatSync(this.file, { throwIfNoEntry: false })) renameSync(this.file, aside);
      this.log(
        'warn',
        `state file ${this.file} was unreadable (${(error as Error).message.split('\n')[0]}); set aside as ${aside} and started afresh — no transaction is lost, the journal holds them all`,
        {
          event: 'state',
          file: this.file,
          aside,
        },
      );
      db.data = fresh(this.now());
    }
    this.db = db;
    this.rollDay();
    return db.data;
  }

  get state(): StationState {
    if (!this.db) throw new Error('StateStore used before start()');
    this.rollDay();
    return this.db.data;
  }

  /** Changes the state and saves it soon; writes are coalesced and never block lending. */
  update(change: (state: StationState) => void, withinMs = SAVE_DELAY_MS): void {
    const state = this.state;
    change(state);
    if (state.rotations.length > ROTATIONS_KEPT)
      state.rotations.splice(0, state.rotations.length - ROTATIONS_KEPT);
    this.save(withinMs);
  }

  /** Notes a rotation in the history (the file handed to the outbox and its line count). */
  recordRotation(rotated: { file: string; lines: number }): void {
    this.update((s) =>
      s.rotations.push({ file: rotated.file, lines: rotated.lines, at: new Date(this.now()).toISOString() }),
    );
  }

  /** Saves what is pending now and waits for it. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.write();
    }
    await this.writing;
  }

  /**
   * One save for the changes of the next `withinMs` (a second for the mode, a minute for the counts):
   * the journal's writes come first. A sooner change brings a waiting save forward.
   */
  private save(withinMs: number): void {
    const due = performance.now() + withinMs;
    if (this.timer) {
      if (this.due <= due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, withinMs);
    this.timer.unref();
  }

  private write(): void {
    this.writing = this.writing.then(async () => {
      try {
        await this.db!.write();
      } catch (error) {
        this.log('warn', `state file ${this.file} can't be written: ${(error as Error).message}`, {
          event: 'state',
        });
      }
    });
  }

  private rollDay(): void {
    const data = this.db!.data;
    const day = localDate(this.now());
    if (data.today.day !== day) data.today = { day, loans: 0, returns: 0, rejections: 0 };
  }
}
