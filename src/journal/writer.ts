/**
 * The only code that writes OffCirc.dat. One write at a time, in order; a line counts only once
 * fdatasync has returned, and a line that failed leaves nothing behind. Its files are opened through
 * safe-file.ts (no link followed, owner-only, the folder's owner). Costs per line: one lstat, one fstat,
 * one write, one fdatasync. Starting costs a read of the journal's tail, and of all of it only when no
 * line count kept at the last stop matches it (count-hint.ts).
 *
 * Why one file over 300 lines: it is the only code that writes OffCirc.dat, and its open, append, cut-back,
 * probe and rotate share one handle, size and queue; kept together so no second writer can appear.
 */
import { fdatasyncSync, fstatSync, lstatSync, writeSync, type Stats } from 'node:fs';
import { lstat, mkdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Transaction } from '../kiosk/events.js';
import { errorCode, JournalWriteError, writeError } from './errors.js';
import { formatLine, RECORD, LINE_ENDINGS, type LineEnding } from './line.js';
import { JournalLock, type JournalLog } from './lock.js';
import { countLines, repairTail, syncFolder, type RecoveredFragment } from './recover.js';
import { readCountHint, writeCountHint } from './count-hint.js';
import { createNew, openAppend, tempName } from '../safe-file.js';

export { JournalLockedError, JournalWriteError } from './errors.js';
export type { JournalLog } from './lock.js';
export type { RecoveredFragment } from './recover.js';

export interface JournalWriterOptions {
  path: string;
  lineEnding: LineEnding;
  log: JournalLog;
}

/** Size of the test file probe() writes: a loan line with a typical 14-character patron. */
const PROBE_BYTES = RECORD + 14 + LINE_ENDINGS.crlf.length;

type State = 'idle' | 'starting' | 'running' | 'stopping';

export class JournalWriter {
  private readonly file: string;
  private state: State = 'idle';
  private lock: JournalLock | undefined;
  private handle: FileHandle | undefined;
  /** Identity of the open file, to notice when the path names another file (moved, deleted). */
  private identity: { dev: number; ino: number } | undefined;
  /** Bytes in the file as far as we know: where the next line starts. */
  private size = 0;
  private count = 0;
  /** Set when cutting back a failed line failed too: the size to cut back to before anything else. */
  private cutBackTo: number | undefined;
  /** The end of the queue: every write, probe and rotation runs after the one before. */
  private tail: Promise<unknown> = Promise.resolve();

  /** No I/O. */
  constructor(private readonly options: JournalWriterOptions) {
    this.file = path.resolve(options.path);
  }

  get path(): string {
    return this.file;
  }

  /** Complete lines in the journal. */
  get lines(): number {
    return this.count;
  }

  /** Makes the folders, takes the lock, repairs an incomplete last line, opens for append, counts lines. */
  async start(): Promise<{ lines: number; recovered?: RecoveredFragment }> {
    if (this.state !== 'idle') throw new Error(`journal writer for ${this.file} is already started`);
    this.state = 'starting';
    const lock = new JournalLock(this.file, this.options.log);
    try {
      await this.makeFolder();
      await lock.acquire();
      this.lock = lock;
      const recovered = await this.openJournal();
      this.state = 'running';
      return recovered ? { lines: this.count, recovered } : { lines: this.count };
    } catch (error) {
      await this.closeHandle();
      await lock.release();
      this.lock = undefined;
      this.state = 'idle';
      throw error;
    }
  }

  /**
   * Writes one line; resolves with its line number once it is on disk (fdatasync returned).
   * Throws JournalWriteError if it couldn't be written (nothing of it stays in the file), or a plain
   * Error if the transaction can't be represented in OffCirc.dat at all.
   */
  append(tx: Transaction): Promise<{ line: number }> {
    if (this.state !== 'running') return Promise.reject(this.notRunning());
    let line: Buffer;
    try {
      line = Buffer.from(formatLine(tx, this.options.lineEnding), 'latin1');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.enqueue(() => this.writeLine(line));
  }

  /** Finds out, without writing a transaction, whether writing works again; throws JournalWriteError if not. */
  probe(): Promise<void> {
    if (this.state !== 'running') return Promise.reject(this.notRunning());
    return this.enqueue(async () => {
      await this.ensureCurrent();
      // A new file of random name, created exclusively: nothing planted beforehand can be written through.
      const probe = tempName(this.file, 'probe');
      let handle: FileHandle | undefined;
      try {
        handle = await createNew(probe);
        await writeAll(handle, Buffer.alloc(PROBE_BYTES, 0x20));
        await handle.datasync();
      } catch (error) {
        throw writeError(error, 'writing a test file', probe);
      } finally {
        if (handle) {
          await handle.close().catch(() => undefined);
          await unlink(probe).catch(() => undefined);
        }
      }
    });
  }

  /**
   * Hands the journal over: renames it to `destination` (same file system, never over an existing file),
   * starts a fresh one and returns the rotated line count; null (nothing renamed) if the journal is empty.
   */
  rotate(destination: string): Promise<{ lines: number } | null> {
    if (this.state !== 'running') return Promise.reject(this.notRunning());
    return this.enqueue(async () => {
      await this.ensureCurrent();
      if (this.size === 0) return null;
      const target = path.resolve(destination);
      if (target === this.file) throw new Error(`cannot rotate ${this.file} onto itself`);
      try {
        await lstat(target);
        throw new JournalWriteError('a file of that name already exists', 'rotating the journal to', target);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw writeError(error, 'rotating the journal to', target);
      }
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await rename(this.file, target);
        await syncFolder(path.dirname(this.file));
        if (path.dirname(target) !== path.dirname(this.file)) await syncFolder(path.dirname(target));
      } catch (error) {
        throw writeError(error, 'rotating the journal to', target);
      }
      const lines = this.count;
      this.options.log('info', 'journal rotated', { file: this.file, to: target, lines });
      // If opening the fresh file fails, the next append sees the path is free and tries again.
      await this.openJournal();
      return { lines };
    });
  }

  /** Waits for the queued writes, keeps the line count for the next start, closes the journal and releases the lock. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    await this.tail;
    await this.keepCount();
    await this.closeHandle();
    await this.lock?.release();
    this.lock = undefined;
    this.state = 'idle';
  }

  private notRunning(): Error {
    return new Error(`journal writer for ${this.file} is not running (start() it first)`);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeLine(line: Buffer): Promise<{ line: number }> {
    await this.ensureCurrent();
    const handle = this.handle;
    if (!handle) throw new JournalWriteError('the journal is not open', 'writing', this.file);
    const before = this.size;
    try {
      // Synchronous on purpose: one write and its fdatasync are what every scan waits for anyway (they
      // are handled one at a time), and going through the thread pool cost two extra round trips a line.
      // Scanner bytes wait in the kernel meanwhile.
      writeAllSync(handle.fd, line);
      fdatasyncSync(handle.fd);
    } catch (error) {
      await this.cutBack(handle, before);
      throw writeError(error, 'writing', this.file);
    }
    this.size = before + line.length;
    this.count += 1;
    return { line: this.count };
  }

  /** Removes every byte of a failed line; if even that fails, remembers to do it before the next write. */
  private async cutBack(handle: FileHandle, size: number): Promise<void> {
    try {
      // Nothing reached the file (e.g. it is immutable): nothing to cut, and truncate might fail too.
      if ((await handle.stat()).size !== size) {
        await handle.truncate(size);
        await handle.datasync().catch(() => undefined);
      }
      this.cutBackTo = undefined;
    } catch (error) {
      this.cutBackTo = size;
      this.options.log(
        'error',
        'could not remove a failed line from the journal; will retry before the next write',
        {
          file: this.file,
          error: String(error),
        },
      );
    }
  }

  /**
   * Before each write: the path must still name our file (staff move or delete it after an upload; the
   * line then goes to a new file at the path, never into the removed one), a failed line must be gone,
   * and the size must be what we wrote (else someone edited it: repair and count again).
   */
  private async ensureCurrent(): Promise<void> {
    let onDisk: Stats | undefined;
    try {
      // lstat: a link planted at the path is another file, and openJournal refuses it.
      onDisk = lstatSync(this.file, { throwIfNoEntry: false });
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw writeError(error, 'checking', this.file);
    }
    const handle = this.handle;
    if (!handle || !onDisk || onDisk.dev !== this.identity?.dev || onDisk.ino !== this.identity.ino) {
      if (handle && this.cutBackTo !== undefined)
        await handle.truncate(this.cutBackTo).catch(() => undefined);
      this.cutBackTo = undefined;
      const linesBefore = this.count;
      await this.makeFolder();
      await this.lock?.ensure();
      await this.openJournal();
      // Said once it worked: while out of service every retry comes through here.
      if (handle)
        this.options.log(
          'warn',
          `journal was ${onDisk ? 'replaced' : 'moved or deleted'}; continuing at its path`,
          {
            file: this.file,
            linesBefore,
            lines: this.count,
          },
        );
      return;
    }
    try {
      // The path names our open file (same device and inode), so its size is the file's: no fstat,
      // unless a failed line was just cut off.
      let size = onDisk.size;
      if (this.cutBackTo !== undefined) {
        await handle.truncate(this.cutBackTo);
        await handle.datasync();
        this.cutBackTo = undefined;
        size = fstatSync(handle.fd).size;
      }
      if (size === this.size) return;
      this.options.log(
        'warn',
        'journal was changed outside offcirc; checking it and counting its lines again',
        {
          file: this.file,
          expectedBytes: this.size,
          foundBytes: size,
        },
      );
      await this.adopt(handle);
    } catch (error) {
      throw writeError(error, 'checking', this.file);
    }
  }

  private async makeFolder(): Promise<void> {
    const folder = path.dirname(this.file);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw writeError(error, 'creating the folder', folder);
    }
  }

  /** Opens (creating) the journal at its path, repairs its tail, counts its lines; replaces the old handle. */
  private async openJournal(): Promise<RecoveredFragment | undefined> {
    let handle: FileHandle;
    try {
      // O_APPEND: appends always land at the end; reading is for the repair and the count. No link is
      // followed; an existing file must be a regular file of the folder's owner.
      ({ handle } = await openAppend(this.file));
    } catch (error) {
      throw writeError(error, 'opening', this.file);
    }
    let recovered: RecoveredFragment | undefined;
    try {
      recovered = await this.adopt(handle);
      await syncFolder(path.dirname(this.file));
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw writeError(error, 'opening', this.file);
    }
    await this.closeHandle();
    this.handle = handle;
    return recovered;
  }

  /**
   * Leaves the line count beside the journal for the next start, when it is known to be right: the file
   * is the one at the path, its size is what was written, no failed line is left to cut. A hint that
   * can't be written costs the next start a count, nothing more, so that is only logged.
   */
  private async keepCount(): Promise<void> {
    const handle = this.handle;
    if (!handle || this.cutBackTo !== undefined) return;
    try {
      const onDisk = lstatSync(this.file, { throwIfNoEntry: false });
      if (onDisk?.ino !== this.identity?.ino || onDisk?.dev !== this.identity?.dev) return;
      if (fstatSync(handle.fd).size !== this.size) return;
      await writeCountHint(this.file, handle, this.count);
    } catch (error) {
      this.options.log('warn', 'could not keep the line count for the next start; it will count them', {
        file: this.file,
        error: String(error),
      });
    }
  }

  /** Takes a handle's file as it is now: repaired tail, identity, size and line count. */
  private async adopt(handle: FileHandle): Promise<RecoveredFragment | undefined> {
    const repair = await repairTail(handle, this.file);
    if (repair.recovered)
      this.options.log(
        'warn',
        'journal ended in an incomplete line; saved it beside the journal and cut it off',
        {
          file: this.file,
          ...repair.recovered,
        },
      );
    // The count kept at the last stop when it is for this very file, unchanged since; else counted.
    const lines = (await readCountHint(this.file, handle)) ?? (await countLines(handle));
    const stats = await handle.stat();
    this.identity = { dev: stats.dev, ino: stats.ino };
    this.size = stats.size;
    this.count = lines;
    return repair.recovered;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle)
      await handle
        .close()
        .catch((error: unknown) =>
          this.options.log('warn', 'closing the journal failed', { file: this.file, error: String(error) }),
        );
  }
}

/** write() until every byte is out: a write may be short (a nearly full disk takes part of it). */
function writeAllSync(fd: number, buffer: Buffer): void {
  for (let done = 0; done < buffer.length;) {
    const written = writeSync(fd, buffer, done, buffer.length - done);
    if (written <= 0) throw Object.assign(new Error('the disk took no bytes'), { code: 'EIO' });
    done += written;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  for (let done = 0; done < buffer.length;) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, null);
    if (bytesWritten <= 0) throw Object.assign(new Error('the disk took no bytes'), { code: 'EIO' });
    done += bytesWritten;
  }
}
