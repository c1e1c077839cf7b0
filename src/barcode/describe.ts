/**
 * The one place raw scan text is rendered. A scanner can send escape sequences, megabytes of noise, or a
 * patron's card number, so:
 * - describeScan escapes the text (printable ASCII kept, the rest as \xNN) and caps its length, for the
 *   screen and for item barcodes in messages; O(min(n, maxChars));
 * - describeInput / describeContent say what arrived without saying what it was (length, character
 *   classes, at most the first two characters), for every log line, warning, event and error that may
 *   carry a card number (a log is kept for weeks); O(n), one pass.
 */

/**
 * `text` with printable ASCII kept, `\` doubled and anything else shown as \xNN (or \u{…} above 0xFF),
 * so the output is unambiguous; cut after `maxChars` characters, saying the full length (in UTF-16 units).
 */
export function describeScan(text: string, maxChars = 64): string {
  let out = '';
  let shown = 0;
  let cut = false;
  for (const char of text) {
    if (shown === maxChars) {
      cut = true;
      break;
    }
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
    shown++;
  }
  return cut ? `${out}... (length ${text.length})` : out;
}

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
    start: describeScan(first),
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
