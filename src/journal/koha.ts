/**
 * Koha's offline circulation file (.koc, FORMATS.md §2) from verified OffCirc.dat lines: pure, O(line).
 */
import type { LineFacts } from './parse.js';

/** Koha's reader (offline_circ/process_koc.pl) strips CRs and splits on LF, so LF is all it needs. */
export const KOHA_LINE_ENDING = '\n';

/** The first line of a .koc: tab-separated key=value pairs naming the format and who wrote it. */
export function kohaHeader(generatorVersion: string): string {
  return `Version=1.0\tGenerator=offcirc\tGeneratorVersion=${generatorVersion}${KOHA_LINE_ENDING}`;
}

/**
 * `YYYYMMDDHHMM` → Koha's `YYYY-MM-DD HH:MM:SS mmm`. OffCirc.dat has minutes only, so seconds and
 * milliseconds are zero.
 */
export function kohaTimestamp(time: string): string {
  return `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)} ${time.slice(8, 10)}:${time.slice(10, 12)}:00 000`;
}

/** One .koc record with its line ending: `issue` cardnumber barcode, or `return` barcode. */
export function kohaRecord(facts: LineFacts): string {
  const when = kohaTimestamp(facts.time);
  return facts.action === 'L'
    ? `${when}\tissue\t${facts.patron}\t${facts.item}${KOHA_LINE_ENDING}`
    : `${when}\treturn\t${facts.item}${KOHA_LINE_ENDING}`;
}
