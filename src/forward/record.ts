/**
 * A journal line as the database keeps it: the record's own text plus the fields the collector sorts,
 * groups and masks by. Pure; O(line). A line that isn't an offcirc record is said so, never guessed at.
 */
import { HEADER, RECORD, TIMESTAMP } from '../journal/line.js';

export interface LineRow {
  /** YYYYMMDDHHMM, the station's local time as written. */
  stamp: string;
  kind: 'L' | 'R';
  item: string;
  patron: string | null;
  /** The record without its line ending, byte for byte (ASCII). */
  record: string;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** The row of one record (without its line ending), or a sentence saying why it is not a record. */
export function parseRecord(record: string): LineRow | string {
  if (!PRINTABLE.test(record)) return 'it has a control or non-ASCII character';
  if (record.length < HEADER + 1) return `it is ${record.length} characters, shorter than any record`;
  const stamp = record.slice(0, TIMESTAMP);
  if (!/^\d{12}$/.test(stamp)) return `it starts ${JSON.stringify(stamp)}, not a YYYYMMDDHHMM time`;
  const kind = record[TIMESTAMP];
  if (kind !== 'L' && kind !== 'R') return `its action is ${JSON.stringify(kind)}, expected L or R`;
  const item = record.slice(HEADER, RECORD).trimEnd();
  if (item === '' || item.includes(' ')) return 'its item field is empty or holds a space';
  const rest = record.slice(RECORD);
  if (kind === 'L') {
    if (record.length <= RECORD || rest === '' || rest.includes(' ')) return 'a loan without a patron';
    return { stamp, kind, item, patron: rest, record };
  }
  if (rest.trim() !== '') return 'a return with text after the item field';
  return { stamp, kind, item, patron: null, record };
}
