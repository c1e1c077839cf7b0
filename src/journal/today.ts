/**
 * Today's loans and returns in an OffCirc.dat, counted from its end backwards until the first line of an
 * earlier day: what the kiosk shows as "N today" is then true after a crash, whatever the state file
 * lost. Costs O(today's lines), never the whole file. Special files (a FIFO planted by name) and links
 * are not opened for reading: they count as nothing.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { formatTimestamp } from './line.js';

export interface DayCount {
  loans: number;
  returns: number;
}

const CHUNK = 64 * 1024;
const LF = 0x0a;

/**
 * Counts the lines of `file` whose time falls on the local day of `at` (YYYYMMDD), from the end. With
 * `byPatron`, also adds each of today's loans to its patron's count there (the daily loan limit).
 */
export async function countToday(
  file: string,
  at: number,
  byPatron?: Map<string, number>,
): Promise<DayCount> {
  const day = formatTimestamp(at).slice(0, 8);
  const count: DayCount = { loans: 0, returns: 0 };
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return count;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return count;
    let end = stats.size;
    /** Bytes of a line cut by the chunk boundary, carried to the next (earlier) chunk. */
    let carry = Buffer.alloc(0);
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - start);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, start);
      let data = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
      // Lines from the end; the first piece (before the first LF) may be cut, unless this is the file's start.
      let lineEnd = data.length;
      for (let i = data.length - 1; i >= -1; i--) {
        if (i >= 0 && data[i] !== LF) continue;
        if (i < 0 && start > 0) break;
        const line = data.subarray(i + 1, lineEnd);
        lineEnd = i;
        if (line.length === 0) continue;
        const verdict = classify(line, day);
        if (verdict === 'earlier') return count;
        if (verdict === 'L') {
          count.loans++;
          if (byPatron) {
            const patron = line.toString('latin1', 93).replace(/\r$/, '');
            byPatron.set(patron, (byPatron.get(patron) ?? 0) + 1);
          }
        } else if (verdict === 'R') count.returns++;
      }
      carry = data.subarray(0, Math.max(lineEnd, 0));
      data = Buffer.alloc(0);
      end = start;
    }
    return count;
  } finally {
    await handle.close();
  }
}

/** 'L'/'R' for a line of `day`, 'earlier' for one of an earlier day, 'other' for anything else. */
function classify(line: Buffer, day: string): 'L' | 'R' | 'earlier' | 'other' {
  if (line.length < 13) return 'other';
  const lineDay = line.toString('latin1', 0, 8);
  if (!/^\d{8}$/.test(lineDay)) return 'other';
  if (lineDay < day) return 'earlier';
  if (lineDay > day) return 'other';
  const action = line[12];
  return action === 0x4c ? 'L' : action === 0x52 ? 'R' : 'other';
}
