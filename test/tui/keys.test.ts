import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyParser, type FunctionKey, type KeyAction } from '../../src/tui/keys.js';

/** Parses one whole input, flushing at the end as the screen does after a short silence. */
function parse(...chunks: string[]): KeyAction[] {
  const parser = new KeyParser();
  const actions = chunks.flatMap((chunk) => parser.push(chunk));
  return [...actions, ...parser.flushPending()];
}

const f = (key: FunctionKey): KeyAction => ({ type: 'function', key });
const ch = (char: string): KeyAction => ({ type: 'char', char });
const ENTER: KeyAction = { type: 'enter' };
const ignored = (sequence: string): KeyAction => ({ type: 'ignored', sequence });

const keys: FunctionKey[] = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12'];

/** Every sequence the parser claims to know, with the key it names. */
const claimed: [string, FunctionKey][] = [
  // xterm
  ['\x1bOP', 'F1'],
  ['\x1bOQ', 'F2'],
  ['\x1bOR', 'F3'],
  ['\x1bOS', 'F4'],
  ['\x1b[15~', 'F5'],
  ['\x1b[17~', 'F6'],
  ['\x1b[18~', 'F7'],
  ['\x1b[19~', 'F8'],
  ['\x1b[20~', 'F9'],
  ['\x1b[21~', 'F10'],
  ['\x1b[23~', 'F11'],
  ['\x1b[24~', 'F12'],
  // VT220 / rxvt
  ['\x1b[11~', 'F1'],
  ['\x1b[12~', 'F2'],
  ['\x1b[13~', 'F3'],
  ['\x1b[14~', 'F4'],
  // Linux console
  ['\x1b[[A', 'F1'],
  ['\x1b[[B', 'F2'],
  ['\x1b[[C', 'F3'],
  ['\x1b[[D', 'F4'],
  ['\x1b[[E', 'F5'],
  // modifier variants: the same key
  ['\x1b[1;2P', 'F1'],
  ['\x1b[1;5Q', 'F2'],
  ['\x1b[1;3R', 'F3'],
  ['\x1b[1;8S', 'F4'],
  ['\x1b[15;5~', 'F5'],
  ['\x1b[21;2~', 'F10'],
  ['\x1b[24;7~', 'F12'],
  ['\x1bO2P', 'F1'],
  ['\x1bO5S', 'F4'],
  ['\x1b[11^', 'F1'],
  ['\x1b[21$', 'F10'],
  ['\x1b[13@', 'F3'],
];

describe('KeyParser: function keys', () => {
  it.each(claimed)('%j is %s', (sequence, key) => {
    expect(parse(sequence)).toEqual([f(key)]);
  });

  it('knows all twelve keys in the xterm form', () => {
    const xterm = [
      '\x1bOP',
      '\x1bOQ',
      '\x1bOR',
      '\x1bOS',
      ...[15, 17, 18, 19, 20, 21, 23, 24].map((n) => `\x1b[${n}~`),
    ];
    expect(parse(xterm.join(''))).toEqual(keys.map(f));
  });

  it.each(claimed)('%j still parses when split at every point', (sequence, key) => {
    for (let at = 1; at < sequence.length; at++) {
      const parser = new KeyParser();
      const first = parser.push(sequence.slice(0, at));
      expect(first, `split at ${at}`).toEqual([]);
      expect(parser.hasPending()).toBe(true);
      expect(parser.push(sequence.slice(at)), `split at ${at}`).toEqual([f(key)]);
      expect(parser.hasPending()).toBe(false);
    }
  });

  it('reads a sequence split one character per read', () => {
    const parser = new KeyParser();
    const actions = [...'\x1b[21;5~'].flatMap((c) => parser.push(c));
    expect(actions).toEqual([f('F10')]);
  });
});

describe('KeyParser: text, Enter, Backspace', () => {
  it('gives printable characters one by one, including non-ASCII and astral ones', () => {
    expect(parse('a1 -é€😀')).toEqual(['a', '1', ' ', '-', 'é', '€', '😀'].map(ch));
  });

  it('reads CR, LF and CRLF as one Enter each, even with CRLF split across reads', () => {
    expect(parse('1\r2\n3\r\n4')).toEqual([ch('1'), ENTER, ch('2'), ENTER, ch('3'), ENTER, ch('4')]);
    expect(parse('9\r', '\n8')).toEqual([ch('9'), ENTER, ch('8')]);
    expect(parse('\r\r\n\n')).toEqual([ENTER, ENTER, ENTER]);
    expect(parse('\n\r')).toEqual([ENTER, ENTER]);
  });

  it('reads DEL and Ctrl-H as Backspace', () => {
    expect(parse('\x7f\b')).toEqual([{ type: 'backspace' }, { type: 'backspace' }]);
  });

  it('ignores control characters: Ctrl-C, Ctrl-Z, Ctrl-\\, Ctrl-D, Tab, NUL, C1 controls', () => {
    for (const c of ['\x03', '\x1a', '\x1c', '\x04', '\t', '\x00', '\x85', '\x9b']) {
      expect(parse(c), JSON.stringify(c)).toEqual([ignored(c)]);
    }
  });

  it('keeps a keyboard-wedge scan with its suffix intact around ignored noise', () => {
    expect(parse('3123\x034000\x1b[A016\r\n')).toEqual([
      ...'3123'.split('').map(ch),
      ignored('\x03'),
      ...'4000'.split('').map(ch),
      ignored('\x1b[A'),
      ...'016'.split('').map(ch),
      ENTER,
    ]);
  });

  it('ignores a broken surrogate and keeps a split surrogate pair', () => {
    expect(parse('\ud83d')).toEqual([ignored('\ud83d')]);
    expect(parse('\ude00a')).toEqual([ignored('\ude00'), ch('a')]);
    expect(parse('\ud83dx')).toEqual([ignored('\ud83d'), ch('x')]);
    expect(parse('\ud83d', '\ude00')).toEqual([ch('😀')]);
  });
});

describe('KeyParser: Escape and other sequences', () => {
  it('emits a lone Escape only when flushed or when the next read shows it is no sequence', () => {
    const parser = new KeyParser();
    expect(parser.push('\x1b')).toEqual([]);
    expect(parser.hasPending()).toBe(true);
    expect(parser.flushPending()).toEqual([{ type: 'escape' }]);
    expect(parser.hasPending()).toBe(false);
    expect(parser.flushPending()).toEqual([]);

    expect(parse('\x1b', '\r')).toEqual([{ type: 'escape' }, ENTER]);
    expect(parse('\x1b\x1b')).toEqual([{ type: 'escape' }, { type: 'escape' }]);
    expect(parse('\x1b\x1bOP')).toEqual([{ type: 'escape' }, f('F1')]);
  });

  it('ignores Alt+key as one action, so it types nothing', () => {
    expect(parse('\x1bx')).toEqual([ignored('\x1bx')]);
    expect(parse('\x1b😀')).toEqual([ignored('\x1b😀')]);
  });

  it('consumes arrows, editing keys, mouse, paste markers and kitty keys whole, and ignores them', () => {
    for (const seq of [
      '\x1b[A',
      '\x1b[1;5C',
      '\x1bOA',
      '\x1bOM',
      '\x1b[3~',
      '\x1b[5~',
      '\x1b[16~',
      '\x1b[22~',
      '\x1b[25~',
      '\x1b[200~',
      '\x1b[<0;10;5M',
      '\x1b[97;5u',
      '\x1b[?1;2c',
      '\x1b[[F',
      '\x1b[[5~',
      '\x1b[2P',
      '\x1b[1 P',
    ]) {
      expect(parse(`${seq}z`), JSON.stringify(seq)).toEqual([ignored(seq), ch('z')]);
    }
  });

  it('cuts malformed sequences at the first byte that cannot belong and reads that byte again', () => {
    expect(parse('\x1b[12\r')).toEqual([ignored('\x1b[12'), ENTER]);
    expect(parse('\x1bO\x03')).toEqual([ignored('\x1bO'), ignored('\x03')]);
    expect(parse('\x1b[1é')).toEqual([ignored('\x1b[1'), ch('é')]);
  });

  it('ignores an unfinished sequence when flushed', () => {
    expect(parse('\x1b[21;')).toEqual([ignored('\x1b[21;')]);
    expect(parse('\x1bO')).toEqual([ignored('\x1bO')]);
    expect(parse('\x1b[[')).toEqual([ignored('\x1b[[')]);
  });

  it('never holds more than a short sequence pending, whatever garbage arrives', () => {
    const parser = new KeyParser();
    const garbage = `\x1b[${'1;'.repeat(5000)}`.repeat(3);
    const actions = parser.push(garbage);
    const cut = actions.filter((a) => a.type === 'ignored');
    expect(cut.length).toBe(3);
    expect(cut.every((a) => a.type === 'ignored' && a.sequence.length === 32)).toBe(true);
    // What follows a cut is read as the text it is, never swallowed into one endless sequence.
    expect(actions.filter((a) => a.type === 'char').length).toBe(garbage.length - 3 * 32);
    expect(parser.hasPending()).toBe(false);
    expect(parser.push('\x1b[' + '9'.repeat(100))).toHaveLength(1 + 100 - 30);
  });
});

/** Splits text at the given (sorted, deduplicated) cut points. */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(text.slice(from, p));
    from = p;
  }
  chunks.push(text.slice(from));
  return chunks;
}

const token = fc.oneof(
  fc.constantFrom(...claimed.map(([s]) => s)),
  fc.constantFrom(
    '\r',
    '\r\n',
    '\x7f',
    '\b',
    '\x03',
    '\x1a',
    '\x1c',
    '\t',
    '\x1b[A',
    '\x1b[<0;1;2M',
    '\x1bx',
  ),
  fc.constantFrom(...'0123456789ABCDabcd ]-é😀'),
);

describe('KeyParser: properties', () => {
  it('gives the same actions however a stream of sequences is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (tokens, cuts) => {
          const text = tokens.join('');
          expect(parse(...chunked(text, cuts))).toEqual(parse(text));
        },
      ),
    );
  });

  it('reads a stream of known tokens as the tokens read one by one', () => {
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (tokens, cuts) => {
          const expected = tokens.flatMap((t) => parse(t));
          expect(parse(...chunked(tokens.join(''), cuts))).toEqual(expected);
        },
      ),
    );
  });

  it('never throws and is chunking-independent on arbitrary input, control bytes included', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\x1b', '[', 'O', ';', '~', '\r', '\n'),
            fc.string({ unit: 'binary', maxLength: 1 }),
          ),
          maxLength: 60,
        }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (text, cuts) => {
          expect(parse(...chunked(text, cuts))).toEqual(parse(text));
        },
      ),
    );
  });
});
