/**
 * The line count kept beside a large journal (count-hint.ts): line numbers after a restart are the ones
 * counting would give, whether the hint is there and right (then the journal isn't read whole), stale,
 * missing, damaged, or planted with wrong values.
 */
import {
  appendFileSync,
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { countHintFile, HINT_MIN_BYTES } from '../../src/journal/count-hint.js';
import { item, loan, recordingLog, removeFolder, tempFolder } from './fixtures/helpers.js';

// countLines, watched: whether a start read the whole journal.
const counted = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/journal/recover.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/journal/recover.js')>();
  return {
    ...original,
    countLines: (...args: Parameters<typeof original.countLines>) => {
      counted.calls++;
      return original.countLines(...args);
    },
  };
});

const LINE = formatLine(loan(item(1)), 'crlf');
/** Lines enough for a journal past the size that gets a hint. */
const LINES = Math.ceil((2 * HINT_MIN_BYTES) / LINE.length);

let dir: string;
let file: string;
let writers: JournalWriter[];

beforeEach(() => {
  dir = tempFolder();
  file = path.join(dir, 'OffCirc.dat');
  writers = [];
  counted.calls = 0;
});

afterEach(async () => {
  for (const w of writers) await w.stop();
  removeFolder(dir);
});

function writer(): JournalWriter {
  const w = new JournalWriter({ path: file, lineEnding: 'crlf', log: recordingLog().log });
  writers.push(w);
  return w;
}

/** A journal of `lines` lines, written directly (no hint). */
function journalOf(lines: number, at = file): void {
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, LINE.repeat(lines), { encoding: 'latin1', mode: 0o600 });
}

const realLines = () => readFileSync(file, 'latin1').split('\n').length - 1;

/** Starts a writer, appends one line, stops: leaves a hint; returns the line number appended. */
async function runOnce(): Promise<{ started: number; appended: number }> {
  const w = writer();
  const { lines } = await w.start();
  const { line } = await w.append(loan(item(2)));
  await w.stop();
  return { started: lines, appended: line };
}

describe('the line count kept beside the journal', () => {
  it('is written at stop for a large journal, and the next start takes it without counting', async () => {
    journalOf(LINES);
    expect(await runOnce()).toEqual({ started: LINES, appended: LINES + 1 });
    expect(counted.calls).toBe(1);
    expect(existsSync(countHintFile(file))).toBe(true);

    counted.calls = 0;
    expect(await runOnce()).toEqual({ started: LINES + 1, appended: LINES + 2 });
    expect(counted.calls).toBe(0);
    expect(realLines()).toBe(LINES + 2);
  });

  it('is not kept for a small journal', async () => {
    journalOf(10);
    expect(await runOnce()).toEqual({ started: 10, appended: 11 });
    expect(existsSync(countHintFile(file))).toBe(false);
  });

  it('is owner-only, like every file offcirc writes', async () => {
    journalOf(LINES);
    await runOnce();
    expect(statSync(countHintFile(file)).mode & 0o077).toBe(0);
  });

  /** Each way the journal or the hint can differ from what the last stop left; the count must be real. */
  const cases: [string, () => void][] = [
    ['missing', () => rmSync(countHintFile(file))],
    ['stale: lines appended after it (a crash, another writer)', () => appendFileSync(file, LINE.repeat(3))],
    ['stale: the journal cut back', () => truncateSync(file, LINE.length * (LINES - 5))],
    [
      'stale: edited in place, same size, one line fewer',
      () => {
        const fd = openSync(file, 'r+');
        writeSync(fd, '  ', LINE.length * 100 - 2);
        closeSync(fd);
      },
    ],
    [
      'stale: replaced by another file of the same size with a line fewer',
      () => {
        const other = path.join(dir, 'other.dat');
        copyFileSync(file, other);
        const fd = openSync(other, 'r+');
        writeSync(fd, '  ', LINE.length * 7 - 2);
        closeSync(fd);
        renameSync(other, file);
      },
    ],
    [
      'planted with a wrong count and everything else right',
      () => {
        const hint = JSON.parse(readFileSync(countHintFile(file), 'utf8')) as { lines: number };
        writeFileSync(countHintFile(file), JSON.stringify({ ...hint, lines: hint.lines + 1000 }));
      },
    ],
    [
      'planted with the right count but a size that is not the file\u2019s',
      () => {
        const hint = JSON.parse(readFileSync(countHintFile(file), 'utf8')) as { size: string };
        writeFileSync(countHintFile(file), JSON.stringify({ ...hint, size: String(Number(hint.size) + 1) }));
      },
    ],
    ['damaged', () => writeFileSync(countHintFile(file), '{"v":1,"lines":')],
    ['not JSON at all', () => writeFileSync(countHintFile(file), 'x'.repeat(5000))],
    ['writable by others', () => chmodSync(countHintFile(file), 0o666)],
    [
      'a symbolic link',
      () => {
        const real = path.join(dir, 'elsewhere');
        renameSync(countHintFile(file), real);
        symlinkSync(real, countHintFile(file));
      },
    ],
  ];

  it.each(cases)('is not believed when %s: the lines are counted', async (_what, change) => {
    journalOf(LINES);
    await runOnce();
    change();
    const expected = realLines();
    counted.calls = 0;
    const w = writer();
    expect((await w.start()).lines).toBe(expected);
    expect(counted.calls).toBe(1);
    expect(await w.append(loan(item(3)))).toEqual({ line: expected + 1 });
    await w.stop();
    expect(realLines()).toBe(expected + 1);
  });

  it('is not believed for a journal the writer repaired (an incomplete last line cut off)', async () => {
    journalOf(LINES);
    await runOnce();
    appendFileSync(file, '20261130');
    counted.calls = 0;
    const w = writer();
    expect((await w.start()).lines).toBe(LINES + 1);
    expect(counted.calls).toBe(1);
  });

  it('is not written when the journal changed under the writer since its last line', async () => {
    journalOf(LINES);
    const w = writer();
    await w.start();
    await w.append(loan(item(2)));
    appendFileSync(file, LINE);
    await w.stop();
    expect(existsSync(countHintFile(file))).toBe(false);
  });

  it('belongs to the journal it was written for: after a rotation the fresh journal is counted', async () => {
    journalOf(LINES);
    await runOnce();
    const w = writer();
    await w.start();
    expect(await w.rotate(path.join(dir, 'outbox', 'rotated.dat'))).toEqual({ lines: LINES + 1 });
    expect(await w.append(loan(item(4)))).toEqual({ line: 1 });
    await w.stop();
    // The old hint is for the rotated file's inode: a journal moved back is still counted right.
    renameSync(path.join(dir, 'outbox', 'rotated.dat'), file);
    counted.calls = 0;
    const again = writer();
    expect((await again.start()).lines).toBe(LINES + 1);
  });
});
