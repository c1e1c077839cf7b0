/**
 * Says what arrived from a scanner without saying what it was: its length, its character classes and at
 * most its first two characters. Every device warning and every logged rejection describes input this way,
 * because a fragment, a noise run or a rejected scan may be a patron's card number, and a log is kept for
 * weeks. (`describeScan` in barcode/ escapes the text but still shows it: that is for the screen.)
 * O(n) in the text, one pass.
 */

/** How many characters to show: enough to tell a patron card (`2…`) from an item (`3…`) or noise. */
const SHOWN = 2;

export interface InputShape {
  length: number;
  digits: number;
  /** ASCII letters only: a non-ASCII letter from a scanner is line noise or a wrong code page. */
  letters: number;
  other: number;
  /** The first two characters (code points) at most, control and non-ASCII characters escaped. */
  start: string;
}

export function inputShape(text: string): InputShape {
  let digits = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
  }
  // Cut by code point, so half of a surrogate pair is never shown as if it were a character.
  const first = Array.from(text.slice(0, SHOWN * 2))
    .slice(0, SHOWN)
    .join('');
  return {
    length: text.length,
    digits,
    letters,
    other: text.length - digits - letters,
    start: visible(first, 4),
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The classes and start of `text`: `14 digits, starting "21"`; `nothing` for empty text. */
export function describeContent(text: string): string {
  const shape = inputShape(text);
  if (shape.length === 0) return 'nothing';
  const classes = [
    shape.digits > 0 ? plural(shape.digits, 'digit') : '',
    shape.letters > 0 ? plural(shape.letters, 'letter') : '',
    shape.other > 0 ? `${shape.other} other` : '',
  ].filter(Boolean);
  return `${classes.join(', ')}, starting "${shape.start}"`;
}

/** `14 characters (14 digits, starting "21")`; `unit` names what was counted (bytes, for serial input). */
export function describeInput(text: string, unit: 'character' | 'byte' = 'character'): string {
  return text.length === 0 ? `0 ${unit}s` : `${plural(text.length, unit)} (${describeContent(text)})`;
}

/**
 * Shows text with control and non-ASCII characters escaped (\r, \x00, \xe9), cut to `max` characters.
 * For text that is not a scan (a config value, a path); a scan is described with describeInput().
 */
export function visible(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const shown = cut.replace(/[^\x20-\x7e]/g, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `${shown}…` : shown;
}
