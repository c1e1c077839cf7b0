/**
 * Fuzzes the OffCirc.dat readers: the line splitter, the line checker, the merge's file cursor and the
 * Koha record writer, on arbitrary bytes and on valid files. `npm run fuzz` runs each property long.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { open } from 'node:fs/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineSplitter, MAX_KEPT_LINE, lineFacts, type SeenEnding } from '../../src/journal/parse.js';
import { LineChecker, NOTE_CODES, PROBLEM_CODES, type Note, type Problem } from '../../src/journal/verify.js';
import { RecentTransactions } from '../../src/journal/transaction-set.js';
import { LineCursor, LineTooLongError } from '../../src/journal/merge.js';
import {
  AT_END,
  AT_FLAGS,
  AT_START,
  ENDINGS,
  ENDING_MASK,
  LineScanner,
  RECORD_INTS,
} from '../../src/journal/line-scan.js';
import { KohaClock, kohaLimitProblem, kohaRecord } from '../../src/journal/koha.js';
import { fuzzRuns } from './runs.js';

const NOW = new Date(2026, 10, 30, 15, 0);

/** Bytes that look a little like OffCirc.dat: digits, L/R, spaces, CR, LF, and anything else. */
const looksLikeIt = fc.array(
  fc.oneof(
    fc.constantFrom(0x30, 0x31, 0x32, 0x39, 0x4c, 0x52, 0x20, 0x0d, 0x0a),
    fc.integer({ min: 0, max: 255 }),
  ),
  { maxLength: 600 },
);

/**
 * Lines of 0–60 bytes ending in LF or CRLF, the last maybe without an ending: lengths about a reader's
 * maxLine and chunk, so lines fall on both sides of the limit and across the reads.
 */
const linesNearMax = fc
  .tuple(fc.array(fc.record({ length: fc.nat(60), crlf: fc.boolean() }), { maxLength: 30 }), fc.nat(60))
  .map(([lines, last]) => {
    const text = lines.map(({ length, crlf }) => 'x'.repeat(length) + (crlf ? '\r\n' : '\n')).join('');
    return [...Buffer.from(text + 'y'.repeat(last), 'latin1')];
  });

/** Runs bytes through a splitter in chunks of the given sizes; returns what each line was. */
function split(bytes: Uint8Array, sizes: number[]): { text: string; length: number; ending: SeenEnding }[] {
  const seen: { text: string; length: number; ending: SeenEnding }[] = [];
  const splitter = new LineSplitter((content, length, ending) =>
    seen.push({ text: Buffer.from(content).toString('latin1'), length, ending }),
  );
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    splitter.push(bytes.subarray(at, at + size));
    at += size;
  }
  splitter.end();
  return seen;
}

/** A valid barcode: printable ASCII without the space. */
const barcode = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: max,
  });
const minute = fc
  .record({
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    m: fc.integer({ min: 0, max: 59 }),
  })
  .map(
    ({ d, h, m }) =>
      `202611${String(d).padStart(2, '0')}${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`,
  )
  .filter((t) => t <= '202611301500');

/** Checks `bytes` as one file through the splitter, as verify does: its problems, notes and line count. */
function checkBytes(bytes: Uint8Array): { problems: Problem[]; notes: Note[]; lines: number } {
  const problems: Problem[] = [];
  const notes: Note[] = [];
  const checker = new LineChecker({
    file: 'f',
    seen: new RecentTransactions(),
    now: NOW,
    report: (p) => problems.push(p),
    note: (n) => notes.push(n),
  });
  const splitter = new LineSplitter((content, length, ending) => checker.check(content, length, ending));
  splitter.push(bytes);
  splitter.end();
  return { problems, notes, lines: checker.finish().lines };
}

describe('OffCirc.dat parsers under fuzzing', () => {
  it('LineSplitter: whatever the bytes and chunking, the lines and endings put back give the bytes', () => {
    fc.assert(
      fc.property(
        looksLikeIt,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
        (list, sizes) => {
          const bytes = Uint8Array.from(list);
          const lines = split(bytes, sizes);
          const again = lines
            .map((l) => l.text + (l.ending === 'crlf' ? '\r\n' : l.ending === 'lf' ? '\n' : ''))
            .join('');
          // Lines here are shorter than MAX_KEPT_LINE, so nothing is cut.
          expect(again).toBe(Buffer.from(bytes).toString('latin1'));
          expect(lines.every((l) => l.length === l.text.length && l.length <= MAX_KEPT_LINE)).toBe(true);
          expect(lines.filter((l) => l.ending === 'none').length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('LineChecker: never throws on any bytes, and reports only known codes, each at a real line', () => {
    fc.assert(
      fc.property(looksLikeIt, (list) => {
        const { problems, notes, lines } = checkBytes(Uint8Array.from(list));
        for (const p of problems) {
          expect(PROBLEM_CODES).toContain(p.code);
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines);
        }
        for (const n of notes) {
          expect(NOTE_CODES).toContain(n.code);
          // A line with a note has no problem: notes are for lines Alma takes as they are.
          expect(problems.some((p) => p.line === n.line)).toBe(false);
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('LineChecker: a valid line, padded or (a return) not, never has a problem; unpadded returns get a note', () => {
    const tx = fc.record({
      time: minute,
      loan: fc.boolean(),
      item: barcode(80),
      patron: barcode(40),
      pad: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 20 }), fc.constantFrom('\r\n', '\n'), (list, ending) => {
        const seen = new Set<string>();
        let text = '';
        let unpadded = 0;
        for (const t of list) {
          const key = `${t.time}${t.loan}${t.item}${t.loan ? t.patron : ''}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (t.loan) text += `${t.time}L${t.item.padEnd(80)}${t.patron}${ending}`;
          else if (t.pad || t.item.length === 80) text += `${t.time}R${t.item.padEnd(80)}${ending}`;
          else {
            text += `${t.time}R${t.item}${ending}`;
            unpadded++;
          }
        }
        const { problems, notes } = checkBytes(Buffer.from(text, 'latin1'));
        expect(problems).toEqual([]);
        expect(notes.filter((n) => n.code === 'unpadded')).toHaveLength(unpadded);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('LineChecker.checkRun: the same findings and counts as check() line by line', () => {
    // Good lines (repeated: duplicates), lines of odd bytes, either ending, maybe no last ending.
    const good = fc
      .record({ time: minute, loan: fc.boolean(), item: barcode(20), patron: barcode(10) })
      .map((t) => `${t.time}${t.loan ? 'L' : 'R'}${t.item.padEnd(80)}${t.loan ? t.patron : ''}`);
    const odd = looksLikeIt.map((list) => Buffer.from(list).toString('latin1').replace(/\n/g, ''));
    const file = fc
      .tuple(
        fc.array(fc.tuple(fc.oneof(good, good, odd), fc.constantFrom('\r\n', '\n')), { maxLength: 40 }),
        fc.boolean(),
      )
      .map(([lines, cut]) => {
        const text = lines.map(([line, ending]) => line + ending).join('');
        return cut && lines.length > 0 ? text.slice(0, -1).replace(/\r$/, '') : text;
      });
    const checkerInto = (problems: Problem[], notes: Note[]) =>
      new LineChecker({
        file: 'f',
        seen: new RecentTransactions(),
        now: NOW,
        report: (p) => problems.push(p),
        note: (n) => notes.push(n),
      });
    fc.assert(
      fc.property(file, (text) => {
        const bytes = Buffer.from(text, 'latin1');
        const one = { problems: [] as Problem[], notes: [] as Note[] };
        const byLine = checkerInto(one.problems, one.notes);
        const splitter = new LineSplitter((content, length, ending) => byLine.check(content, length, ending));
        splitter.push(bytes);
        splitter.end();
        const run = { problems: [] as Problem[], notes: [] as Note[] };
        const byRun = checkerInto(run.problems, run.notes);
        const scanner = new LineScanner(bytes.length);
        scanner.input.set(bytes);
        const to = scanner.scan(0, bytes.length, true);
        byRun.checkRun({ input: scanner.input, ints: scanner.ints, stamps: scanner.stamps, from: 0, to });
        expect(run).toEqual(one);
        expect(byRun.finish()).toEqual(byLine.finish());
        expect(byRun.firstEnding).toBe(byLine.firstEnding);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('LineCursor reading ahead (a maxLine): the same lines, one by one or a batch at a time, up to one too long', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(looksLikeIt, linesNearMax),
          fc.integer({ min: 1, max: 80 }),
          fc.integer({ min: 0, max: 60 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
          async (list, chunk, maxLine, batches) => {
            const bytes = Uint8Array.from(list);
            const file = path.join(dir, 'f.dat');
            writeFileSync(file, bytes);
            const handle = await open(file, 'r');
            const got: { text: string; ending: SeenEnding }[] = [];
            let tooLong = false;
            try {
              const cursor = new LineCursor(handle, file, 0, chunk, maxLine);
              for (let i = 0; await cursor.next(); i++) {
                got.push({ text: Buffer.from(cursor.bytes()).toString('latin1'), ending: cursor.ending });
                if (!batches[i % batches.length]) continue;
                const run = cursor.takeBuffered();
                for (let r = run.from; r < run.to; r++) {
                  const at = r * RECORD_INTS;
                  const text = run.input
                    .subarray(run.ints[at + AT_START], run.ints[at + AT_END])
                    .toString('latin1');
                  got.push({ text, ending: ENDINGS[run.ints[at + AT_FLAGS]! & ENDING_MASK]! });
                }
              }
            } catch (error) {
              if (!(error instanceof LineTooLongError)) throw error;
              tooLong = true;
            } finally {
              await handle.close();
            }
            const lines = split(bytes, [bytes.length || 1]);
            const first = lines.findIndex((l) => l.length > maxLine);
            const expected = first === -1 ? lines : lines.slice(0, first);
            expect(got).toEqual(expected.map(({ text, ending }) => ({ text, ending })));
            expect(tooLong).toBe(first !== -1);
          },
        ),
        {
          numRuns: fuzzRuns(400),
          // A line of exactly maxLine whose CR ends a read and whose LF starts the next: not too long.
          examples: [[[...Buffer.from('xxxxxxxxxx\r\nyy\n', 'latin1')], 11, 10, [false]]],
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('LineCursor: the same lines as LineSplitter for any bytes and any read size', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(looksLikeIt, fc.integer({ min: 1, max: 80 }), async (list, chunk) => {
          const bytes = Uint8Array.from(list);
          const file = path.join(dir, 'f.dat');
          writeFileSync(file, bytes);
          const handle = await open(file, 'r');
          const got: string[] = [];
          try {
            const cursor = new LineCursor(handle, file, 0, chunk);
            while (await cursor.next()) got.push(Buffer.from(cursor.bytes()).toString('latin1'));
          } finally {
            await handle.close();
          }
          expect(got).toEqual(split(bytes, [bytes.length || 1]).map((l) => l.text));
        }),
        { numRuns: fuzzRuns(100) },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Koha records: one tab-separated line giving back the facts, or a refusal for what Koha would cut', () => {
    const facts = fc.record({ time: minute, loan: fc.boolean(), item: barcode(80), patron: barcode(40) });
    fc.assert(
      fc.property(fc.array(facts, { maxLength: 80 }), (list) => {
        const clock = new KohaClock();
        let last = '';
        for (const f of list) {
          const line = f.loan
            ? `${f.time}L${f.item.padEnd(80)}${f.patron}`
            : `${f.time}R${f.item.padEnd(80)}`;
          const read = lineFacts(Buffer.from(line, 'latin1'));
          const second = clock.next(read.time);
          const limit = kohaLimitProblem(read);
          expect(limit !== undefined).toBe(f.item.length > 20 || (f.loan && f.patron.length > 32));
          if (limit || second === undefined) continue;
          const record = kohaRecord(read, second);
          expect(record.endsWith('\n')).toBe(true);
          const fields = record.slice(0, -1).split('\t');
          expect(fields).toEqual(
            f.loan ? [fields[0], 'issue', f.patron, f.item] : [fields[0], 'return', f.item],
          );
          // Within one minute, later records have later timestamps.
          if (last.slice(0, 16) === (fields[0] ?? '').slice(0, 16))
            expect((fields[0] ?? '') > last).toBe(true);
          last = fields[0] ?? '';
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
