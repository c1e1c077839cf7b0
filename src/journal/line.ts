/**
 * Alma's OffCirc.dat record (FORMATS.md §1), byte for byte: pure, O(item + patron) per line.
 * Anything that can't be represented exactly is refused with a plain reason, never truncated or mangled.
 */
import { describeInput } from '../barcode/describe.js';
import { ITEM_FIELD } from '../barcode/limits.js';
import type { Transaction } from '../kiosk/events.js';

/** Characters of `YYYYMMDDHHMM`. */
export const TIMESTAMP = 12;
/** Timestamp + the `L`/`R` action letter: where the item field starts. */
export const HEADER = 13;
/** Width of the item field: the barcode right-padded with spaces. */
export { ITEM_FIELD };
/** Length of every record before the patron ID and the line ending (a return line is exactly this). */
export const RECORD = HEADER + ITEM_FIELD;

export type LineEnding = 'crlf' | 'lf';
export const LINE_ENDINGS: Readonly<Record<LineEnding, string>> = { crlf: '\r\n', lf: '\n' };

/** Printable ASCII without the space: a space in a field could not be told from the padding. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/** Shows an offending value in an error message: escaped, so control bytes are visible, and short. */
function show(value: string): string {
  const text = JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > 50 ? `${text.slice(0, 47)}..."` : text;
}

/** Why an item barcode can't go into the item field, or undefined if it can (for scan-time checks). */
export function itemProblem(item: string): string | undefined {
  if (typeof item !== 'string' || item.length === 0) return 'the item barcode is empty';
  if (item.length > ITEM_FIELD)
    return `the item barcode ${show(item)} is ${item.length} characters; OffCirc.dat holds at most ${ITEM_FIELD}`;
  if (!PRINTABLE.test(item))
    return `the item barcode ${show(item)} has a space, control or non-ASCII character; OffCirc.dat takes printable ASCII only`;
  return undefined;
}

/** Why a patron ID can't follow a loan record, or undefined if it can (for scan-time checks). */
export function patronProblem(patron: string): string | undefined {
  if (typeof patron !== 'string' || patron.length === 0) return 'the loan has no patron';
  if (!PRINTABLE.test(patron))
    // Described, never shown: this message may reach the log, and a patron ID is a card number.
    return `the patron ID (${describeInput(patron)}) has a space, control or non-ASCII character; OffCirc.dat takes printable ASCII only`;
  return undefined;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The station's LOCAL wall-clock time as YYYYMMDDHHMM (Alma reads it as local time). */
export function formatTimestamp(at: number): string {
  const date = new Date(at);
  const year = date.getFullYear();
  // NaN, Infinity and dates outside 4-digit years would make a 12-character field impossible.
  if (!Number.isFinite(year) || year < 0 || year > 9999)
    throw new Error(`cannot write the time ${String(at)} as YYYYMMDDHHMM`);
  return (
    String(year).padStart(4, '0') +
    two(date.getMonth() + 1) +
    two(date.getDate()) +
    two(date.getHours()) +
    two(date.getMinutes())
  );
}

/** The station's local time as YYYYMMDD-HHMMSS, for file names staff read (outbox, set-aside fragments). */
export function formatFileStamp(at: number): string {
  const d = new Date(at);
  return (
    `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-` +
    `${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`
  );
}

/**
 * One OffCirc.dat record: time, `L`/`R`, the item padded to 80, the patron (loans only), the line ending.
 * Throws an Error naming the problem if the transaction can't be written exactly.
 */
export function formatLine(tx: Transaction, lineEnding: LineEnding): string {
  const ending = LINE_ENDINGS[lineEnding];
  if (ending === undefined)
    throw new Error(`unknown line ending ${show(String(lineEnding))}, expected "crlf" or "lf"`);
  if (tx.kind !== 'loan' && tx.kind !== 'return')
    throw new Error(`unknown transaction kind ${show(String(tx.kind))}, expected "loan" or "return"`);
  const itemWrong = itemProblem(tx.item);
  if (itemWrong) throw new Error(`cannot write ${tx.kind}: ${itemWrong}`);
  let patron = '';
  if (tx.kind === 'loan') {
    const patronWrong = patronProblem(tx.patron ?? '');
    if (patronWrong) throw new Error(`cannot write loan of ${show(tx.item)}: ${patronWrong}`);
    patron = tx.patron ?? '';
  } else if (tx.patron !== undefined) {
    throw new Error(
      `cannot write return of ${show(tx.item)}: a return carries no patron, got ${show(String(tx.patron))}`,
    );
  }
  const action = tx.kind === 'loan' ? 'L' : 'R';
  return formatTimestamp(tx.at) + action + tx.item.padEnd(ITEM_FIELD, ' ') + patron + ending;
}
