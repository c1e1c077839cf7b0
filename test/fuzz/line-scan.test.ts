import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CLEAN, ENDINGS, ENDING_MASK, LOAN, LineScanner, RECORD_INTS } from '../../src/journal/line-scan.js';
import { LineSplitter, stampValue, type SeenEnding } from '../../src/journal/parse.js';
import { LineChecker, type Note, type Problem } from '../../src/journal/verify.js';
import { RecentTransactions } from '../../src/journal/transaction-set.js';
import { formatLine } from '../../src/journal/line.js';
import { fuzzRuns } from './runs.js';
import { NOW } from '../fixtures/offcirc/make.js';

interface Scanned {
  start: number;
  end: number;
  flags: number;
  hashA: number;
  hashB: number;
  stamp: number;
  date: number;
  dayMinute: number;
}

/** The records of `bytes` as one file, scanned in one buffer (BATCH lines at a time). */
function scanAll(bytes: Uint8Array): { scanner: LineScanner; records: Scanned[] } {
  const scanner = new LineScanner(Math.max(bytes.length, 1));
  scanner.input.set(bytes);
  const records: Scanned[] = [];
  for (let from = 0; ;) {
    const n = scanner.scan(from, bytes.length, true);
    if (n === 0) break;
    for (let r = 0; r < n; r++) {
      const at = r * RECORD_INTS;
      const [start, end, flags, hashA, hashB, date, dayMinute] = Array.from(
        scanner.ints.subarray(at, at + RECORD_INTS),
      );
      records.push({
        start: start!,
        end: end!,
        flags: flags!,
        hashA: hashA!,
        hashB: hashB!,
        stamp: scanner.stamps[r]!,
        date: date!,
        dayMinute: dayMinute!,
      });
    }
    from = scanner.next;
  }
  return { scanner, records };
}

/** What a checker said, fed the records as given or with CLEAN taken off (every check in JavaScript). */
function checkRecords(scanner: LineScanner, records: Scanned[], clean: boolean) {
  const problems: Problem[] = [];
  const notes: Note[] = [];
  const checker = new LineChecker({
    file: 'f',
    seen: new RecentTransactions(),
    now: NOW,
    report: (p) => problems.push(p),
    note: (n) => notes.push(n),
  });
  for (const r of records) {
    const length = r.end - r.start;
    const flags = clean ? r.flags : r.flags & ~CLEAN;
    const ending = ENDINGS[r.flags & ENDING_MASK] as SeenEnding;
    checker.checkScanned(
      scanner.input,
      r.start,
      length,
      length,
      ending,
      flags,
      r.hashA,
      r.hashB,
      r.stamp,
      r.date,
      r.dayMinute,
    );
  }
  return { problems, notes, counts: checker.finish(), firstEnding: checker.firstEnding };
}

const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const anyChar = fc.oneof(
  { weight: 8, arbitrary: printable },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\r', '\t', '\0', '\x7f', '\xe9', '\n') },
);
const word = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: printable, minLength: 1, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: anyChar, minLength: 0, maxLength: max + 3 }) },
  );
/** Lines near OffCirc.dat's: mostly right, sometimes one part wrong (time, action, padding, patron, ending). */
const nearLine = fc
  .record({
    time: fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^20[0-3]\d(0\d|1[0-3])[0-3]\d([01]\d|2[0-5])[0-6]\d$/) },
      { weight: 1, arbitrary: fc.string({ unit: anyChar, minLength: 0, maxLength: 13 }) },
    ),
    action: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('L', 'R') }, { weight: 1, arbitrary: anyChar }),
    item: word(82),
    padTo: fc.oneof(
      { weight: 6, arbitrary: fc.constant(80) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 90 }) },
    ),
    patron: fc.oneof({ weight: 3, arbitrary: word(40) }, { weight: 1, arbitrary: fc.constant('') }),
    ending: fc.constantFrom('\r\n', '\n', '\r\n', '\n', ''),
  })
  .map(({ time, action, item, padTo, patron, ending }) => {
    const field = item.length < padTo ? item.padEnd(padTo, ' ') : item;
    return time + action + field + (action === 'R' && patron.length % 2 === 0 ? '' : patron) + ending;
  });
const file = fc.oneof(
  { weight: 5, arbitrary: fc.array(nearLine, { minLength: 1, maxLength: 12 }).map((l) => l.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: anyChar, maxLength: 400 }) },
);

describe('the byte pass (line-scan.wat) under fuzzing', () => {
  it('finds the lines, endings and times the splitter and stampValue find, on any bytes', () => {
    fc.assert(
      fc.property(file, (text) => {
        const bytes = Buffer.from(text, 'latin1');
        const { scanner, records } = scanAll(bytes);
        const seen: { text: string; ending: SeenEnding }[] = [];
        const splitter = new LineSplitter(
          (content, _length, ending) => seen.push({ text: Buffer.from(content).toString('latin1'), ending }),
          1 << 20,
        );
        splitter.push(bytes);
        splitter.end();
        expect(
          records.map((r) => ({
            text: scanner.input.toString('latin1', r.start, r.end),
            ending: ENDINGS[r.flags & ENDING_MASK],
          })),
        ).toEqual(seen);
        for (const r of records) {
          expect(r.stamp).toBe(stampValue(scanner.input.subarray(r.start, r.end)));
          // A CLEAN line's date and minute of the day are its time's (its 12 bytes are digits); -1 else.
          const hhmm = r.stamp % 10_000;
          const [hour, minute] = [Math.floor(hhmm / 100), hhmm % 100];
          expect([r.date, r.dayMinute]).toEqual(
            r.flags & CLEAN
              ? [Math.floor(r.stamp / 10_000), hour <= 23 && minute <= 59 ? hour * 60 + minute : -1]
              : [-1, -1],
          );
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('a CLEAN line gets the same answer from the short way as from every check (problems, notes, counts)', () => {
    fc.assert(
      fc.property(file, (text) => {
        const { scanner, records } = scanAll(Buffer.from(text, 'latin1'));
        expect(checkRecords(scanner, records, true)).toEqual(checkRecords(scanner, records, false));
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('loans of another item or patron hash apart, also when the same characters are split otherwise', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: printable, minLength: 2, maxLength: 60 }),
        fc.string({ unit: printable, minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.string({ unit: printable, minLength: 1, maxLength: 80 }),
        (item, patron, cut, other) => {
          const at = new Date(2026, 10, 30, 12, 0).getTime();
          const line = (i: string, p: string) =>
            formatLine({ kind: 'loan', item: i, patron: p, at, device: 't' }, 'lf');
          // The same characters with the item/patron boundary moved, another item, another patron.
          const split = 1 + (cut % (item.length - 1));
          const pairs: [string, string][] = [
            [item, patron],
            [item.slice(0, split), item.slice(split) + patron],
            [other, patron],
            [item, other.slice(0, 30)],
          ];
          const { records } = scanAll(Buffer.from(pairs.map(([i, p]) => line(i, p)).join(''), 'latin1'));
          const keys = pairs.map(([i, p]) => `${i}\u0000${p}`);
          for (let a = 0; a < pairs.length; a++) {
            for (let b = a + 1; b < pairs.length; b++) {
              const same =
                [records[a]!.hashA, records[a]!.hashB].join() ===
                [records[b]!.hashA, records[b]!.hashB].join();
              expect(same).toBe(keys[a] === keys[b]);
            }
          }
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('every line the kiosk writes is CLEAN, LOAN when a loan; a return padded or not hashes the same', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: printable, minLength: 1, maxLength: 80 }),
        fc.string({ unit: printable, minLength: 1, maxLength: 40 }),
        fc.constantFrom('crlf' as const, 'lf' as const),
        (item, patron, ending) => {
          const at = new Date(2026, 10, 30, 12, 0).getTime();
          const loan = formatLine({ kind: 'loan', item, patron, at, device: 't' }, ending);
          const ret = formatLine({ kind: 'return', item, at, device: 't' }, ending);
          const unpadded = ret.slice(0, 13 + item.length) + (ending === 'crlf' ? '\r\n' : '\n');
          const { records } = scanAll(Buffer.from(loan + ret + unpadded, 'latin1'));
          expect(records.map((r) => r.flags & (CLEAN | LOAN))).toEqual([
            CLEAN | LOAN,
            CLEAN,
            item.length === 80 ? CLEAN : 0,
          ]);
          expect([records[2]!.hashA, records[2]!.hashB]).toEqual([records[1]!.hashA, records[1]!.hashB]);
          expect([records[0]!.hashA, records[0]!.hashB]).not.toEqual([records[1]!.hashA, records[1]!.hashB]);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
