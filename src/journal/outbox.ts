/**
 * The outbox: a folder beside the journal where rotated files wait for upload to Alma, one file per
 * rotation, named so a person sees at once which station and when. Counting what waits there reads only
 * files that are new or changed since the last count (by name, inode, size and mtime), 1 MiB at a time,
 * yielding to the event loop between chunks, so scans are never held up; anything but a regular file
 * (a FIFO, a link, a folder) is never opened.
 */
import { lstatSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { formatFileStamp } from './line.js';
import { ensureFolder, openRead } from '../safe-file.js';

export const outboxDir = (journalPath: string): string => path.join(path.dirname(journalPath), 'outbox');

/**
 * `OffCirc-<station>-<YYYYMMDD-HHMMSS>.dat` in local time. When that name is taken (two rotations in one
 * second), the next free second is used, so sorting the outbox by name is always oldest first.
 */
export function rotatedPath(dir: string, station: string, at: number): string {
  for (let t = at; ; t += 1000) {
    const candidate = path.join(dir, `OffCirc-${station}-${formatFileStamp(t)}.dat`);
    // lstat: a dangling link holds the name too.
    if (!lstatSync(candidate, { throwIfNoEntry: false })) return candidate;
  }
}

export interface OutboxCount {
  /** Regular `.dat` files waiting. */
  files: number;
  /** Their complete lines. */
  transactions: number;
  /** `.dat` names that are not regular files (never opened), or couldn't be read, and why. */
  refused: Array<{ name: string; reason: string }>;
  /** Bytes read by this count: only new or changed files cost any. */
  bytesRead: number;
}

interface Counted {
  ino: number;
  size: number;
  mtimeMs: number;
  lines: number;
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;
const yieldToScans = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Keeps the outbox's count up to date. refresh() never throws and never blocks the event loop for more
 * than one 1 MiB chunk. Cost: a readdir and an lstat per file, plus
 * reading the files that changed.
 */
export class OutboxCounter {
  private readonly known = new Map<string, Counted>();
  private running: Promise<OutboxCount> | undefined;
  private next: Promise<OutboxCount> | undefined;
  private last: OutboxCount | undefined;

  /** No I/O. */
  constructor(readonly dir: string) {}

  /** The last finished count; undefined before the first. */
  get current(): OutboxCount | undefined {
    return this.last;
  }

  /**
   * Counts again. A call made while a count runs gets a count that starts after it (the outbox may have
   * changed since it began, e.g. a rotation just added a file); any number of such calls share that one.
   */
  refresh(): Promise<OutboxCount> {
    if (this.running) {
      this.next ??= this.running.then(() => {
        this.next = undefined;
        return this.refresh();
      });
      return this.next;
    }
    this.running = this.count().finally(() => (this.running = undefined));
    return this.running;
  }

  private async count(): Promise<OutboxCount> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.dat')).sort();
    } catch {
      names = []; // no outbox yet: nothing waits
    }
    const result: OutboxCount = { files: 0, transactions: 0, refused: [], bytesRead: 0 };
    const seen = new Set<string>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const stats = await lstat(file).catch(() => undefined);
      if (!stats) continue; // removed since readdir: uploaded
      if (!stats.isFile()) {
        result.refused.push({
          name,
          reason: 'not a regular file (a link, FIFO, device or folder); not opened',
        });
        continue;
      }
      seen.add(name);
      const before = this.known.get(name);
      if (
        before &&
        before.ino === stats.ino &&
        before.size === stats.size &&
        before.mtimeMs === stats.mtimeMs
      ) {
        result.files += 1;
        result.transactions += before.lines;
        continue;
      }
      try {
        const counted = await countFile(file, stats.ino);
        this.known.set(name, counted.entry);
        result.bytesRead += counted.bytesRead;
        result.files += 1;
        result.transactions += counted.entry.lines;
      } catch (error) {
        this.known.delete(name);
        if ((error as { code?: unknown }).code === 'ENOENT') continue;
        result.refused.push({ name, reason: (error as Error).message });
      }
    }
    for (const name of this.known.keys()) if (!seen.has(name)) this.known.delete(name);
    this.last = result;
    return result;
  }
}

/** Counts '\n' in one regular file opened without following links, checked to be the file lstat saw. */
async function countFile(file: string, ino: number): Promise<{ entry: Counted; bytesRead: number }> {
  const handle = await openRead(file);
  try {
    const stats = await handle.stat();
    if (stats.ino !== ino) throw Object.assign(new Error('replaced while being counted'), { code: 'ENOENT' });
    const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(1, stats.size)));
    let lines = 0;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const view = buffer.subarray(0, bytesRead);
      for (let at = view.indexOf(NEWLINE); at >= 0; at = view.indexOf(NEWLINE, at + 1)) lines++;
      position += bytesRead;
      await yieldToScans();
    }
    // Size and mtime as read: a file still growing is read again next time.
    return { entry: { ino, size: position, mtimeMs: stats.mtimeMs, lines }, bytesRead: position };
  } finally {
    await handle.close();
  }
}

/**
 * Files and transactions waiting in the outbox, counted afresh (one-off uses such as a command). A
 * long-running station keeps one OutboxCounter instead, so only what changed is read again.
 */
export async function outboxWaiting(dir: string): Promise<{ files: number; transactions: number }> {
  const { files, transactions } = await new OutboxCounter(dir).refresh();
  return { files, transactions };
}

/** Moves the journal's lines into a new outbox file through the writer (so it runs in the writer's queue). */
export async function rotateToOutbox(
  writer: { rotate(destination: string): Promise<{ lines: number } | null> },
  journalPath: string,
  station: string,
  at: number,
): Promise<{ file: string; lines: number } | null> {
  const dir = outboxDir(journalPath);
  // Made with the journal folder's owner, or checked to be a real folder of that owner: a link to
  // another folder there would move the journal out of the kiosk's hands.
  await ensureFolder(dir);
  const file = rotatedPath(dir, station, at);
  const result = await writer.rotate(file);
  return result && { file, lines: result.lines };
}

/** Where rotations are noted (the station's state file). */
export interface RotationHistory {
  recordRotation(rotated: { file: string; lines: number }): void;
}

/**
 * The one rotation, for the running station (between two scans) and for `offcirc rotate` with no kiosk
 * running: the journal into a new outbox file, noted in the history. Null when the journal is empty.
 */
export async function rotateJournal(options: {
  writer: { path: string; rotate(destination: string): Promise<{ lines: number } | null> };
  station: string;
  at: number;
  history: RotationHistory;
}): Promise<{ file: string; lines: number } | null> {
  const rotated = await rotateToOutbox(options.writer, options.writer.path, options.station, options.at);
  if (rotated) options.history.recordRotation(rotated);
  return rotated;
}

/**
 * The station's view of the outbox: counts in the background at start and every `intervalMs` (staff
 * remove files after upload), tells `onChange` the number of transactions waiting whenever it changes,
 * and warns once per name about a `.dat` there it left out. Nothing here waits on the scan path: start()
 * returns at once, and each count yields between 1 MiB chunks.
 */
export class OutboxWatch {
  readonly counter: OutboxCounter;
  private timer: NodeJS.Timeout | undefined;
  private waiting: number | undefined;
  private readonly warned = new Set<string>();

  /** No I/O. */
  constructor(
    dir: string,
    private readonly options: {
      onChange: (transactions: number) => void;
      warn: (message: string, fields: Record<string, unknown>) => void;
      intervalMs?: number;
    },
  ) {
    this.counter = new OutboxCounter(dir);
  }

  /** Starts counting (not awaited by the caller) and the periodic refresh. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Counts again now (e.g. after a rotation); resolves when that count is in. */
  async refresh(): Promise<OutboxCount> {
    const count = await this.counter.refresh();
    for (const { name, reason } of count.refused) {
      if (this.warned.has(name)) continue;
      this.warned.add(name);
      this.options.warn(`outbox: left ${name} out of the count: ${reason}`, { file: name });
    }
    for (const name of this.warned) if (!count.refused.some((r) => r.name === name)) this.warned.delete(name);
    if (count.transactions !== this.waiting) {
      this.waiting = count.transactions;
      this.options.onChange(count.transactions);
    }
    return count;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
