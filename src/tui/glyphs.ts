/**
 * The symbols the kiosk screen draws (✓ ✗ → ← • · … — and the box style), chosen for what the terminal's
 * font can show. The Linux console (TERM=linux) has 256-glyph fonts: the kernel's built-in one is CP437,
 * Debian's console-setup loads a Lat15 one; neither has ✓, so "✓ Loaned" showed a replacement glyph there.
 * The console set keeps to characters both fonts have. O(1) to choose; fold is O(text).
 */

/** `auto` follows TERM; `unicode` and `ascii` force a set (config `screen.glyphs`). */
export type GlyphChoice = 'auto' | 'unicode' | 'ascii';

export interface Glyphs {
  name: 'unicode' | 'console';
  ok: string;
  bad: string;
  loanArrow: string;
  returnArrow: string;
  /** One typed or hidden character (PIN, typed line, masked card). */
  dot: string;
  /** Between items on one line. */
  separator: string;
  /** Before a discreet note. */
  noteMark: string;
  /** Marks text cut short. */
  ellipsis: string;
  dash: string;
  /** Ink's border style for the decision box. */
  border: 'round' | 'single';
}

export const UNICODE_GLYPHS: Glyphs = {
  name: 'unicode',
  ok: '✓',
  bad: '✗',
  loanArrow: '→',
  returnArrow: '←',
  dot: '•',
  separator: '·',
  noteMark: '·',
  ellipsis: '…',
  dash: '—',
  border: 'round',
};

export const CONSOLE_GLYPHS: Glyphs = {
  name: 'console',
  ok: 'OK',
  bad: 'X',
  loanArrow: '->',
  returnArrow: '<-',
  dot: '*',
  separator: '|',
  noteMark: '-',
  // One column, as the "…" it stands for: the layout was measured with that width.
  ellipsis: '~',
  dash: '-',
  border: 'single',
};

/**
 * Terminals whose fonts can't be trusted beyond ASCII and line drawing: the Linux and BSD consoles, the
 * DEC terminals and their emulations, and the terminal that claims nothing.
 */
const CONSOLE_TERMS = /^(linux|vt\d+|dumb|cons\d+|ansi|pcansi|wsvt\d*|sun)(-|$)/i;

/** The set for a config choice and a TERM value; an unset or empty TERM gets the console set. */
export function chooseGlyphs(choice: GlyphChoice, term: string | undefined): Glyphs {
  if (choice === 'unicode') return UNICODE_GLYPHS;
  if (choice === 'ascii') return CONSOLE_GLYPHS;
  const name = term?.trim() ?? '';
  return name === '' || CONSOLE_TERMS.test(name) ? CONSOLE_GLYPHS : UNICODE_GLYPHS;
}

/**
 * The characters beyond ASCII that both the kernel's CP437 font and Debian's Lat15 fonts have (all 29 faces
 * of console-setup-linux 1.221 were read; test/tui/glyphs.test.ts checks CP437 and Lat15-Fixed16, the
 * default). Single-line box drawing and the full block are here, so Ink's `single` border and the banner's
 * block letters stay.
 */
export const CONSOLE_EXTRA =
  '¡¢£¥ª«¬°±²µ·º»¼½¿ÄÅÆÇÉÑÖÜßàáâäåæçèéêëìíîïñòóôö÷ùúûüÿƒπⁿ≈≤≥─│┌┐└┘├┤┬┴┼═║╒╓╔╕╖╗╘╙╚╛╜╝╞╟╠╡╢╣╤╥╦╧╨╩╪╫╬█░▒■';

const CONSOLE_EXTRA_SET = new Set(CONSOLE_EXTRA);

/** Everything the console set may put on the screen: printable ASCII and CONSOLE_EXTRA. */
export function consoleSafe(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (char.length === 1 && code >= 0x20 && code <= 0x7e) || CONSOLE_EXTRA_SET.has(char);
}

/** Column-for-column stand-ins for what text from elsewhere (Ink, device messages, config) may hold. */
const STAND_INS: Record<string, string> = {
  '✓': '+',
  '✔': '+',
  '✗': 'x',
  '✘': 'x',
  '→': '>',
  '←': '<',
  '•': '*',
  '…': '~',
  '—': '-',
  '–': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '╭': '┌',
  '╮': '┐',
  '╰': '└',
  '╯': '┘',
};

// Wide (two-column) characters, roughly: CJK, Hangul, full-width forms, emoji. Each becomes "??" so the
// columns Ink measured still line up.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /^(?:\p{M}|[\u200b-\u200f\u2060])$/u;

/**
 * Folds one line of screen output to console-safe characters, column for column: known symbols to their
 * ASCII stand-ins, others to "?". ANSI escape sequences and other ASCII pass untouched.
 */
export function foldForConsole(line: string): string {
  let out = '';
  for (const char of line) {
    if (char.charCodeAt(0) < 0x80 || CONSOLE_EXTRA_SET.has(char)) out += char;
    else if (char in STAND_INS) out += STAND_INS[char];
    else if (ZERO_WIDTH.test(char)) continue;
    else out += WIDE.test(char) ? '??' : '?';
  }
  return out;
}
