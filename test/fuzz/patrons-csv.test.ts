/**
 * The patron CSV reader: any records written as CSV (quoted where needed, CRLF or LF, maybe a BOM) read
 * back the same, cut into any chunks; and any text at all is read without an exception, every record
 * or problem on a line that exists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, csvField, type CsvProblem, type CsvRecord } from '../../src/patrons/csv.js';
import { cut, fuzzRuns } from './runs.js';

function read(chunks: string[]): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const reader = new CsvReader();
  for (const chunk of chunks)
    reader.push(
      chunk,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
  reader.end(
    (r) => records.push(r),
    (p) => problems.push(p),
  );
  return { records, problems };
}

const field = fc.string({
  unit: fc.constantFrom('a', '1', ',', '"', '\r', '\n', ' ', 'é', 'x'),
  maxLength: 8,
});
// Two fields at least: one empty field alone is a blank line, which is no record.
const record = fc.array(field, { minLength: 2, maxLength: 5 });

describe('fuzz: patron CSV', () => {
  it('round-trips records written as CSV, in any chunks', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 8 }),
        fc.constantFrom('\r\n', '\n'),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        (records, eol, bom, finalEol, cuts) => {
          const text =
            (bom ? '\ufeff' : '') +
            records.map((r) => r.map(csvField).join(',')).join(eol) +
            (finalEol && records.length > 0 ? eol : '');
          const got = read(cut(text, cuts));
          expect(got.problems).toEqual([]);
          expect(got.records.map((r) => r.fields)).toEqual(records);
          // Each record starts on the line after the last one's line breaks.
          let line = 1;
          got.records.forEach((r, i) => {
            expect(r.line).toBe(line);
            line += 1 + records[i]!.join(',').split(/\r\n|\r|\n/).length - 1;
          });
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('reads any text without an exception; every record and problem is on a line of the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', '\ufeff', 'z'), maxLength: 60 }),
        (text) => {
          const lines = text.split(/\r\n|\r|\n/).length;
          const { records, problems } = read([text]);
          for (const r of [...records, ...problems]) {
            expect(r.line).toBeGreaterThanOrEqual(1);
            expect(r.line).toBeLessThanOrEqual(lines);
          }
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
