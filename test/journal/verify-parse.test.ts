import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LineSplitter,
  MAX_KEPT_LINE,
  lineFacts,
  stampValue,
  type SeenEnding,
} from '../../src/journal/parse.js';
import { sniffBinary } from '../../src/journal/sniff.js';

interface Seen {
  text: string;
  length: number;
  ending: SeenEnding;
  offset: number;
}

/** Runs bytes through a LineSplitter in the given chunk sizes (cycled) and collects what it saw. */
function split(bytes: Uint8Array, sizes: number[] = [bytes.length || 1], maxKept?: number): Seen[] {
  const seen: Seen[] = [];
  const splitter = new LineSplitter((content, length, ending, offset) => {
    seen.push({ text: Buffer.from(content).toString('latin1'), length, ending, offset });
  }, maxKept);
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    // A fresh copy each time, then scribbled over: the splitter must not keep views into old chunks.
    const chunk = Uint8Array.from(bytes.subarray(at, at + size));
    splitter.push(chunk);
    chunk.fill(0x58);
    at += size;
  }
  splitter.end();
  return seen;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('LineSplitter', () => {
  it('tells CRLF from LF and reports a last line without ending as none', () => {
    expect(split(bytes('ab\r\ncd\nef'))).toEqual([
      { text: 'ab', length: 2, ending: 'crlf', offset: 0 },
      { text: 'cd', length: 2, ending: 'lf', offset: 4 },
      { text: 'ef', length: 2, ending: 'none', offset: 7 },
    ]);
  });

  it('gives empty lines and no line at all for an empty stream', () => {
    expect(split(bytes('\n\r\n'))).toEqual([
      { text: '', length: 0, ending: 'lf', offset: 0 },
      { text: '', length: 0, ending: 'crlf', offset: 1 },
    ]);
    expect(split(new Uint8Array(0))).toEqual([]);
  });

  it('keeps a CR that is not before LF inside the line (a bare CR)', () => {
    expect(split(bytes('a\rb\r\n'))).toEqual([{ text: 'a\rb', length: 3, ending: 'crlf', offset: 0 }]);
    expect(split(bytes('ab\r'))).toEqual([{ text: 'ab\r', length: 3, ending: 'none', offset: 0 }]);
  });

  it('sees CRLF when the CR ends one chunk and the LF starts the next', () => {
    expect(split(bytes('abc\r\nd\n'), [4, 10])).toEqual([
      { text: 'abc', length: 3, ending: 'crlf', offset: 0 },
      { text: 'd', length: 1, ending: 'lf', offset: 5 },
    ]);
  });

  it('cuts a line longer than it keeps but reports its real length', () => {
    const long = 'A'.repeat(MAX_KEPT_LINE * 3);
    const seen = split(bytes(`${long}\r\nok\n`), [100]);
    expect(seen[0]?.length).toBe(MAX_KEPT_LINE * 3);
    expect(seen[0]?.text).toBe('A'.repeat(MAX_KEPT_LINE));
    expect(seen[0]?.ending).toBe('crlf');
    expect(seen[1]).toEqual({ text: 'ok', length: 2, ending: 'lf', offset: MAX_KEPT_LINE * 3 + 2 });
  });

  it('sees the same lines whatever the chunking (property)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\r', '\xe9'), maxLength: 12 });
    const ending = fc.constantFrom('\n', '\r\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, ending), { maxLength: 20 }),
        fc.option(line),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        (lines, tail, sizes) => {
          const text = lines.map(([l, e]) => l + e).join('') + (tail ?? '');
          const whole = split(bytes(text), [text.length || 1], 8);
          const chunked = split(bytes(text), sizes, 8);
          expect(chunked).toEqual(whole);
          const expected = lines.map(([l, e]) => ({
            text: (e === '\n' && l.endsWith('\r') ? l.slice(0, -1) : l).slice(0, 8),
            ending: e === '\n' && !l.endsWith('\r') ? 'lf' : 'crlf',
          }));
          if (tail) expected.push({ text: tail.slice(0, 8), ending: 'none' });
          expect(whole.map(({ text: t, ending: e }) => ({ text: t, ending: e }))).toEqual(expected);
        },
      ),
    );
  });
});

describe('lineFacts and stampValue', () => {
  it('reads the four facts of a loan and of a return', () => {
    const loanLine = bytes(`202611301402L${'31234000000016'.padEnd(80)}21234000000018`);
    expect(lineFacts(loanLine)).toEqual({
      time: '202611301402',
      action: 'L',
      item: '31234000000016',
      patron: '21234000000018',
    });
    expect(lineFacts(bytes(`202611301403R${'31234000000016'.padEnd(80)}`))).toEqual({
      time: '202611301403',
      action: 'R',
      item: '31234000000016',
      patron: '',
    });
    expect(stampValue(loanLine)).toBe(202611301402);
  });
});

describe('sniffBinary', () => {
  it('names the files staff pick by mistake', () => {
    expect(sniffBinary(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('a JPEG image');
    expect(sniffBinary(bytes('%PDF-1.7\n'))).toBe('a PDF document');
    expect(sniffBinary(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]))).toMatch(/ZIP.*xlsx/);
    expect(sniffBinary(Uint8Array.from([0xff, 0xfe, 0x32, 0x00]))).toMatch(/UTF-16/);
    expect(sniffBinary(bytes('abc\0def'))).toMatch(/NUL/);
    expect(sniffBinary(Uint8Array.from({ length: 100 }, (_, i) => 0x80 + i))).toMatch(/not text/);
  });

  it('lets text through, even text with a few wrong bytes, for the line checks to report', () => {
    expect(sniffBinary(bytes(`202611301402L${'3123'.padEnd(80)}21234\r\n`))).toBeUndefined();
    expect(sniffBinary(bytes('\xef\xbb\xbf202611301402L3123 caf\xc3\xa9\r\n'))).toBeUndefined();
    expect(sniffBinary(new Uint8Array(0))).toBeUndefined();
    // Zeros after a good first line: a crash's zero-filled tail, for the line checks to place.
    const crashed = Buffer.concat([bytes(`202611301402R${'3123'.padEnd(80)}\r\n`), Buffer.alloc(400)]);
    expect(sniffBinary(crashed)).toBeUndefined();
  });
});
