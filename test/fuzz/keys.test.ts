/**
 * Typed key sequences through the screen's key parser: named keys typed in any of the encodings terminals
 * use, split anywhere across reads, parse back to exactly those keys; any input at all never throws, and
 * never yields more actions than it had characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyParser, type FunctionKey, type KeyAction } from '../../src/tui/keys.js';
import { fuzzRuns } from './runs.js';

const ESC = '\x1b';
const TILDE: Record<FunctionKey, string> = {
  F1: '11',
  F2: '12',
  F3: '13',
  F4: '14',
  F5: '15',
  F6: '17',
  F7: '18',
  F8: '19',
  F9: '20',
  F10: '21',
  F11: '23',
  F12: '24',
};
const PQRS: Partial<Record<FunctionKey, string>> = { F1: 'P', F2: 'Q', F3: 'R', F4: 'S' };
const CONSOLE: Partial<Record<FunctionKey, string>> = { F1: 'A', F2: 'B', F3: 'C', F4: 'D', F5: 'E' };

/** Every way a terminal sends this function key (xterm, VT220, rxvt, Linux console, with modifiers). */
function encodings(key: FunctionKey): string[] {
  const n = TILDE[key];
  const forms = [
    `${ESC}[${n}~`,
    `${ESC}[${n};2~`,
    `${ESC}[${n};5~`,
    `${ESC}[${n}^`,
    `${ESC}[${n}$`,
    `${ESC}[${n}@`,
  ];
  const letter = PQRS[key];
  if (letter) forms.push(`${ESC}O${letter}`, `${ESC}[1;2${letter}`, `${ESC}O2${letter}`);
  const console = CONSOLE[key];
  if (console) forms.push(`${ESC}[[${console}`);
  return forms;
}

const functionKey = fc
  .constantFrom(...(Object.keys(TILDE) as FunctionKey[]))
  .chain((key) =>
    fc
      .constantFrom(...encodings(key))
      .map((typed) => ({ typed, action: { type: 'function', key } as KeyAction })),
  );
const printable = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('é', 'ß', '€', '😀', '中'),
  )
  .map((char) => ({ typed: char, action: { type: 'char', char } as KeyAction }));
const named = fc.oneof(
  fc.constantFrom('\r', '\r\n').map((typed) => ({ typed, action: { type: 'enter' } as KeyAction })),
  fc.constantFrom('\x7f', '\b').map((typed) => ({ typed, action: { type: 'backspace' } as KeyAction })),
);
const key = fc.oneof(functionKey, printable, named);

/** Splits text at the given fractions (code units: a surrogate pair may be split too). */
function split(text: string, fractions: number[]): string[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = 0;
  for (const p of [...points, text.length]) {
    parts.push(text.slice(start, p));
    start = p;
  }
  return parts;
}
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 });

describe('fuzz: typed key sequences', () => {
  it('keys typed in any terminal encoding, split across reads anywhere, parse back to those keys', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 30 }), cuts, (keys, fractions) => {
        const parser = new KeyParser();
        const text = keys.map((k) => k.typed).join('');
        const actions = split(text, fractions).flatMap((chunk) => parser.push(chunk));
        actions.push(...parser.flushPending());
        expect(actions).toEqual(keys.map((k) => k.action));
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any input: never throws, at most one action per character, chars are single printable characters', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(ESC, '[', 'O', '~', '\r', '\n', ';', '1'),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
          maxLength: 200,
        }),
        cuts,
        (text, fractions) => {
          const parser = new KeyParser();
          const actions = split(text, fractions).flatMap((chunk) => parser.push(chunk));
          actions.push(...parser.flushPending());
          expect(parser.hasPending()).toBe(false);
          expect(actions.length).toBeLessThanOrEqual(text.length);
          for (const action of actions) {
            if (action.type === 'char') {
              expect([...action.char]).toHaveLength(1);
              const c = action.char.codePointAt(0) ?? 0;
              expect(c < 0x20 || (c >= 0x7f && c <= 0x9f)).toBe(false);
            }
            if (action.type === 'ignored') expect(action.sequence.length).toBeLessThanOrEqual(34);
          }
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
