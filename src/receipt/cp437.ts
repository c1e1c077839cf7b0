/**
 * What a receipt can print: the characters of code page 437 (the code page most ESC/POS printers start
 * in) that are not control bytes. Everything else becomes "?" here, one "?" per character, so a line's
 * length in characters is its width on paper. The table is read once from the encoder's own code page
 * data (256 entries); `printable` then costs O(n) in the text's length.
 */
import CodepageEncoder from '@point-of-sale/codepage-encoder';

/**
 * The characters that print: CP437 bytes 0x20–0x7E and 0x80–0xFF. Bytes below 0x20 and 0x7F are left
 * out although CP437 draws glyphs there (☺, ►, ⌂): a printer takes them as commands (0x10 is DLE).
 */
const PRINTABLE: ReadonlySet<number> = new Set(
  CodepageEncoder.getCodepoints('cp437', true).filter(
    (_, byte) => (byte >= 0x20 && byte < 0x7f) || byte >= 0x80,
  ),
);

/** Typographic characters a header is likely to hold, as the nearest one CP437 has. */
const NEAREST: Readonly<Record<string, string>> = {
  '\u2013': '-',
  '\u2014': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u00a0': ' ',
};

/** `text` with every character CP437 can't print as its nearest ("–" as "-") or "?"; one code point in, one out. */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const near = NEAREST[char] ?? char;
    out += PRINTABLE.has(near.codePointAt(0) ?? 0) ? near : '?';
  }
  return out;
}

/** Whether every character of `text` prints as itself. */
export function isPrintable(text: string): boolean {
  for (const char of text) if (!PRINTABLE.has(char.codePointAt(0) ?? 0)) return false;
  return true;
}
