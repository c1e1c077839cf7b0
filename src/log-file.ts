/**
 * The log folder: JSON lines in one file a day (`offcirc-YYYY-MM-DD.log`, the station's local date),
 * continued in numbered parts (`offcirc-YYYY-MM-DD.1.log`, `.2.log`, …) so that the folder can be kept
 * under `maxBytes`: each part holds at most an eighth of it, and before a new part or day is started, files
 * older than `keepDays` go, then the oldest files until the rest and a full new part fit. Only files with
 * these names are counted or removed. Files are created 0600 (owner only) whatever the umask, and a file
 * found with wider permissions is narrowed: log lines say which patrons (masked) borrowed what and when.
 *
 * Cost: write() appends to a batch (a string push); the batch is written with one write(2) per turn of the
 * event loop (or at once past 64 KiB), and the day is checked then with one number comparison. A folder
 * listing happens only when a part or day starts. Synchronous writes: a log line is small and goes to the
 * page cache, and a failure (ENOSPC) is known at once, in order.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { localDate, nextMidnight } from './local-day.js';

export interface LogFileOptions {
  dir: string;
  /** Files whose date is more than this many days before today are removed. */
  keepDays: number;
  /** The folder's log files together stay at or under this many bytes (at least 32 KiB). */
  maxBytes: number;
  /** Called once when a write fails (disk full, folder removed); the file is closed and writes are dropped. */
  onError: (error: Error) => void;
  now?: () => number;
}

const NAME = /^offcirc-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/;
/** The most a batch holds before it is written, so a burst of records can't hold much memory. */
const BATCH_BYTES = 64 * 1024;
const DAY_MS = 86_400_000;
const MIN_BYTES = 32 * 1024;

export const logFileName = (date: string, part: number) =>
  part === 0 ? `offcirc-${date}.log` : `offcirc-${date}.${part}.log`;

interface Found {
  name: string;
  date: string;
  part: number;
  size: number;
}

/** One open log folder. The constructor makes the folder and opens today's file, and throws if it can't. */
export class LogFile {
  readonly dir: string;
  /** Bytes per part: an eighth of the cap (at least 4 KiB, as the cap is at least 32 KiB). */
  readonly partBytes: number;
  private readonly options: LogFileOptions;
  private readonly now: () => number;
  private fd: number | undefined;
  private date = '';
  private part = 0;
  private size = 0;
  private dayEnds = 0;
  /** A batch is written at once past this size: a quarter part, at most 64 KiB. */
  private readonly batchLimit: number;
  private batch: string[] = [];
  private batchBytes = 0;
  private scheduled = false;

  constructor(options: LogFileOptions) {
    this.options = options;
    this.dir = options.dir;
    this.now = options.now ?? Date.now;
    // Below 32 KiB a part would be under a page of the disk, and the cap could not be kept.
    if (!(options.maxBytes >= MIN_BYTES))
      throw new RangeError(`LogFile: maxBytes must be at least ${MIN_BYTES}, got ${options.maxBytes}`);
    this.partBytes = Math.floor(options.maxBytes / 8);
    this.batchLimit = Math.min(BATCH_BYTES, Math.floor(this.partBytes / 4));
    // Made owner-only when offcirc makes it; an existing folder is the technician's choice.
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const now = this.now();
    const today = localDate(now);
    // Carry on in today's newest part after a restart, rather than starting a part per restart.
    const parts = this.list().filter((f) => f.date === today);
    const last = parts.at(-1);
    this.openPart(today, last?.part ?? 0, now);
  }

  /** Queues one line (without its newline). Never throws. */
  write(line: string): void {
    if (this.fd === undefined) return;
    this.batch.push(line, '\n');
    this.batchBytes += line.length + 1;
    if (this.batchBytes >= this.batchLimit) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes the batch now: into the next part or day's file when this one is full or the day has ended. */
  flush(): void {
    if (this.fd === undefined || this.batch.length === 0) return;
    const data = Buffer.from(this.batch.join(''), 'utf8');
    this.batch = [];
    this.batchBytes = 0;
    try {
      const now = this.now();
      if (now >= this.dayEnds) this.openPart(localDate(now), 0, now);
      else if (this.size > 0 && this.size + data.length > this.partBytes)
        this.openPart(this.date, this.part + 1, now);
      let written = 0;
      while (written < data.length) written += writeSync(this.fd!, data, written, data.length - written);
      this.size += written;
    } catch (error) {
      this.closeFd();
      this.options.onError(error as Error);
    }
  }

  /** Writes what is queued and closes the file. */
  close(): void {
    this.flush();
    this.closeFd();
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = undefined;
    this.batch = [];
    this.batchBytes = 0;
    if (fd !== undefined)
      try {
        closeSync(fd);
      } catch {
        // Closing after a failed write: nothing more to lose.
      }
  }

  /** Opens (appending) the given day and part, after making room for it. */
  private openPart(date: string, part: number, now: number): void {
    this.closeFd();
    const name = logFileName(date, part);
    this.prune(now, name);
    // Never through a link planted in the log folder, never into a FIFO or device (safe-file.ts's rules,
    // synchronously: the log writes on the caller's turn).
    const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;
    const fd = openSync(
      path.join(this.dir, name),
      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK,
      0o600,
    );
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw Object.assign(new Error(`${name} in ${this.dir} is not a regular file`), { code: 'EUNSAFE' });
    }
    try {
      fchmodSync(fd, 0o600);
    } catch {
      // A file owned by someone else (made by root by hand): it stays as it is, and is still written.
    }
    this.fd = fd;
    this.date = date;
    this.part = part;
    this.size = fstatSync(fd).size;
    this.dayEnds = nextMidnight(now);
  }

  /** The folder's log files, oldest first, with their sizes. */
  private list(): Found[] {
    const found: Found[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = NAME.exec(name);
      if (!match) continue;
      let size: number;
      try {
        size = statSync(path.join(this.dir, name)).size;
      } catch {
        continue; // removed meanwhile
      }
      found.push({ name, date: match[1]!, part: Number(match[2] ?? 0), size });
    }
    return found.sort((a, b) => (a.date === b.date ? a.part - b.part : a.date < b.date ? -1 : 1));
  }

  /**
   * Removes files dated before the kept days, then the oldest until the others and a full part of
   * `keep` fit under the cap. `keep` itself (the file about to be written) is never removed.
   */
  private prune(now: number, keep: string): void {
    const oldest = localDate(now - this.options.keepDays * DAY_MS);
    let files = this.list().filter((f) => f.name !== keep);
    const remove = (f: Found) => {
      try {
        unlinkSync(path.join(this.dir, f.name));
      } catch {
        // Already gone, or not ours to remove: counted as gone either way, so pruning can't loop.
      }
    };
    for (const f of files) if (f.date < oldest) remove(f);
    files = files.filter((f) => f.date >= oldest);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    const room = this.options.maxBytes - this.partBytes;
    for (const f of files) {
      if (total <= room) break;
      remove(f);
      total -= f.size;
    }
  }
}
