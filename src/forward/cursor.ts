/**
 * The forwarder's cursor: which journal generation it is on and the last line of it the database has
 * confirmed (after COMMIT), kept in a small file beside the journal (`OffCirc.dat.forward.json`). Written
 * whole or not at all: a temp file created 0600 without following links, renamed over the old one.
 * One small write per batch. Losing it loses no line (the database's keys refuse doubles; the forwarder
 * then finds its place from the database).
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

/** Which file a generation is: its identity on disk and a hash of its first line (inodes get reused). */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** sha256 (hex) of the first line, ending included. */
  head: string;
}

export interface Cursor {
  /**
   * The generation being forwarded: 1 for a station's first journal, one more at each rotation; 0 until
   * the database has been asked (a first start, or a lost cursor, while the database is away).
   */
  generation: number;
  /** The last line of that generation the database confirmed (0: none yet). */
  line: number;
  /** The file of that generation, once it has been seen; null while the journal is still empty. */
  file: FileIdentity | null;
  /**
   * While `file` is null: when the forwarder started waiting for it (ms since the epoch). A file rotated
   * into the outbox since then (modified at or after it) is this generation, before the journal is.
   */
  since?: number;
}

export const cursorPath = (journalPath: string): string => `${journalPath}.forward.json`;

export class CursorError extends Error {}

const isCount = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Parses a cursor file's text; throws CursorError saying what is wrong. O(text). */
export function parseCursor(text: string): Cursor {
  if (text.length > 4096) throw new CursorError('the cursor file is too long to be one');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CursorError(`not JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new CursorError('expected a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.version !== 1) throw new CursorError(`version ${JSON.stringify(r.version)}, expected 1`);
  if (!isCount(r.generation, 0)) throw new CursorError('generation: expected a whole number of 0 or more');
  if (!isCount(r.line, 0)) throw new CursorError('line: expected a whole number of 0 or more');
  let file: FileIdentity | null = null;
  if (r.file !== null) {
    const f = r.file as Record<string, unknown> | undefined;
    if (!f || typeof f !== 'object' || Array.isArray(f))
      throw new CursorError('file: expected an object or null');
    if (!isCount(f.dev, 0) || !isCount(f.ino, 0)) throw new CursorError('file: expected dev and ino numbers');
    if (typeof f.head !== 'string' || !/^[0-9a-f]{64}$/.test(f.head))
      throw new CursorError('file.head: expected a sha256 in hex');
    file = { dev: f.dev, ino: f.ino, head: f.head };
  }
  if (file === null && r.line !== 0) throw new CursorError('line: expected 0 while no file is known');
  if (r.generation === 0 && file !== null) throw new CursorError('file: expected null at generation 0');
  if (r.since !== undefined && (file !== null || !isCount(r.since, 0)))
    throw new CursorError('since: expected a time in ms, and only while no file is known');
  return { generation: r.generation, line: r.line, file, ...(r.since !== undefined && { since: r.since }) };
}

export function formatCursor(cursor: Cursor): string {
  return `${JSON.stringify({ version: 1, ...cursor })}\n`;
}

/** Reads the cursor; undefined when there is none. Throws CursorError for a damaged one, Error for I/O. */
export async function readCursor(file: string): Promise<Cursor | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new CursorError(`${file} is a symbolic link; a cursor file never is`);
    throw error;
  }
  try {
    return parseCursor(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

/** Replaces the cursor file with `cursor`, whole (temp file 0600, no-follow, fdatasync, rename). */
export async function writeCursor(file: string, cursor: Cursor): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await unlink(temp).catch(() => undefined);
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    // No fsync: a cursor lost or left behind by a power cut costs a re-send that the database's keys
    // refuse (or a look-up of the place), never a line; an fsync per batch would compete with the
    // journal's own fdatasync on every scan.
    await handle.writeFile(formatCursor(cursor));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, file);
}
