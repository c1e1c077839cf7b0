/**
 * `offcirc patrons import FILE`: the technician's nightly job. Reads a CSV export or Alma users JSON and
 * replaces the kiosk's patron list (patrons/import.ts); a running kiosk picks the new list up by itself.
 * Exit 0 written (bad rows listed on standard error), 1 refused (too many bad rows: the old list kept),
 * 2 the file can't be read, 64 a wrong --format, 74 the list can't be written.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { EXIT, type Io } from '../exit.js';
import { importPatrons, type ImportFormat } from '../patrons/import.js';
import { patronListPath } from '../patrons/watch.js';

const FORMATS: readonly ImportFormat[] = ['csv', 'alma-json'];

export async function patronsImportCommand(
  file: string,
  options: { format?: string },
  loaded: LoadedConfig,
  io: Io,
  now: () => number = Date.now,
): Promise<number> {
  const { config } = loaded;
  const asked = options.format ?? config.patrons.format;
  if (asked !== undefined && !FORMATS.includes(asked as ImportFormat)) {
    io.err(`offcirc: --format ${JSON.stringify(asked)} is not known, expected one of ${FORMATS.join(', ')}`);
    return EXIT.usage;
  }
  const format = (asked as ImportFormat | undefined) ?? (/\.json$/i.test(file) ? 'alma-json' : 'csv');
  const list = patronListPath(config.patrons.list, loaded.journalPath);
  const started = process.hrtime.bigint();
  let result;
  try {
    await mkdir(path.dirname(list), { recursive: true, mode: 0o700 });
    result = await importPatrons({ file, format, columns: config.patrons.columns, list, now: now() });
  } catch (error) {
    io.err(
      `offcirc: cannot write the patron list ${list}: ${(error as Error).message}; the old list is kept`,
    );
    return EXIT.io;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.kind === 'unreadable') {
    io.err(`offcirc: ${file}: ${result.reason}; the old list is kept`);
    return EXIT.unreadable;
  }
  const badLines = (r: { bad: { where: string; problem: string }[]; badCount: number }) => {
    for (const b of r.bad) io.err(`${file}: ${b.where}: ${b.problem}`);
    if (r.badCount > r.bad.length) io.err(`${file}: … and ${r.badCount - r.bad.length} more bad row(s)`);
  };
  badLines(result);
  if (result.kind === 'refused') {
    io.err(`offcirc: ${file} refused: ${result.reason}; the old list is kept`);
    return EXIT.problems;
  }
  io.out(
    `imported ${result.rows - result.badCount} of ${result.rows} row(s) (${result.identifiers} card identifier(s)) ` +
      `from ${file} as ${format} in ${seconds.toFixed(2)} s to\n  ${list}` +
      (result.badCount > 0 ? `\n${result.badCount} bad row(s) left out: listed above` : ''),
  );
  return EXIT.ok;
}
