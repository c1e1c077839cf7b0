/**
 * The journal's line count, kept beside it (`<journal>.lines`) when offcirc stops, so the next start
 * needn't read the whole file to number the next line: 10 million lines are 1.1 GB, about a second.
 *
 * A hint is believed only for the very file it was written for, unchanged since: the same device,
 * inode, size and change time (ctime, which no user can set back, and which every write moves), and a
 * check over those, the count and the journal's last 64 KiB. The file must be a regular file of the
 * journal's owner that nobody else may write. Anything else (the journal rotated, replaced, truncated,
 * repaired, appended to after a crash, edited; a hint missing, stale, damaged, or planted by someone who
 * can't read the journal) and the lines are counted as before. Small journals have no hint: counting
 * 1 MiB costs less than reading one.
 *
 * Costs: reading it, an fstat, a 64 KiB read and one SHA-256 of it; writing it, the same and one small
 * file replaced (a temporary file, fsynced, renamed).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { openRead, replaceFile } from '../safe-file.js';

/** Below this size a journal is counted, not hinted. */
export const HINT_MIN_BYTES = 1 << 20;
/** How much of the journal's end the check covers. */
const TAIL_BYTES = 64 * 1024;
/** A hint is one short line; anything longer isn't one. */
const MAX_HINT_BYTES = 1024;
const VERSION = 1;

export const countHintFile = (journal: string): string => `${journal}.lines`;

interface Hint {
  v: number;
  dev: string;
  ino: string;
  size: string;
  ctimeNs: string;
  lines: number;
  check: string;
}

/** The journal's identity and state as the hint records it. */
async function identity(journal: FileHandle) {
  const stats = await journal.stat({ bigint: true });
  return {
    dev: String(stats.dev),
    ino: String(stats.ino),
    size: String(stats.size),
    ctimeNs: String(stats.ctimeNs),
    uid: Number(stats.uid),
    bytes: Number(stats.size),
  };
}

/** The check over the hint's fields and the journal's last bytes. */
async function checkOf(
  journal: FileHandle,
  fields: Omit<Hint, 'v' | 'check'>,
  bytes: number,
): Promise<string> {
  const length = Math.min(bytes, TAIL_BYTES);
  const tail = Buffer.alloc(length);
  const { bytesRead } = await journal.read(tail, 0, length, bytes - length);
  return createHash('sha256')
    .update(`offcirc journal line count ${VERSION}\0`)
    .update(JSON.stringify([fields.dev, fields.ino, fields.size, fields.ctimeNs, fields.lines]))
    .update('\0')
    .update(tail.subarray(0, bytesRead))
    .digest('hex');
}

/**
 * The line count the hint beside `file` gives for the open journal `journal`, or undefined when there is
 * no hint it can believe. Never throws: any trouble reading the hint means counting.
 */
export async function readCountHint(file: string, journal: FileHandle): Promise<number | undefined> {
  try {
    const now = await identity(journal);
    if (now.bytes < HINT_MIN_BYTES) return undefined;
    let text: string;
    const handle = await openRead(countHintFile(file));
    try {
      const stats = await handle.stat();
      // Only the journal's owner may have written it, and nobody else may be able to.
      if (stats.uid !== now.uid || stats.mode & 0o022 || stats.size > MAX_HINT_BYTES) return undefined;
      text = await handle.readFile({ encoding: 'utf8' });
    } finally {
      await handle.close();
    }
    const hint = JSON.parse(text) as Partial<Hint>;
    if (
      hint.v !== VERSION ||
      hint.dev !== now.dev ||
      hint.ino !== now.ino ||
      hint.size !== now.size ||
      hint.ctimeNs !== now.ctimeNs ||
      typeof hint.lines !== 'number' ||
      !Number.isSafeInteger(hint.lines) ||
      hint.lines < 0 ||
      hint.lines > now.bytes
    )
      return undefined;
    const check = await checkOf(journal, { ...now, lines: hint.lines }, now.bytes);
    return check === hint.check ? hint.lines : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps `lines` as the count of the open journal `journal` at `file`, as it is now (nothing may write it
 * after this, or the hint no longer matches). Does nothing for a small journal. Throws if the hint can't
 * be written; the caller decides whether that matters (it never does for the journal itself).
 */
export async function writeCountHint(file: string, journal: FileHandle, lines: number): Promise<void> {
  const now = await identity(journal);
  if (now.bytes < HINT_MIN_BYTES) return;
  const fields = { dev: now.dev, ino: now.ino, size: now.size, ctimeNs: now.ctimeNs, lines };
  const hint: Hint = { v: VERSION, ...fields, check: await checkOf(journal, fields, now.bytes) };
  await replaceFile(countHintFile(file), `${JSON.stringify(hint)}\n`);
}
