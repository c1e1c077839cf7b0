/**
 * The kiosk's patron list, kept in memory and reloaded when a new one is imported: a PatronDirectory the
 * kiosk consults synchronously (a lookup is one HMAC and a binary search: microseconds, no I/O).
 *
 * It learns of a new list by watching the list's folder (inotify through fs.watch: nothing per scan,
 * and an import's rename is seen within the debounce) and, as a backstop where a watch doesn't work
 * (network filesystems), by a stat every `pollMs`. A list that can't be read is reported and the one
 * before stays in use; a list removed stops the checks. Reading costs the file's size once per import.
 */
import { constants, watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PatronDirectory, PatronListInfo, PatronRecord } from '../kiosk/patrons.js';
import type { Log } from '../log.js';
import { PatronList } from './format.js';

export interface PatronListWatchOptions {
  file: string;
  log: Log;
  /** The stat backstop's period; default 60 s. */
  pollMs?: number;
  /** After a change event, wait this long for more before reading (a rename comes with several). */
  debounceMs?: number;
  /** Called after each (re)load attempt that changed what is in use or its problem. */
  changed?: () => void;
}

/** The largest list read: 64 M identifiers (1 GiB); a bigger file is not a list this kiosk made. */
const MAX_BYTES = 1 << 30;

export class PatronListWatch implements PatronDirectory {
  private list: PatronList | undefined;
  private problem: string | undefined;
  private signature = '';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();
  private stopped = false;

  /** No I/O. */
  constructor(private readonly options: PatronListWatchOptions) {}

  lookup(patron: string): PatronRecord | null | undefined {
    return this.list?.lookup(patron);
  }

  info(): PatronListInfo {
    return {
      loaded: this.list !== undefined,
      ...(this.list && { builtAt: this.list.builtAt, entries: this.list.count }),
      ...(this.problem !== undefined && { problem: this.problem }),
    };
  }

  /** Reads the list if there is one and starts watching for a new one. Never rejects. */
  async start(): Promise<void> {
    await this.reload();
    try {
      this.watcher = watch(path.dirname(this.options.file), (_event, name) => {
        if (name === null || name === path.basename(this.options.file)) this.soon();
      });
      this.watcher.on('error', () => this.watcher?.close());
      this.watcher.unref();
    } catch {
      // The folder doesn't exist (yet): the stat backstop finds a list made later.
    }
    this.poll = setInterval(() => this.soon(), this.options.pollMs ?? 60_000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.timer);
    clearInterval(this.poll);
    await this.loading;
  }

  /** Resolves once any reload under way (or due) has finished: for tests and start-up. */
  settled(): Promise<void> {
    return this.loading;
  }

  private soon(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.loading = this.loading.then(() => this.reload());
    }, this.options.debounceMs ?? 100);
    this.timer.unref();
  }

  /** Reads the list when its file changed (another inode, size or time); keeps the old one on failure. */
  private async reload(): Promise<void> {
    const file = this.options.file;
    let signature: string;
    try {
      const s = await stat(file);
      signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        return this.fail(`${file}: ${(error as Error).message}`);
      if (this.list === undefined && this.signature === 'none') return;
      if (this.signature === '')
        this.options.log('info', `no patron list at ${file}: cards are not checked until one is imported`, {
          event: 'patrons',
          path: file,
          entries: 0,
        });
      this.signature = 'none';
      if (this.list !== undefined)
        this.options.log('warn', `the patron list ${file} was removed: cards are no longer checked`, {
          event: 'patrons',
          path: file,
        });
      this.list = undefined;
      this.problem = undefined;
      this.options.changed?.();
      return;
    }
    if (signature === this.signature) return;
    try {
      const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      let data: Buffer;
      try {
        const s = await handle.stat();
        if (!s.isFile()) throw new Error('not a regular file');
        if (s.size > MAX_BYTES) throw new Error(`${s.size} bytes is more than a patron list can be`);
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
      const list = PatronList.fromBuffer(data);
      this.list = list;
      this.signature = signature;
      this.problem = undefined;
      this.options.log(
        'info',
        `patron list ${file} loaded: ${list.count} card identifier(s), made ${new Date(list.builtAt).toISOString()}`,
        {
          event: 'patrons',
          path: file,
          entries: list.count,
          builtAt: list.builtAt,
        },
      );
      this.options.changed?.();
    } catch (error) {
      this.signature = signature;
      this.fail(`${file}: ${(error as Error).message}`);
    }
  }

  private fail(problem: string): void {
    if (problem === this.problem) return;
    this.problem = problem;
    const kept = this.list ? 'the list read before stays in use' : 'cards are not checked';
    this.options.log('error', `the patron list can't be read (${problem}): ${kept}`, {
      event: 'patrons',
      problem,
    });
    this.options.changed?.();
  }
}

/** The list's path: config patrons.list, else patrons.list beside the journal. */
export function patronListPath(configured: string | undefined, journalPath: string): string {
  return configured !== undefined
    ? path.resolve(configured)
    : path.join(path.dirname(journalPath), 'patrons.list');
}
