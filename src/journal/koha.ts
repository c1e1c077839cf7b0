/**
 * Koha's offline circulation file (.koc, FORMATS.md §2) from verified OffCirc.dat lines: pure, O(line).
 * Koha queues records in `pending_offline_operations` (barcode varchar(20), cardnumber varchar(32)) and
 * processes them ORDER BY timestamp alone, with whole seconds: so a value longer than its column is
 * refused (Koha would cut it), and the records of one minute get increasing seconds (KohaClock).
 */
import type { LineFacts } from './parse.js';

/** Koha's reader (offline_circ/process_koc.pl) strips CRs and splits on LF, so LF is all it needs. */
export const KOHA_LINE_ENDING = '\n';

/** Width of `pending_offline_operations.barcode`: a longer item barcode would be cut. */
export const KOHA_BARCODE_MAX = 20;
/** Width of `pending_offline_operations.cardnumber`: a longer patron ID would be cut. */
export const KOHA_CARDNUMBER_MAX = 32;

/** The first line of a .koc: tab-separated key=value pairs naming the format and who wrote it. */
export function kohaHeader(generatorVersion: string): string {
  return `Version=1.0\tGenerator=offcirc\tGeneratorVersion=${generatorVersion}${KOHA_LINE_ENDING}`;
}

/**
 * `YYYYMMDDHHMM` and a second → Koha's `YYYY-MM-DD HH:MM:SS mmm`. OffCirc.dat has minutes only: the
 * second is the record's place within its minute (KohaClock), the milliseconds zero (MySQL drops them).
 */
export function kohaTimestamp(time: string, second = 0): string {
  return `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)} ${time.slice(8, 10)}:${time.slice(10, 12)}:${String(second).padStart(2, '0')} 000`;
}

/** One .koc record with its line ending: `issue` cardnumber barcode, or `return` barcode. */
export function kohaRecord(facts: LineFacts, second = 0): string {
  const when = kohaTimestamp(facts.time, second);
  return facts.action === 'L'
    ? `${when}\tissue\t${facts.patron}\t${facts.item}${KOHA_LINE_ENDING}`
    : `${when}\treturn\t${facts.item}${KOHA_LINE_ENDING}`;
}

/** Why a line can't go into Koha's queue uncut, or undefined. */
export function kohaLimitProblem(
  facts: LineFacts,
): { code: 'koha-item' | 'koha-patron'; message: string } | undefined {
  if (facts.item.length > KOHA_BARCODE_MAX) {
    return {
      code: 'koha-item',
      message: `item barcode ${JSON.stringify(facts.item)} is ${facts.item.length} characters; Koha's offline circulation keeps at most ${KOHA_BARCODE_MAX} and would cut it`,
    };
  }
  if (facts.patron.length > KOHA_CARDNUMBER_MAX) {
    return {
      code: 'koha-patron',
      message: `patron ID ${JSON.stringify(facts.patron)} is ${facts.patron.length} characters; Koha's offline circulation keeps at most ${KOHA_CARDNUMBER_MAX} and would cut it`,
    };
  }
  return undefined;
}

/**
 * Gives the records of one minute increasing seconds in file order (00, 01, …), starting again at 00
 * when the minute changes, so Koha's ORDER BY timestamp keeps a loan and a return of one minute in
 * their order. O(1) a line, flat memory. A minute with more than 60 records can't be ordered in whole
 * seconds: next() returns undefined for the 61st and later. A minute that comes back after the time
 * went backwards starts at 00 again: those records are out of order for Koha anyway (the caller warns).
 */
export class KohaClock {
  private minute = '';
  private second = 0;

  /** The second for the next record, whose minute is `time` (YYYYMMDDHHMM); undefined past :59. */
  next(time: string): number | undefined {
    if (time !== this.minute) {
      this.minute = time;
      this.second = 0;
    }
    const second = this.second++;
    return second < 60 ? second : undefined;
  }
}
