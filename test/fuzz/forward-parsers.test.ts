/** The forwarder's parsers: the cursor file and a journal record never throw anything unexpected. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CursorError, formatCursor, parseCursor, type Cursor } from '../../src/forward/cursor.js';
import { parseRecord } from '../../src/forward/record.js';
import { formatLine } from '../../src/journal/line.js';
import { fuzzRuns } from './runs.js';

const cursor: fc.Arbitrary<Cursor> = fc.oneof(
  fc.record(
    {
      generation: fc.integer({ min: 0, max: 2 ** 31 }),
      line: fc.constant(0),
      file: fc.constant(null),
      since: fc.nat(),
    },
    { requiredKeys: ['generation', 'line', 'file'] },
  ),
  fc.record({
    generation: fc.integer({ min: 1, max: 2 ** 31 }),
    line: fc.nat(),
    file: fc.record({ dev: fc.nat(), ino: fc.nat(), head: fc.stringMatching(/^[0-9a-f]{64}$/) }),
  }),
);

it('a cursor round-trips; any other text is a CursorError, never another error', () => {
  fc.assert(
    fc.property(cursor, (c) => {
      expect(parseCursor(formatCursor(c))).toEqual(c);
    }),
    { numRuns: fuzzRuns() },
  );
  const mutated = cursor.chain((c) =>
    fc.tuple(fc.constant(formatCursor(c)), fc.nat(), fc.string({ maxLength: 3 })).map(([t, at, s]) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + s + t.slice(i + 1);
    }),
  );
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
      try {
        const parsed = parseCursor(text);
        // What a cursor may say: generation 0 (a first start, before a journal) only without a file, and
        // no line while no file is known.
        expect(parsed.generation).toBeGreaterThanOrEqual(0);
        expect(parsed.line).toBeGreaterThanOrEqual(0);
        if (parsed.generation === 0) expect(parsed.file).toBeNull();
        if (parsed.file === null) expect(parsed.line).toBe(0);
      } catch (error) {
        expect(error).toBeInstanceOf(CursorError);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

const printable = fc.stringMatching(/^[\x21-\x7e]{1,80}$/);

it('every line offcirc writes parses back to its fields; any text gives a row or a reason, never a throw', () => {
  fc.assert(
    fc.property(
      printable,
      fc.option(printable, { nil: undefined }),
      fc.integer({ min: Date.UTC(2000, 0, 2), max: Date.UTC(2099, 0, 1) }),
      (item, patron, at) => {
        const tx =
          patron === undefined
            ? { kind: 'return' as const, item, at, device: 'd' }
            : { kind: 'loan' as const, item, patron, at, device: 'd' };
        const text = formatLine(tx, 'lf').slice(0, -1);
        const row = parseRecord(text);
        expect(row).toEqual({
          stamp: text.slice(0, 12),
          kind: patron === undefined ? 'R' : 'L',
          item,
          patron: patron ?? null,
          record: text,
        });
      },
    ),
    { numRuns: fuzzRuns() },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const row = parseRecord(text);
      if (typeof row !== 'string') expect(row.record).toBe(text);
      else expect(row.length).toBeGreaterThan(0);
    }),
    { numRuns: fuzzRuns() },
  );
});
