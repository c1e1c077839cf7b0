/**
 * `offcirc patrons import`'s engine: streams a CSV export or an Alma users JSON file, turns each row
 * into keyed hashes, and replaces the kiosk's list atomically. Bad rows are counted and named by line
 * (CSV) or index (JSON); a file with more bad rows than good ones is refused and the old list kept.
 * O(n) time; memory ≈ 16 bytes per identifier twice over (the entries and their sorted copy), never the
 * whole file.
 */
import { createReadStream } from 'node:fs';
import { localDay } from '../local-day.js';
import { ListBuilder, type PatronEntry } from './build.js';
import { CsvReader } from './csv.js';
import { JsonArraySplitter } from './json-array.js';
import { almaEntry, csvEntry, csvLayout, type CsvColumns } from './rows.js';

export type ImportFormat = 'csv' | 'alma-json';

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  columns: CsvColumns;
  list: string;
  now: number;
}

export interface BadRow {
  /** "line 12" (CSV) or "user 3" (JSON, counted from 0 as in the array). */
  where: string;
  problem: string;
}

export type ImportResult =
  | { kind: 'written'; rows: number; identifiers: number; bad: BadRow[]; badCount: number }
  /** Nothing written, the old list kept: the file can't be read, or is no export of the expected kind. */
  | { kind: 'unreadable'; reason: string }
  /** Nothing written, the old list kept: too many bad rows. */
  | { kind: 'refused'; rows: number; bad: BadRow[]; badCount: number; reason: string };

/** Bad rows kept to show (all are counted). */
export const BAD_SHOWN = 50;

export async function importPatrons(options: ImportOptions): Promise<ImportResult> {
  const builder = new ListBuilder();
  const bad: BadRow[] = [];
  let badCount = 0;
  let rows = 0;
  const note = (where: string, problem: string) => {
    badCount++;
    if (bad.length < BAD_SHOWN) bad.push({ where, problem });
  };
  const take = (entry: PatronEntry | string, where: string) => {
    rows++;
    if (typeof entry === 'string') note(where, entry);
    else builder.add(entry);
  };

  let fatal: string | undefined;
  try {
    const stream = createReadStream(options.file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    if (options.format === 'csv') {
      const reader = new CsvReader();
      let layout: Record<keyof CsvColumns, number> | undefined;
      const onRecord = (r: { line: number; fields: string[] }) => {
        if (fatal !== undefined) return;
        if (layout === undefined) {
          const found = csvLayout(r.fields, options.columns);
          if ('missing' in found) fatal = found.missing;
          else layout = found.index;
          return;
        }
        take(csvEntry(r.fields, layout), `line ${r.line}`);
      };
      const onProblem = (p: { line: number; problem: string }) => {
        rows++;
        note(`line ${p.line}`, p.problem);
      };
      for await (const chunk of stream) {
        reader.push(chunk as string, onRecord, onProblem);
        if (fatal !== undefined) break;
      }
      if (fatal === undefined) reader.end(onRecord, onProblem);
      if (fatal === undefined && layout === undefined)
        fatal = 'the file is empty: expected a header row and a row per patron';
    } else {
      const splitter = new JsonArraySplitter();
      const today = localDay(options.now);
      const onElement = (text: string, index: number) => {
        let user: unknown;
        try {
          user = JSON.parse(text);
        } catch (error) {
          rows++;
          note(`user ${index}`, `not JSON: ${(error as Error).message}`);
          return;
        }
        take(almaEntry(user, today), `user ${index}`);
      };
      for await (const chunk of stream) splitter.push(chunk as string, onElement);
      fatal = splitter.end();
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { kind: 'unreadable', reason: e.code ? `${e.code}: ${e.message}` : e.message };
  }
  if (fatal !== undefined) return { kind: 'unreadable', reason: fatal };
  const good = rows - badCount;
  if (good === 0 || badCount > good)
    return {
      kind: 'refused',
      rows,
      bad,
      badCount,
      reason:
        good === 0
          ? `no usable row among ${rows}`
          : `${badCount} of ${rows} rows are bad: more than half, so this is probably not the right file or column names`,
    };
  const identifiers = await builder.write(options.list, options.now);
  return { kind: 'written', rows, identifiers, bad, badCount };
}
