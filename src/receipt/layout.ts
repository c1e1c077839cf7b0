/**
 * The receipt's content as lines of text, the one layout both the printer and `offcirc receipt preview`
 * use: header, station, date and time, the masked card, each item with its action and provisional due
 * date, the count, footer. Pure; O(n) in the receipt's text. Every line is at most `width` characters of
 * CP437 (cp437.ts): what can't print is "?", long words are broken, never cut off.
 */
import { maskPatron } from '../kiosk/events.js';
import { printable } from './cp437.js';

export interface ReceiptItem {
  kind: 'loan' | 'return';
  item: string;
  /** Milliseconds since the epoch: when it was written. */
  at: number;
  /** A loan's provisional due date (ms since the epoch), where the kiosk gave one. */
  due?: number;
}

export interface ReceiptContent {
  station: string;
  /** When the receipt is made (ms since the epoch), printed in local time. */
  at: number;
  /** The patron of a loan session (unmasked: masked here); none for returns. */
  patron?: string;
  items: ReceiptItem[];
  header: readonly string[];
  footer: readonly string[];
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** "Tue 15 Dec 2026": the same in every locale, unambiguous where 12/01 is not. */
export function receiptDate(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** "14:02" in local time. */
export function receiptTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The card as the screen masks it (maskPatron); "*" because CP437's bullet is a control byte. */
export const maskCard = (patron: string): string => maskPatron(patron, '*');

/**
 * Wraps `text` into lines of at most `width` characters, the first starting with `lead` and the others
 * with `indent`: at spaces where it can, a word longer than the line broken at the width. Never returns an
 * empty list (an empty text is one line).
 */
export function wrap(text: string, width: number, indent = '', lead = ''): string[] {
  const chars = (s: string) => [...s].length;
  const lines: string[] = [];
  let line = '';
  const prefix = () => (lines.length === 0 ? lead : indent);
  const room = () => width - chars(prefix());
  const push = () => {
    lines.push(prefix() + line);
    line = '';
  };
  for (const word of printable(text).split(' ')) {
    if (line !== '' && chars(line) + 1 + chars(word) <= room()) {
      line += ` ${word}`;
      continue;
    }
    if (line !== '') push();
    // A word that doesn't fit on a line of its own is broken at the width.
    let rest = [...word];
    while (rest.length > room()) {
      line = rest.slice(0, room()).join('');
      rest = rest.slice(room());
      push();
    }
    line = rest.join('');
  }
  if (line !== '' || lines.length === 0) push();
  return lines;
}

/** `text` centred in `width` (wrapped first when longer). */
function centred(text: string, width: number): string[] {
  return wrap(text, width).map((line) => {
    const pad = Math.floor((width - [...line].length) / 2);
    return ' '.repeat(pad) + line;
  });
}

/** Left and right on one line when both fit, else one under the other. */
function spread(left: string, right: string, width: number): string[] {
  const l = printable(left);
  const r = printable(right);
  const gap = width - [...l].length - [...r].length;
  return gap >= 1 ? [l + ' '.repeat(gap) + r] : [...wrap(l, width), ...wrap(r, width)];
}

/** The receipt as lines, each at most `width` characters (24–80) that CP437 prints. */
export function layoutReceipt(content: ReceiptContent, width: number): string[] {
  if (!Number.isInteger(width) || width < 24 || width > 80)
    throw new RangeError(`receipt width must be a whole number from 24 to 80, got ${width}`);
  const rule = '-'.repeat(width);
  const lines: string[] = [];
  for (const line of content.header) lines.push(...centred(line, width));
  if (content.header.length > 0) lines.push('');
  lines.push(...spread(receiptDate(content.at), receiptTime(content.at), width));
  lines.push(...wrap(`Station: ${content.station}`, width, '  '));
  if (content.patron !== undefined) lines.push(...wrap(`Card: ${maskCard(content.patron)}`, width, '  '));
  lines.push(rule);
  for (const item of content.items) {
    lines.push(...wrap(`${item.kind === 'loan' ? 'Loan' : 'Return'}  ${item.item}`, width, '      '));
    if (item.kind === 'loan' && item.due !== undefined)
      lines.push(
        ...wrap(`due about ${receiptDate(item.due)} (the library system confirms it)`, width, '  ', '  '),
      );
  }
  if (content.items.length > 0) lines.push(rule);
  lines.push(...wrap(count(content.items), width));
  if (content.footer.length > 0) lines.push('');
  for (const line of content.footer) lines.push(...centred(line, width));
  return lines;
}

/** "2 items borrowed", "1 item returned", or both. */
function count(items: readonly ReceiptItem[]): string {
  const loans = items.filter((i) => i.kind === 'loan').length;
  const returns = items.length - loans;
  const n = (k: number) => `${k} item${k === 1 ? '' : 's'}`;
  const parts = [
    ...(loans > 0 || returns === 0 ? [`${n(loans)} borrowed`] : []),
    ...(returns > 0 ? [`${n(returns)} returned`] : []),
  ];
  return parts.join(', ');
}
