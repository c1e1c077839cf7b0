/**
 * One offcirc per journal: a `<journal>.lock` file beside it holding the owner's pid, boot id and process
 * start time, created with O_EXCL and readable by its owner only. A lock whose owner is gone is taken over:
 * a dead pid, an earlier boot, garbage, or a live pid that is another process than the one that wrote it.
 * That last check compares the start time in `/proc/<pid>/stat` with the one recorded: it names exactly
 * one process (a reused pid, pid 1, or any other program has another start time), where a command-line
 * check would accept any process called offcirc and miss a kiosk started under another name (the SEA, node
 * bin/offcirc.js, a test). A lock without a start time (an older offcirc) falls back to asking whether
 * `/proc/<pid>/cmdline` mentions offcirc. Costs: a few small reads of /proc, only when a lock exists.
 */
import { readFileSync } from 'node:fs';
import { rename, lstat, unlink, link, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorCode, JournalLockedError, JournalWriteError, writeError } from './errors.js';
import { createNew, openRead } from '../safe-file.js';

export type JournalLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/**
 * Lock files this process holds. The kernel's per-process state, mirrored: it tells "my pid, another
 * writer in this process" (locked) from "my pid, left by a previous run that had the same pid" (stale,
 * common on kiosks whose boot starts the same services in the same order).
 */
const heldHere = new Set<string>();

/** Linux's id of this boot; a lock from another boot can't have a live owner. Undefined elsewhere. */
function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * When a process started, in clock ticks since boot (field 22 of `/proc/<pid>/stat`); undefined where
 * there is no /proc or no such process. The command name (field 2) may hold spaces and parentheses, so
 * the fields are counted from its last ')'.
 */
export function processStart(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process's command line mentions offcirc; undefined where /proc can't say. */
function commandIsOffcirc(pid: number): boolean | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').toLowerCase().includes('offcirc');
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? false : undefined;
  }
}

export interface LockContent {
  pid: number;
  boot: string | undefined;
  /** The owner's start time (see processStart), when it recorded one. */
  start?: string;
}

/** The lock file's content for `content`: what parseLock reads back. */
export function formatLock(content: LockContent): string {
  const boot = content.boot ? `boot ${content.boot}\n` : '';
  const start = content.start ? `start ${content.start}\n` : '';
  return `${content.pid}\n${boot}${start}`;
}

/** Parses "<pid>\n[boot <id>\n][start <ticks>\n]"; undefined for anything else. */
export function parseLock(text: string): LockContent | undefined {
  const match = /^(\d{1,10})\n?(?:boot ([0-9a-f-]+)\n?)?(?:start (\d{1,20})\n?)?$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  if (!(pid > 0)) return undefined;
  return match[3] === undefined ? { pid, boot: match[2] } : { pid, boot: match[2], start: match[3] };
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

export class JournalLock {
  readonly file: string;
  private inode: number | undefined;

  /** No I/O. */
  constructor(
    private readonly journal: string,
    private readonly log: JournalLog,
  ) {
    this.file = `${journal}.lock`;
  }

  /** Takes the lock or throws JournalLockedError (live owner) or JournalWriteError (can't write it). */
  async acquire(): Promise<void> {
    // A few rounds: each lost race (a lock appearing or vanishing under us) costs one.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.tryCreate()) return;
      const existing = await this.readExisting();
      if (existing === undefined) continue; // vanished between our create and read: try again
      const { content } = existing;
      const why = content === undefined ? 'its content is not a pid' : this.staleReason(content);
      if (why === undefined && content) throw new JournalLockedError(this.journal, content.pid);
      await this.removeStale(existing.inode, why ?? 'unknown');
    }
    throw new JournalWriteError('could not take the lock (it keeps changing)', 'locking', this.file);
  }

  /** Puts the lock back if staff removed it with the journal's folder; throws if another owner took it. */
  async ensure(): Promise<void> {
    const existing = await this.readExisting();
    if (existing && existing.inode === this.inode) return;
    if (existing?.content?.pid === process.pid) {
      this.inode = existing.inode; // ours, put back by someone (e.g. a folder restored from a copy)
      return;
    }
    const previous = this.inode;
    heldHere.delete(this.file);
    this.inode = undefined;
    try {
      await this.acquire();
    } catch (error) {
      // Keep what we held: if the folder comes back (an unmounted overlay), so does our lock.
      this.inode = previous;
      if (previous !== undefined) heldHere.add(this.file);
      if (error instanceof JournalLockedError)
        throw new JournalWriteError(
          `the journal is now in use by another offcirc (pid ${error.pid})`,
          'writing',
          this.journal,
        );
      throw error;
    }
    this.log('warn', 'journal lock file was gone; made it again', { lock: this.file });
  }

  /** Removes the lock if it is still the one we made; leaves anyone else's alone. */
  async release(): Promise<void> {
    if (this.inode === undefined) return;
    const ours = this.inode;
    this.inode = undefined;
    heldHere.delete(this.file);
    try {
      const stats = await lstat(this.file);
      // Read only once it is our own file: a link or FIFO put in its place is never opened.
      const content = stats.ino === ours ? parseLock(await readFile(this.file, 'latin1')) : undefined;
      if (stats.ino !== ours || content?.pid !== process.pid) {
        this.log('warn', 'journal lock file was replaced by someone else; left it', { lock: this.file });
        return;
      }
      await unlink(this.file);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT')
        this.log('warn', 'could not remove the journal lock file', { lock: this.file, error: String(error) });
    }
  }

  /** O_EXCL create with our pid; false if a lock already exists. */
  private async tryCreate(): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await createNew(this.file);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw writeError(error, 'creating the lock', this.file);
    }
    try {
      const start = processStart(process.pid);
      // Not fsynced: a lock only speaks for a live owner, and other processes read it from the page cache.
      // After a power cut, whatever of it reached the disk names an earlier boot, or is empty or torn
      // (garbage); either is taken over. An fsync would only cost every start a disk flush.
      await handle.writeFile(
        formatLock({ pid: process.pid, boot: currentBootId(), ...(start ? { start } : {}) }),
      );
      this.inode = (await handle.stat()).ino;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(this.file).catch(() => undefined);
      throw writeError(error, 'writing the lock', this.file);
    }
    await handle.close();
    heldHere.add(this.file);
    return true;
  }

  private async readExisting(): Promise<{ content: LockContent | undefined; inode: number } | undefined> {
    let handle: FileHandle;
    try {
      handle = await openRead(this.file);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw writeError(error, 'reading the lock', this.file);
    }
    try {
      const inode = (await handle.stat()).ino;
      const text = (await handle.readFile({ encoding: 'latin1' })).slice(0, 200);
      return { content: parseLock(text), inode };
    } finally {
      await handle.close();
    }
  }

  /** Why the lock's owner can't be alive, or undefined if it may be. */
  private staleReason(content: LockContent): string | undefined {
    const boot = currentBootId();
    if (content.boot && boot && content.boot !== boot)
      return `pid ${content.pid} ran before the last restart`;
    if (content.pid === process.pid)
      return heldHere.has(this.file) ? undefined : `pid ${content.pid} is this process now`;
    if (!processAlive(content.pid)) return `pid ${content.pid} is no longer running`;
    if (content.start !== undefined) {
      const start = processStart(content.pid);
      if (start !== undefined && start !== content.start)
        return `pid ${content.pid} is now another process (it started at another time than the lock's owner)`;
      return undefined;
    }
    return commandIsOffcirc(content.pid) === false ? `pid ${content.pid} is not offcirc` : undefined;
  }

  /**
   * Moves the stale lock aside and deletes it, but only if it is still the file we judged: rename is
   * atomic, so two starters can't both remove it, and neither removes a fresh lock made in between.
   */
  private async removeStale(inode: number, why: string): Promise<void> {
    const aside = path.join(path.dirname(this.file), `.${path.basename(this.file)}.stale-${process.pid}`);
    try {
      await rename(this.file, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return; // someone else removed it first
      throw writeError(error, 'taking over the stale lock', this.file);
    }
    const moved = await lstat(aside);
    if (moved.ino !== inode) {
      // A fresh lock replaced the stale one before our rename: put it back untouched.
      await link(aside, this.file).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      return;
    }
    await unlink(aside);
    this.log('warn', `took over a stale journal lock: ${why}`, { lock: this.file });
  }
}
