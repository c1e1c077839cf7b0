import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter } from '../../src/journal/parse.js';
import { formatTimestamp } from '../../src/journal/line.js';
import { LineChecker, ProblemLog, type Problem } from '../../src/journal/verify.js';
import { RecentTransactions } from '../../src/journal/transaction-set.js';
import { formatLine, LINE_ENDINGS, type LineEnding } from '../../src/journal/line.js';
import type { Transaction } from '../../src/kiosk/events.js';
import { LF, NOW, loan, ret } from '../fixtures/offcirc/make.js';

/** Checks `text` as one file fed in chunks of the given sizes; returns the problems and the checker. */
function check(text: string, sizes: number[] = [1 << 20], now = NOW) {
  const problems: Problem[] = [];
  const checker = new LineChecker({
    file: 'f',
    seen: new RecentTransactions(),
    now,
    report: (p) => problems.push(p),
  });
  const splitter = new LineSplitter((content, length, ending) => checker.check(content, length, ending));
  const bytes = Buffer.from(text, 'latin1');
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    splitter.push(bytes.subarray(at, at + size));
    at += size;
  }
  splitter.end();
  return { problems, counts: checker.finish(), checker };
}

/** A transaction as the kiosk would record it: printable ASCII without spaces in item and patron. */
const barcode = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: max,
  });
const earliest = new Date(2000, 0, 1).getTime();
const latest = NOW.getTime() + 10 * 60_000;
const transaction = fc.record({
  at: fc.integer({ min: earliest, max: latest }),
  kind: fc.constantFrom('loan' as const, 'return' as const),
  item: barcode(80),
  patron: barcode(40),
});
type Tx = { at: number; kind: 'loan' | 'return'; item: string; patron: string };

/** One line per transaction, as the kiosk's own formatter writes it; duplicates (same four facts) left out. */
function format(list: Tx[], ending: LineEnding): string {
  const seen = new Set<string>();
  let text = '';
  for (const tx of list) {
    const key = `${formatTimestamp(tx.at)} ${tx.kind} ${tx.item} ${tx.kind === 'loan' ? tx.patron : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const transaction: Transaction =
      tx.kind === 'loan'
        ? { kind: 'loan', item: tx.item, patron: tx.patron, at: tx.at, device: 'test' }
        : { kind: 'return', item: tx.item, at: tx.at, device: 'test' };
    text += formatLine(transaction, ending);
  }
  return text;
}

describe('LineChecker', () => {
  it('finds no problem in any list of valid transactions, however the bytes are chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(transaction, { maxLength: 40 }),
        fc.constantFrom('crlf' as const, 'lf' as const),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
        (list, ending, sizes) => {
          const text = format(list, ending);
          const { problems, counts } = check(text, sizes);
          expect(problems).toEqual([]);
          expect(counts.lines).toBe(text.split(LINE_ENDINGS[ending]).length - 1);
          expect(counts.loans + counts.returns).toBe(counts.lines);
        },
      ),
    );
  });

  it('finds a problem in a valid file with any one byte replaced by a non-ASCII or control byte (property)', () => {
    const text =
      loan('202611301402', '31234000000016', '21234000000018') + ret('202611301403', '31234000000016');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: text.length - 1 }),
        fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0xff })),
        (at, byte) => {
          // A line ending's own CR or LF put back where it was changes nothing: not a broken file.
          fc.pre(text.charCodeAt(at) !== byte);
          const broken = text.slice(0, at) + String.fromCharCode(byte) + text.slice(at + 1);
          expect(check(broken).problems.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('judges the future by local wall-clock time with 10 minutes of tolerance', () => {
    const now = new Date(2026, 11, 31, 23, 55); // the limit crosses into the next year
    expect(check(ret('202701010005', '3123'), undefined, now).problems).toEqual([]);
    expect(check(ret('202701010006', '3123'), undefined, now).problems.map((p) => p.code)).toEqual([
      'future',
    ]);
  });

  it('counts loans and returns and remembers the first line ending', () => {
    const { counts, checker } = check(loan('202611301402', 'a', 'p', LF) + ret('202611301403', 'a', LF));
    expect(counts).toEqual({ lines: 2, loans: 1, returns: 1 });
    expect(checker.firstEnding).toBe('lf');
  });
});

describe('ProblemLog', () => {
  it('keeps the first few of each kind and counts the rest', () => {
    const log = new ProblemLog(2);
    for (let line = 1; line <= 5; line++) {
      log.add({ file: 'f', line, code: 'length', message: 'short' });
      if (line % 2) log.add({ file: 'f', line, code: 'date', message: 'bad' });
    }
    expect(log.total).toBe(8);
    expect(log.shown.map((p) => `${p.line}${p.code}`)).toEqual(['1length', '1date', '2length', '3date']);
    expect(log.omitted()).toEqual([
      { code: 'length', count: 3 },
      { code: 'date', count: 1 },
    ]);
  });
});

describe('RecentTransactions (the duplicate check in bounded memory)', () => {
  it('holds at most 9/8 of its window of minutes, however many transactions pass', () => {
    const set = new RecentTransactions(1440);
    let largest = 0;
    for (let i = 1; i <= 200_000; i++) {
      expect(set.add(Math.imul(i, 0x9e3779b1) >>> 0, i, 0, i, 28_000_000 + i)).toBe(true);
      largest = Math.max(largest, set.size);
    }
    expect(largest).toBeLessThanOrEqual(1440 + 1440 / 8 + 1);
  });

  it('forgets minutes that came out of order (a clock went back) as well as the others', () => {
    const set = new RecentTransactions(60);
    let line = 0;
    for (let m = 1000; m <= 1100; m += 2) set.add(++line, 0, 0, line, m);
    for (let m = 1041; m < 1100; m += 2) set.add(++line, 0, 0, line, m); // 30 minutes back in time
    for (let m = 1102; m <= 3000; m += 2) set.add(++line, 0, 0, line, m);
    // Only the even minutes of the last 60–68 minutes are left: none of the 30 that came back.
    expect(set.size).toBeLessThanOrEqual(35);
    expect(set.size).toBeGreaterThanOrEqual(30);
  });

  it('finds a duplicate in the same minute and names where it was first seen', () => {
    const set = new RecentTransactions(60);
    expect(set.add(7, 8, 0, 1, 1000)).toBe(true);
    expect(set.add(7, 9, 0, 2, 1000)).toBe(true); // other hash: another transaction
    expect(set.add(7, 8, 0, 3, 1001)).toBe(true); // another minute
    expect(set.add(7, 8, 2, 5, 1000)).toBe(false);
    expect([set.firstFile, set.firstLine]).toEqual([0, 1]);
    // Lines with a bad time (-1) are never held.
    expect(set.add(1, 1, 0, 6, -1)).toBe(true);
    expect(set.add(1, 1, 0, 7, -1)).toBe(true);
  });

  it('still catches a duplicate after a clock went back less than the window, not more', () => {
    const set = new RecentTransactions(60);
    expect(set.add(1, 2, 0, 1, 1000)).toBe(true);
    expect(set.add(3, 4, 0, 2, 1059)).toBe(true); // 59 minutes later
    expect(set.add(1, 2, 0, 3, 1000)).toBe(false); // back an hour less a minute: caught
    expect(set.add(5, 6, 0, 4, 1200)).toBe(true); // much later: 1000 is forgotten
    expect(set.add(1, 2, 0, 5, 1000)).toBe(true); // the miss the window allows
  });
});
