import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../../src/kiosk/events.js';
import {
  formatLine,
  formatTimestamp,
  HEADER,
  ITEM_FIELD,
  itemProblem,
  patronProblem,
  RECORD,
  TIMESTAMP,
} from '../../src/journal/line.js';

/** Local wall-clock time, the way the station's clock shows it. */
const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0) =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

const loan = (item: string, patron: string | undefined, at = local(2026, 11, 30, 14, 2)): Transaction => ({
  kind: 'loan',
  item,
  patron,
  at,
  device: 'front',
});
const ret = (item: string, at = local(2026, 11, 30, 14, 3)): Transaction => ({
  kind: 'return',
  item,
  at,
  device: 'front',
});

describe('constants', () => {
  it('describe the record layout of FORMATS.md §1', () => {
    expect([TIMESTAMP, HEADER, ITEM_FIELD, RECORD]).toEqual([12, 13, 80, 93]);
  });
});

describe('formatLine: the worked examples, byte for byte', () => {
  it('writes the offcirc loan and return examples with CRLF', () => {
    expect(formatLine(loan('31234000000016', '21234000000018'), 'crlf')).toBe(
      '202611301402L31234000000016                                                                  21234000000018\r\n',
    );
    expect(formatLine(ret('31234000000016'), 'crlf')).toBe(
      '202611301403R31234000000016                                                                  \r\n',
    );
  });

  it("writes Alma's documentation example (patron at column 94) with LF", () => {
    expect(formatLine(loan('33031245', 'JohnSmith', local(2014, 1, 1, 12, 39)), 'lf')).toBe(
      '201401011239L33031245                                                                        JohnSmith\n',
    );
  });

  it('puts an 80-character item directly against the patron, with no gap and no truncation', () => {
    const item = '3'.repeat(80);
    const line = formatLine(loan(item, 'P1'), 'lf');
    expect(line).toBe(`202611301402L${item}P1\n`);
    expect(line.length).toBe(93 + 2 + 1);
  });

  it('writes a 1-character item padded to the full field', () => {
    expect(formatLine(ret('X'), 'lf')).toBe(`202611301403RX${' '.repeat(79)}\n`);
  });

  it('keeps printable punctuation in barcodes exactly', () => {
    const item = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    expect(formatLine(loan(item, 'A-b_c.9~'), 'lf')).toBe(`202611301402L${item.padEnd(80)}A-b_c.9~\n`);
  });
});

describe('formatLine: refuses what OffCirc.dat cannot hold, never truncates', () => {
  const cases: Array<[string, Transaction, RegExp]> = [
    ['an empty item', ret(''), /item barcode is empty/],
    ['an 81-character item', ret('3'.repeat(81)), /is 81 characters; OffCirc\.dat holds at most 80/],
    ['a 10 000-character item', ret('3'.repeat(10_000)), /is 10000 characters/],
    ['an item with a space', ret('3123 4000'), /space, control or non-ASCII/],
    ['an item with a trailing space', ret('31234000000016 '), /space, control or non-ASCII/],
    ['an item with a tab', ret('3123\t4'), /space, control or non-ASCII/],
    ['an item with CR', ret('31234000000016\r'), /space, control or non-ASCII/],
    ['an item with LF (two records in one)', ret('3123\n202611301403R9'), /space, control or non-ASCII/],
    ['an item with NUL', ret('3123\u0000'), /space, control or non-ASCII/],
    ['an item with DEL', ret('3123\u007f'), /space, control or non-ASCII/],
    ['an item with ESC (a terminal sequence)', ret('\u001b[31m3123'), /space, control or non-ASCII/],
    ['an item with é', ret('3123é'), /space, control or non-ASCII/],
    ['an item with an emoji', ret('3123📚'), /space, control or non-ASCII/],
    ['a loan without patron', loan('31234000000016', undefined), /loan has no patron/],
    ['a loan with an empty patron', loan('31234000000016', ''), /loan has no patron/],
    [
      'a patron with a space (described, never shown)',
      loan('31234000000016', 'John Smith'),
      /patron ID \(10 characters \(9 letters, 1 other, starting "Jo"\)\) has a space/,
    ],
    ['a patron with CRLF', loan('31234000000016', '2123\r\n'), /patron ID .* has a space, control/],
    ['a patron with a tab', loan('31234000000016', '\t2123'), /patron ID/],
    ['a patron with NUL', loan('31234000000016', '2123\u0000'), /patron ID/],
    ['a patron with ü', loan('31234000000016', 'Müller'), /patron ID/],
    [
      'a return with a patron',
      { ...ret('31234000000016'), patron: '21234000000018' },
      /return carries no patron/,
    ],
    ['a return with an empty patron', { ...ret('31234000000016'), patron: '' }, /return carries no patron/],
    [
      'an unknown kind',
      { ...ret('31234000000016'), kind: 'renew' as Transaction['kind'] },
      /unknown transaction kind "renew"/,
    ],
    ['a time that is not a number', ret('31234000000016', Number.NaN), /cannot write the time NaN/],
    ['a time past year 9999', ret('31234000000016', Date.UTC(10000, 5, 1)), /cannot write the time/],
  ];
  it.each(cases)('refuses %s', (_name, tx, message) => {
    expect(() => formatLine(tx, 'crlf')).toThrow(message);
  });

  it('refuses an unknown line ending', () => {
    expect(() => formatLine(ret('3123'), 'cr' as 'lf')).toThrow(/unknown line ending "cr"/);
  });

  it('shows control characters escaped in the message, so the log line stays one line', () => {
    let message = '';
    try {
      formatLine(ret('31\r\n23\u001b'), 'lf');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('"31\\r\\n23\\u001b"');
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.includes('\u001b')).toBe(false);
  });

  it('agrees with itemProblem and patronProblem, which scan-time checks reuse', () => {
    expect(itemProblem('31234000000016')).toBeUndefined();
    expect(itemProblem('3'.repeat(81))).toMatch(/at most 80/);
    expect(patronProblem('21234000000018')).toBeUndefined();
    expect(patronProblem('21 23')).toMatch(/space/);
  });
});

describe('formatTimestamp', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('writes YYYYMMDDHHMM with zero padding, dropping seconds', () => {
    expect(formatTimestamp(local(2026, 1, 2, 3, 4, 59))).toBe('202601020304');
    expect(formatTimestamp(local(2026, 12, 31, 23, 59, 59))).toBe('202612312359');
  });

  it('uses the local wall clock, not UTC', () => {
    process.env.TZ = 'America/New_York';
    expect(formatTimestamp(Date.UTC(2026, 10, 30, 19, 2))).toBe('202611301402');
    process.env.TZ = 'Asia/Kolkata';
    expect(formatTimestamp(Date.UTC(2026, 10, 30, 8, 32))).toBe('202611301402');
    // Just after midnight local time is still the previous day in UTC.
    process.env.TZ = 'Pacific/Auckland';
    expect(formatTimestamp(Date.UTC(2026, 10, 30, 11, 30))).toBe('202612010030');
  });

  it('agrees with the local clock for any time in 1970–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (at) => {
        const d = new Date(at);
        const text = formatTimestamp(at);
        expect(text).toMatch(/^\d{12}$/);
        expect(Number(text.slice(0, 4))).toBe(d.getFullYear());
        expect(Number(text.slice(4, 6))).toBe(d.getMonth() + 1);
        expect(Number(text.slice(6, 8))).toBe(d.getDate());
        expect(Number(text.slice(8, 10))).toBe(d.getHours());
        expect(Number(text.slice(10, 12))).toBe(d.getMinutes());
      }),
    );
  });
});

describe('formatLine: any accepted transaction is exactly one well-formed record', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 90,
  });
  const nasty = fc.constantFrom(
    '',
    ' ',
    '\t',
    '\r',
    '\n',
    '\r\n',
    '\u0000',
    '\u007f',
    'é',
    '📚',
    '\u2028',
    'x',
  );
  /** Mostly plausible barcodes, often with something a scanner or person should never send mixed in. */
  const field = fc.oneof(
    { weight: 4, arbitrary: printable },
    { weight: 2, arbitrary: fc.tuple(printable, nasty, printable).map(([a, b, c]) => a + b + c) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  );
  const tx = fc.record({
    kind: fc.constantFrom('loan' as const, 'return' as const),
    item: field,
    patron: fc.option(field, { nil: undefined }),
    at: fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
    device: fc.constant('front'),
  });

  it('has one line ending, at the end; length 93 + patron + ending; printable ASCII; fields round-trip', () => {
    let accepted = 0;
    fc.assert(
      fc.property(tx, fc.constantFrom('crlf' as const, 'lf' as const), (t, ending) => {
        let line: string;
        try {
          line = formatLine(t, ending);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/^cannot write/);
          return;
        }
        accepted++;
        const eol = ending === 'crlf' ? '\r\n' : '\n';
        expect(line.endsWith(eol)).toBe(true);
        const body = line.slice(0, -eol.length);
        expect(body).toMatch(/^[\x20-\x7e]*$/);
        const patron = t.kind === 'loan' ? (t.patron ?? '') : '';
        expect(line.length).toBe(93 + patron.length + eol.length);
        expect(body.slice(0, 12)).toBe(formatTimestamp(t.at));
        expect(body[12]).toBe(t.kind === 'loan' ? 'L' : 'R');
        expect(body.slice(13, 93).trimEnd()).toBe(t.item);
        expect(body.slice(93)).toBe(patron);
      }),
      { numRuns: 2000 },
    );
    // The property above means nothing if every generated transaction was refused.
    expect(accepted).toBeGreaterThan(200);
  });

  it('accepts every loan and return of printable barcodes up to 80 characters', () => {
    const item = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 80,
    });
    fc.assert(
      fc.property(item, item, fc.boolean(), (i, p, isLoan) => {
        const line = formatLine(isLoan ? loan(i, p) : ret(i), 'crlf');
        expect(line.length).toBe(93 + (isLoan ? p.length : 0) + 2);
      }),
    );
  });
});
