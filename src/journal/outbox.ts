/**
 * The outbox: a folder beside the journal where rotated files wait for upload to Alma, one file per
 * rotation, named so a person sees at once which station and when.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatFileStamp } from './line.js';

export const outboxDir = (journalPath: string): string => path.join(path.dirname(journalPath), 'outbox');

/**
 * `OffCirc-<station>-<YYYYMMDD-HHMMSS>.dat` in local time. When that name is taken (two rotations in one
 * second), the next free second is used, so sorting the outbox by name is always oldest first.
 */
export function rotatedPath(dir: string, station: string, at: number): string {
  for (let t = at; ; t += 1000) {
    const candidate = path.join(dir, `OffCirc-${station}-${formatFileStamp(t)}.dat`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** Files and transactions waiting in the outbox. Reads each file whole: outbox files are one outage each. */
export async function outboxWaiting(dir: string): Promise<{ files: number; transactions: number }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.dat'));
  } catch {
    return { files: 0, transactions: 0 };
  }
  let transactions = 0;
  for (const name of names) {
    try {
      const content = await readFile(path.join(dir, name));
      for (const byte of content) if (byte === 0x0a) transactions += 1;
    } catch {
      // Removed between readdir and read (uploaded): not waiting any more.
    }
  }
  return { files: names.length, transactions };
}

/** Moves the journal's lines into a new outbox file through the writer (so it runs in the writer's queue). */
export async function rotateToOutbox(
  writer: { rotate(destination: string): Promise<{ lines: number } | null> },
  journalPath: string,
  station: string,
  at: number,
): Promise<{ file: string; lines: number } | null> {
  const dir = outboxDir(journalPath);
  await mkdir(dir, { recursive: true });
  const file = rotatedPath(dir, station, at);
  const result = await writer.rotate(file);
  return result && { file, lines: result.lines };
}
