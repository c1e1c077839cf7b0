import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import {
  chooseGlyphs,
  CONSOLE_EXTRA,
  CONSOLE_GLYPHS,
  consoleSafe,
  foldForConsole,
  UNICODE_GLYPHS,
} from '../../src/tui/glyphs.js';

/** Bytes 0x80–0xFF of code page 437 (the kernel's built-in console font), as Python's cp437 codec gives them. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** The code points Lat15-Fixed16 (Debian's default console font) shows, from its own Unicode table. */
function lat15(): Set<number> {
  const file = path.join(import.meta.dirname, '../fixtures/console-font/Lat15-Fixed16.unicode.txt');
  const codes = new Set<number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [first, last = first] = line.split('-').map((h) => parseInt(h, 16));
    for (let c = first!; c <= last!; c++) codes.add(c);
  }
  return codes;
}

const glyphStrings = (g: typeof UNICODE_GLYPHS) =>
  Object.entries(g)
    .filter(([key]) => key !== 'name' && key !== 'border')
    .map(([, value]) => value as string);

/** Ink's `single` border (cli-boxes): the only box style the console set uses. */
const SINGLE_BORDER = '┌─┐│┘└';

describe('chooseGlyphs', () => {
  it('gives the console set on the Linux console, DEC terminals, dumb and an unset TERM', () => {
    for (const term of [
      'linux',
      'linux-16color',
      'LINUX',
      'vt100',
      'vt220',
      'vt102',
      'dumb',
      '',
      ' ',
      undefined,
    ])
      expect(chooseGlyphs('auto', term).name, String(term)).toBe('console');
  });

  it('gives Unicode on the terminals that draw it', () => {
    for (const term of [
      'xterm',
      'xterm-256color',
      'screen',
      'tmux-256color',
      'rxvt-unicode',
      'alacritty',
      'linuxish',
    ])
      expect(chooseGlyphs('auto', term).name, term).toBe('unicode');
  });

  it('takes screen.glyphs from config: "auto" by default, a wrong value refused in plain words', () => {
    const ok = validateConfig({});
    expect('config' in ok && ok.config.screen.glyphs).toBe('auto');
    expect(validateConfig({ screen: { glyphs: 'emoji' } })).toEqual({
      problems: ['screen.glyphs: expected one of "auto", "unicode", "ascii", got "emoji"'],
    });
  });

  it('follows the config switch whatever TERM says', () => {
    expect(chooseGlyphs('ascii', 'xterm-256color')).toBe(CONSOLE_GLYPHS);
    expect(chooseGlyphs('unicode', 'linux')).toBe(UNICODE_GLYPHS);
  });
});

describe('the console set', () => {
  const font = lat15();

  it('keeps to characters both the CP437 font and Lat15-Fixed16 have', () => {
    for (const char of CONSOLE_EXTRA) {
      expect(CP437_HIGH, `U+${char.codePointAt(0)!.toString(16)} in CP437`).toContain(char);
      expect(font.has(char.codePointAt(0)!), `U+${char.codePointAt(0)!.toString(16)} in Lat15`).toBe(true);
    }
    for (let c = 0x20; c <= 0x7e; c++) expect(font.has(c)).toBe(true);
  });

  it('knows why it exists: the fonts lack ✓ (and CP437 lacks ✗ and the rounded corners)', () => {
    expect(font.has('✓'.codePointAt(0)!)).toBe(false);
    for (const char of '✓✗╭╮╰╯') expect(CP437_HIGH).not.toContain(char);
    for (const char of '✓✗→←•…—╭╮╰╯') expect(consoleSafe(char), char).toBe(false);
  });

  it('draws every symbol and its border with safe characters only', () => {
    for (const text of glyphStrings(CONSOLE_GLYPHS)) expect([...text].every(consoleSafe), text).toBe(true);
    expect(CONSOLE_GLYPHS.border).toBe('single');
    expect([...SINGLE_BORDER].every(consoleSafe)).toBe(true);
    expect(CONSOLE_GLYPHS.ellipsis).toHaveLength(1);
  });
});

describe('foldForConsole', () => {
  it('turns each Unicode symbol into a safe stand-in of the same width', () => {
    const unicode = glyphStrings(UNICODE_GLYPHS).join('');
    const folded = foldForConsole(unicode);
    expect([...folded].every(consoleSafe)).toBe(true);
    expect([...folded]).toHaveLength([...unicode].length);
    expect(foldForConsole('✓ Loaned  3123…0016 — card ••••0018 · ╭─╮')).toBe(
      '+ Loaned  3123~0016 - card ****0018 · ┌─┐',
    );
  });

  it('keeps ASCII, ANSI escapes, Latin-1 letters the fonts have and box drawing as they are', () => {
    const line = '\x1b[1m\x1b[32mÉtagère 3 · façade\x1b[39m\x1b[22m │ █';
    expect(foldForConsole(line)).toBe(line);
  });

  it('keeps the columns Ink measured: a wide character becomes two, a combining mark none', () => {
    expect(foldForConsole('图书 ok')).toBe('???? ok');
    expect(foldForConsole('e\u0301 ok')).toBe('e ok');
    expect(foldForConsole('Łódź')).toBe('?ód?');
  });
});
