/**
 * Start-up repair of a journal cut off mid-line (power loss, a full disk before offcirc's time): the
 * incomplete last line is saved beside the journal, then cut off. Reads only the tail, so the cost is
 * the same for 10 lines or 10 million; counting lines reads the whole file once, in 1 MiB chunks.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorCode, writeError } from './errors.js';
import { formatFileStamp } from './line.js';
import { createNew } from '../safe-file.js';

const NEWLINE = 0x0a;
const FIRST_CHUNK = 4096;
const MAX_CHUNK = 1 << 20;

export interface RecoveredFragment {
  /** Where the incomplete line was saved. */
  fragmentFile: string;
  bytes: number;
}

export interface TailRepair {
  recovered?: RecoveredFragment;
  /** Bytes read to find the last complete line (a tail, not the file). */
  bytesRead: number;
  /** The journal's size after the repair. */
  size: number;
}

/**
 * Offset just past the last '\n' (0 if none) and the bytes read to find it: chunks from the end,
 * doubling backwards only while no '\n' turns up.
 */
export async function lastLineEnd(
  handle: FileHandle,
  size: number,
): Promise<{ end: number; bytesRead: number }> {
  let bytesRead = 0;
  let chunk = FIRST_CHUNK;
  let stop = size;
  while (stop > 0) {
    const start = Math.max(0, stop - chunk);
    const buffer = Buffer.alloc(stop - start);
    const { bytesRead: n } = await handle.read(buffer, 0, buffer.length, start);
    bytesRead += n;
    const at = buffer.subarray(0, n).lastIndexOf(NEWLINE);
    if (at >= 0) return { end: start + at + 1, bytesRead };
    stop = start;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  return { end: 0, bytesRead };
}

/** fsync a folder so a file created or renamed in it survives a power cut. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems can't fsync a folder at all; that is not a failure to write.
    const code = errorCode(error);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  } finally {
    await handle.close();
  }
}

/** Copies [start, end) of the journal into a new file beside it that didn't exist before; fsynced. */
async function saveFragment(
  handle: FileHandle,
  journal: string,
  start: number,
  end: number,
  now: Date,
): Promise<string> {
  const base = `${journal}.partial-${formatFileStamp(now.getTime())}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    let out: FileHandle;
    try {
      out = await createNew(name);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      throw writeError(error, 'saving the incomplete last line to', name);
    }
    try {
      const buffer = Buffer.alloc(Math.min(end - start, MAX_CHUNK));
      for (let at = start; at < end;) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - at), at);
        if (bytesRead === 0) break;
        await out.write(buffer, 0, bytesRead);
        at += bytesRead;
      }
      await out.sync();
    } catch (error) {
      await out.close().catch(() => undefined);
      throw writeError(error, 'saving the incomplete last line to', name);
    }
    await out.close();
    await syncFolder(path.dirname(name)).catch(() => undefined);
    return name;
  }
}

/**
 * If the journal doesn't end in '\n', saves the bytes after the last '\n' beside it (written and fsynced
 * first) and cuts the journal back to its last complete line. Never cuts what it couldn't save.
 */
export async function repairTail(handle: FileHandle, journal: string, now = new Date()): Promise<TailRepair> {
  const size = (await handle.stat()).size;
  if (size === 0) return { bytesRead: 0, size };
  const { end, bytesRead } = await lastLineEnd(handle, size);
  if (end === size) return { bytesRead, size };
  const fragmentFile = await saveFragment(handle, journal, end, size, now);
  try {
    await handle.truncate(end);
    await handle.sync();
  } catch (error) {
    throw writeError(error, 'cutting the incomplete last line from', journal);
  }
  return { recovered: { fragmentFile, bytes: size - end }, bytesRead, size: end };
}

/** Counts '\n' bytes: the number of complete lines. O(file size), 1 MiB at a time. */
export async function countLines(handle: FileHandle): Promise<number> {
  const buffer = Buffer.alloc(MAX_CHUNK);
  let lines = 0;
  for (let position = 0; ;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return lines;
    const view = buffer.subarray(0, bytesRead);
    for (let at = view.indexOf(NEWLINE); at >= 0; at = view.indexOf(NEWLINE, at + 1)) lines++;
    position += bytesRead;
  }
}
