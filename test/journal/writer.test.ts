import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { JournalWriteError, JournalWriter } from '../../src/journal/writer.js';
import {
  AT,
  giveBack,
  item,
  loan,
  recordingLog,
  removeFolder,
  tempFolder,
  type LogEntry,
} from './fixtures/helpers.js';

const LOAN_LINE =
  '202611301402L31234000000016                                                                  21234000000018\r\n';
const RETURN_LINE =
  '202611301403R31234000000016                                                                  \r\n';

let dir: string;
let file: string;
let entries: LogEntry[];
let writers: JournalWriter[];

/** A writer on `at` (default: the test's journal) that afterEach stops. */
function writer(at = file, lineEnding: 'crlf' | 'lf' = 'crlf'): JournalWriter {
  const recorded = recordingLog();
  entries = recorded.entries;
  const w = new JournalWriter({ path: at, lineEnding, log: recorded.log });
  writers.push(w);
  return w;
}

const read = (at = file) => readFileSync(at, 'latin1');
const lineOf = (n: number) => formatLine(loan(item(n)), 'crlf');

beforeEach(() => {
  dir = tempFolder();
  file = path.join(dir, 'Alma Offline Circulation', 'OffCirc', 'files', 'OffCirc.dat');
  writers = [];
});

afterEach(async () => {
  for (const w of writers) await w.stop();
  removeFolder(dir);
});

describe('JournalWriter: writing', () => {
  it('constructs without touching the disk', () => {
    writer();
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('makes the folders, starts at 0 lines and writes the worked examples byte for byte', async () => {
    const w = writer();
    expect(await w.start()).toEqual({ lines: 0 });
    expect(w.path).toBe(file);
    expect(await w.append(loan('31234000000016'))).toEqual({ line: 1 });
    expect(await w.append(giveBack('31234000000016', new Date(2026, 10, 30, 14, 3).getTime()))).toEqual({
      line: 2,
    });
    expect(read()).toBe(LOAN_LINE + RETURN_LINE);
    expect(w.lines).toBe(2);
  });

  it('ends lines with LF when configured', async () => {
    const w = writer(file, 'lf');
    await w.start();
    await w.append(loan('31234000000016'));
    expect(read()).toBe(LOAN_LINE.replace('\r\n', '\n'));
  });

  it('resolves a relative path against the working folder', () => {
    expect(writer('x/OffCirc.dat').path).toBe(path.resolve('x/OffCirc.dat'));
  });

  it('keeps the order of appends made at once, numbering lines in that order', async () => {
    const w = writer();
    await w.start();
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => w.append(loan(item(n)))));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
    expect(read()).toBe(Array.from({ length: 200 }, (_, n) => lineOf(n)).join(''));
  });

  it('continues an existing journal, counting its lines (CRLF and LF alike)', async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, LOAN_LINE + RETURN_LINE.replace('\r\n', '\n') + LOAN_LINE);
    const w = writer();
    expect(await w.start()).toEqual({ lines: 3 });
    expect(await w.append(loan(item(7)))).toEqual({ line: 4 });
    expect(read()).toBe(LOAN_LINE + RETURN_LINE.replace('\r\n', '\n') + LOAN_LINE + lineOf(7));
  });

  it('refuses a transaction OffCirc.dat cannot hold with a plain Error, writes nothing, and keeps working', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    const bad = w.append(loan('3'.repeat(81)));
    await expect(bad).rejects.toThrow(/at most 80/);
    await expect(bad).rejects.not.toBeInstanceOf(JournalWriteError);
    await expect(w.append({ ...giveBack(item(2)), patron: 'x' })).rejects.toThrow(/return carries no patron/);
    expect(read()).toBe(lineOf(1));
    expect(await w.append(loan(item(3)))).toEqual({ line: 2 });
  });

  it('rejects appends before start and after stop, and stop() waits for queued writes', async () => {
    const w = writer();
    await expect(w.append(loan(item(1)))).rejects.toThrow(/not running/);
    await w.start();
    const pending = Array.from({ length: 50 }, (_, n) => w.append(loan(item(n))));
    await w.stop();
    expect((await Promise.all(pending)).at(-1)).toEqual({ line: 50 });
    expect(read().split('\r\n')).toHaveLength(51);
    await expect(w.append(loan(item(99)))).rejects.toThrow(/not running/);
    await expect(w.probe()).rejects.toThrow(/not running/);
    await expect(w.rotate(path.join(dir, 'x.dat'))).rejects.toThrow(/not running/);
  });

  it('can start again after stop and carries on counting', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    await w.stop();
    expect(await w.start()).toEqual({ lines: 1 });
    expect(await w.append(loan(item(2)))).toEqual({ line: 2 });
  });

  it('refuses a second start() while running', async () => {
    const w = writer();
    await w.start();
    await expect(w.start()).rejects.toThrow(/already started/);
  });
});

describe('JournalWriter: the file moved, deleted or changed while running', () => {
  it('after the journal is moved away, the next line lands in a new file at the path; the moved file is untouched', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    await w.append(loan(item(2)));
    const moved = path.join(dir, 'uploaded-to-alma.dat');
    renameSync(file, moved);
    const before = readFileSync(moved);
    expect(await w.append(loan(item(3)))).toEqual({ line: 1 });
    expect(w.lines).toBe(1);
    expect(read()).toBe(lineOf(3));
    expect(readFileSync(moved).equals(before)).toBe(true);
    expect(
      entries.some((e) => e.level === 'warn' && /moved or deleted; continuing at its path/.test(e.message)),
    ).toBe(true);
  });

  it('after the journal is deleted, the next line starts a new file', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    unlinkSync(file);
    expect(await w.append(loan(item(2)))).toEqual({ line: 1 });
    expect(read()).toBe(lineOf(2));
  });

  it('after the whole folder is deleted, remakes it, the journal and the lock', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    rmSync(path.dirname(file), { recursive: true });
    expect(await w.append(loan(item(2)))).toEqual({ line: 1 });
    expect(read()).toBe(lineOf(2));
    expect(readFileSync(`${file}.lock`, 'utf8').split('\n')[0]).toBe(String(process.pid));
    await w.stop();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('after another file is put at the path, appends to it and counts its lines', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    const other = path.join(dir, 'other.dat');
    writeFileSync(other, lineOf(10) + lineOf(11));
    renameSync(other, file);
    expect(await w.append(loan(item(12)))).toEqual({ line: 3 });
    expect(read()).toBe(lineOf(10) + lineOf(11) + lineOf(12));
  });

  it('after staff empty the file in place, restarts the count', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    await w.append(loan(item(2)));
    truncateSync(file, 0);
    expect(await w.append(loan(item(3)))).toEqual({ line: 1 });
    expect(read()).toBe(lineOf(3));
  });

  it('after someone leaves half a line at the end, saves it beside the journal before writing', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    writeFileSync(file, '202611301402L3123', { flag: 'a' });
    expect(await w.append(loan(item(2)))).toEqual({ line: 2 });
    expect(read()).toBe(lineOf(1) + lineOf(2));
    const partial = readdirSync(path.dirname(file)).filter((f) => f.includes('.partial-'));
    expect(partial).toHaveLength(1);
    expect(readFileSync(path.join(path.dirname(file), partial[0]!), 'latin1')).toBe('202611301402L3123');
  });
});

describe('JournalWriter: probe', () => {
  it('succeeds where writing works and leaves no test file behind', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    await w.probe();
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['OffCirc.dat', 'OffCirc.dat.lock']);
    expect(read()).toBe(lineOf(1));
  });

  it('reopens a journal that was moved away, without writing a line', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    renameSync(file, path.join(dir, 'away.dat'));
    await w.probe();
    expect(read()).toBe('');
    expect(w.lines).toBe(0);
  });

  it('fails plainly when the folder cannot hold files', async () => {
    const w = writer();
    await w.start();
    rmSync(path.dirname(file), { recursive: true });
    // A file where the folder should be: the folder can't be made again.
    writeFileSync(path.dirname(file), 'not a folder');
    await expect(w.probe()).rejects.toThrow(JournalWriteError);
    await expect(w.append(loan(item(1)))).rejects.toThrow(
      /(already exists|is a file, not a folder) \((EEXIST|ENOTDIR)\)/,
    );
  });
});

describe('JournalWriter: rotate', () => {
  it('returns null and renames nothing when the journal is empty', async () => {
    const w = writer();
    await w.start();
    const destination = path.join(dir, 'handed-over.dat');
    expect(await w.rotate(destination)).toBeNull();
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(file)).toBe(true);
  });

  it('renames the journal, starts a fresh one and counts from 1 again', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    await w.append(loan(item(2)));
    const destination = path.join(dir, 'sent', 'OffCirc-20261130.dat');
    expect(await w.rotate(destination)).toEqual({ lines: 2 });
    expect(readFileSync(destination, 'latin1')).toBe(lineOf(1) + lineOf(2));
    expect(read()).toBe('');
    expect(w.lines).toBe(0);
    expect(await w.append(loan(item(3)))).toEqual({ line: 1 });
    expect(read()).toBe(lineOf(3));
    expect(readFileSync(destination, 'latin1')).toBe(lineOf(1) + lineOf(2));
  });

  it('runs in order with appends: lines asked for before it go to the rotated file, after it to the new one', async () => {
    const w = writer();
    await w.start();
    const destination = path.join(dir, 'rotated.dat');
    const a = w.append(loan(item(1)));
    const b = w.append(loan(item(2)));
    const r = w.rotate(destination);
    const c = w.append(loan(item(3)));
    expect(await Promise.all([a, b, r, c])).toEqual([{ line: 1 }, { line: 2 }, { lines: 2 }, { line: 1 }]);
    expect(readFileSync(destination, 'latin1')).toBe(lineOf(1) + lineOf(2));
    expect(read()).toBe(lineOf(3));
  });

  it('never overwrites an existing file and keeps writing to the journal', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    const destination = path.join(dir, 'earlier.dat');
    writeFileSync(destination, 'an earlier hand-over');
    await expect(w.rotate(destination)).rejects.toThrow(/already exists .*earlier\.dat/);
    expect(readFileSync(destination, 'latin1')).toBe('an earlier hand-over');
    expect(await w.append(loan(item(2)))).toEqual({ line: 2 });
    expect(read()).toBe(lineOf(1) + lineOf(2));
  });
});

describe('JournalWriter: time', () => {
  it('takes the time from the transaction, not the clock', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1), '21234000000018', AT + 59_000));
    expect(read().slice(0, 12)).toBe('202611301402');
  });
});
