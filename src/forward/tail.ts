/**
 * Reads a journal's complete lines from a byte offset, in order, a bounded batch at a time, and tells one
 * file from another (device, inode and a hash of the first line). Only lines ending in LF count: a line
 * still being written is left for the next read. Costs O(bytes read); 256 KiB of memory per read.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { FileIdentity } from './cursor.js';

const CHUNK = 256 * 1024;
/** A line longer than this is not a journal line: no OffCirc.dat record comes near it. */
export const MAX_LINE = 4096;

/** The file's identity, or null while it has no complete first line. */
export async function fileIdentity(handle: FileHandle): Promise<FileIdentity | null> {
  const stats = await handle.stat();
  const buffer = Buffer.alloc(MAX_LINE + 2);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
  if (end < 0) return null;
  const head = createHash('sha256')
    .update(buffer.subarray(0, end + 1))
    .digest('hex');
  return { dev: stats.dev, ino: stats.ino, head };
}

export const sameFile = (a: FileIdentity | null, b: FileIdentity | null): boolean =>
  a !== null && b !== null && a.dev === b.dev && a.ino === b.ino && a.head === b.head;

export interface LinesRead {
  /** The lines, without their endings (CR LF or LF). */
  lines: string[];
  /** Where the next line starts. */
  next: number;
}

/** Up to `max` complete lines from `offset`. Throws when a line is absurdly long (not a journal). */
export async function readLinesAt(handle: FileHandle, offset: number, max: number): Promise<LinesRead> {
  const lines: string[] = [];
  let next = offset;
  let carry = Buffer.alloc(0);
  let position = offset;
  const buffer = Buffer.alloc(CHUNK);
  while (lines.length < max) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length
      ? Buffer.concat([carry, buffer.subarray(0, bytesRead)])
      : buffer.subarray(0, bytesRead);
    let start = 0;
    for (let i = data.indexOf(0x0a); i >= 0 && lines.length < max; i = data.indexOf(0x0a, start)) {
      const endOfText = i > start && data[i - 1] === 0x0d ? i - 1 : i;
      lines.push(data.toString('latin1', start, endOfText));
      next += i + 1 - start;
      start = i + 1;
    }
    if (lines.length >= max) break;
    carry = Buffer.from(data.subarray(start));
    if (carry.length > MAX_LINE)
      throw new Error(`a line at byte ${next} is over ${MAX_LINE} bytes: not a journal line`);
  }
  return { lines, next };
}

/** The offset after the first `count` lines, and how many there were (fewer when the file is shorter). */
export async function skipLines(
  handle: FileHandle,
  count: number,
): Promise<{ offset: number; lines: number }> {
  return countFrom(handle, 0, count);
}

/** Complete lines from `offset` to the end (at most `limit`), and the offset after the last of them. */
export async function countFrom(
  handle: FileHandle,
  offset: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ offset: number; lines: number }> {
  const buffer = Buffer.alloc(CHUNK);
  let position = offset;
  let lines = 0;
  let end = offset;
  while (lines < limit) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    for (let i = buffer.indexOf(0x0a); i >= 0 && i < bytesRead; i = buffer.indexOf(0x0a, i + 1)) {
      lines++;
      end = position + i + 1;
      if (lines >= limit) break;
    }
    position += bytesRead;
  }
  return { offset: end, lines };
}
