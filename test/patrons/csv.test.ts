import { describe, expect, it } from 'vitest';
import { CsvReader, parseCsv } from '../../src/patrons/csv.js';

describe('CSV reader', () => {
  it('reads quoted fields, doubled quotes, commas and line breaks inside quotes, with their lines', () => {
    const text = 'a,b,c\n"x, y","say ""hi""","two\nlines"\nplain,,end\n';
    expect(parseCsv(text)).toEqual({
      records: [
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
        { line: 4, fields: ['plain', '', 'end'] },
      ],
      problems: [],
    });
  });

  it('drops a UTF-8 byte order mark, takes CRLF, CR and LF, and a last line without a line break', () => {
    const text = '\ufeffbarcode,status\r\n1,active\r2,inactive\n3,"active"';
    expect(parseCsv(text).records).toEqual([
      { line: 1, fields: ['barcode', 'status'] },
      { line: 2, fields: ['1', 'active'] },
      { line: 3, fields: ['2', 'inactive'] },
      { line: 4, fields: ['3', 'active'] },
    ]);
  });

  it('gives the same records whatever the chunks (a CRLF or a doubled quote cut in two)', () => {
    const text = 'a,"b""c"\r\n"d\r\ne",f\r\n';
    const whole = parseCsv(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const records: unknown[] = [];
      const problems: unknown[] = [];
      const reader = new CsvReader();
      reader.push(
        text.slice(0, cut),
        (r) => records.push(r),
        (p) => problems.push(p),
      );
      reader.push(
        text.slice(cut),
        (r) => records.push(r),
        (p) => problems.push(p),
      );
      reader.end(
        (r) => records.push(r),
        (p) => problems.push(p),
      );
      expect({ records, problems }, `cut at ${cut}`).toEqual(whole);
    }
    expect(whole.records).toEqual([
      { line: 1, fields: ['a', 'b"c'] },
      { line: 2, fields: ['d\r\ne', 'f'] },
    ]);
  });

  it('names the line of a record with text after a closing quote, or a quote never closed, and goes on', () => {
    expect(parseCsv('1,"a"b\n2,ok\n3,"never\n')).toEqual({
      records: [{ line: 2, fields: ['2', 'ok'] }],
      problems: [
        { line: 1, problem: 'text after a closing quote' },
        { line: 3, problem: 'a quoted field is never closed' },
      ],
    });
  });

  it('skips blank lines', () => {
    expect(parseCsv('a\n\n\r\nb\n').records.map((r) => r.fields)).toEqual([['a'], ['b']]);
  });
});
