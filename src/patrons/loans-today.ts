/**
 * Today's loans per patron from what this station wrote: the journal and the outbox files rotated today
 * (named with today's date). Read once at start, from each file's end back to the first line of an
 * earlier day (journal/today.ts): O(today's lines).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { formatFileStamp } from '../journal/line.js';
import { outboxDir } from '../journal/outbox.js';
import { countToday } from '../journal/today.js';

export async function loansTodayByPatron(
  journalPath: string,
  station: string,
  at: number,
): Promise<Map<string, number>> {
  const byPatron = new Map<string, number>();
  await countToday(journalPath, at, byPatron);
  const dir = outboxDir(journalPath);
  const prefix = `OffCirc-${station}-${formatFileStamp(at).slice(0, 8)}-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names)
    if (name.startsWith(prefix) && name.endsWith('.dat'))
      await countToday(path.join(dir, name), at, byPatron);
  return byPatron;
}
