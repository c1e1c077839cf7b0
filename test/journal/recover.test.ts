import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { countLines, lastLineEnd, repairTail } from '../../src/journal/recover.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { item, loan, recordingLog, removeFolder, tempFolder, type LogEntry } from './fixtures/helpers.js';

let dir: string;
let file: string;
let entries: LogEntry[];
let writers: JournalWriter[];

function writer(): JournalWriter {
  const recorded = recordingLog();
  entries = recorded.entries;
  const w = new JournalWriter({ path: file, lineEnding: 'crlf', log: recorded.log });
  writers.push(w);
  return w;
}

const lineOf = (n: number) => formatLine(loan(item(n)), 'crlf');
const lines = (count: number) => Array.from({ length: count }, (_, n) => lineOf(n)).join('');
const partials = () => readdirSync(path.dirname(file)).filter((f) => f.includes('.partial-'));

beforeEach(() => {
  dir = tempFolder();
  file = path.join(dir, 'OffCirc.dat');
  writers = [];
});

afterEach(async () => {
  for (const w of writers) await w.stop();
  removeFolder(dir);
});

describe('start() repairs a journal cut off mid-line', () => {
  it('moves the incomplete last line beside the journal, cuts it off and counts the complete lines', async () => {
    const fragment = '202611301405L3123400';
    writeFileSync(file, lines(2) + fragment);
    const w = writer();
    const started = await w.start();
    expect(started.lines).toBe(2);
    expect(started.recovered?.bytes).toBe(fragment.length);
    expect(started.recovered?.fragmentFile).toMatch(/^.*\/OffCirc\.dat\.partial-\d{8}-\d{6}$/);
    expect(path.dirname(started.recovered!.fragmentFile)).toBe(dir);
    expect(readFileSync(started.recovered!.fragmentFile, 'latin1')).toBe(fragment);
    expect(readFileSync(file, 'latin1')).toBe(lines(2));
    expect(entries).toContainEqual({
      level: 'warn',
      message: 'journal ended in an incomplete line; saved it beside the journal and cut it off',
      fields: { file, ...started.recovered },
    });
    expect(await w.append(loan(item(9)))).toEqual({ line: 3 });
    expect(readFileSync(file, 'latin1')).toBe(lines(2) + lineOf(9));
  });

  it('treats a line cut between CR and LF as incomplete', async () => {
    const whole = lineOf(5);
    writeFileSync(file, lines(1) + whole.slice(0, -1));
    const started = await writer().start();
    expect(started.lines).toBe(1);
    expect(readFileSync(started.recovered!.fragmentFile, 'latin1')).toBe(whole.slice(0, -1));
    expect(readFileSync(file, 'latin1')).toBe(lines(1));
  });

  it('cuts a journal that is only a fragment (no line ending at all) to 0', async () => {
    writeFileSync(file, '2026113014');
    const started = await writer().start();
    expect(started).toEqual({ lines: 0, recovered: { fragmentFile: expect.any(String), bytes: 10 } });
    expect(readFileSync(file).length).toBe(0);
    expect(readFileSync(started.recovered!.fragmentFile, 'latin1')).toBe('2026113014');
  });

  it('keeps binary garbage exactly, byte for byte', async () => {
    const garbage = Buffer.from([0x00, 0xff, 0x0d, 0x1b, 0x80, 0x41]);
    writeFileSync(file, Buffer.concat([Buffer.from(lines(1), 'latin1'), garbage]));
    const started = await writer().start();
    expect(readFileSync(started.recovered!.fragmentFile).equals(garbage)).toBe(true);
  });

  it('does nothing to a journal that ends in a complete line, or an empty one', async () => {
    writeFileSync(file, lines(3));
    const w = writer();
    expect(await w.start()).toEqual({ lines: 3 });
    await w.stop();
    writeFileSync(file, '');
    expect(await writer().start()).toEqual({ lines: 0 });
    expect(partials()).toEqual([]);
  });

  it('never overwrites an earlier fragment file, even within the same second', async () => {
    const w = writer();
    writeFileSync(file, 'first');
    const one = await w.start();
    await w.stop();
    writeFileSync(file, 'second', { flag: 'a' });
    const two = await w.start();
    expect(two.recovered!.fragmentFile).not.toBe(one.recovered!.fragmentFile);
    expect(readFileSync(one.recovered!.fragmentFile, 'latin1')).toBe('first');
    expect(readFileSync(two.recovered!.fragmentFile, 'latin1')).toBe('second');
    expect(partials()).toHaveLength(2);
  });

  it('refuses to start, cutting nothing, if the fragment cannot be saved', async () => {
    // 244 characters: the journal and its lock fit in a file name, "<name>.partial-…" doesn't.
    const journal = path.join(dir, `${'x'.repeat(240)}.dat`);
    writeFileSync(journal, lines(1) + 'half');
    const w = new JournalWriter({ path: journal, lineEnding: 'crlf', log: recordingLog().log });
    writers.push(w);
    await expect(w.start()).rejects.toThrow(
      /name is too long \(ENAMETOOLONG\) saving the incomplete last line/,
    );
    expect(readFileSync(journal, 'latin1')).toBe(lines(1) + 'half');
    // It gave the lock back: the journal is free for the next attempt.
    expect(readdirSync(dir)).toEqual([path.basename(journal)]);
  });
});

describe('reading only the tail', () => {
  /** Runs the repair directly to see how much it read. */
  async function repair(at: string) {
    const handle = await open(at, 'r+');
    try {
      return await repairTail(handle, at);
    } finally {
      await handle.close();
    }
  }

  it('reads the same small tail for a 10-line and a 10 MB journal', async () => {
    const small = path.join(dir, 'small.dat');
    const large = path.join(dir, 'large.dat');
    writeFileSync(small, lines(10) + 'cut');
    const body = Buffer.from(lines(1000), 'latin1');
    const copies = Math.ceil((10 * 1024 * 1024) / body.length);
    writeFileSync(large, Buffer.concat([...Array.from({ length: copies }, () => body), Buffer.from('cut')]));

    const a = await repair(small);
    const b = await repair(large);
    expect(a.recovered?.bytes).toBe(3);
    expect(b.recovered?.bytes).toBe(3);
    expect(b.size).toBe(copies * body.length);
    expect(a.bytesRead).toBeLessThanOrEqual(4096);
    expect(b.bytesRead).toBe(4096);
    expect(readFileSync(large).subarray(-2).toString('latin1')).toBe('\r\n');

    // And start() on the large one counts every line.
    writeFileSync(large, 'cut', { flag: 'a' });
    const w = new JournalWriter({ path: large, lineEnding: 'crlf', log: recordingLog().log });
    writers.push(w);
    expect((await w.start()).lines).toBe(copies * 1000);
  });

  it('reads backwards further only while it finds no line ending', async () => {
    const at = path.join(dir, 'long-fragment.dat');
    const fragment = 'A'.repeat(300_000);
    writeFileSync(at, lines(3) + fragment);
    const result = await repair(at);
    expect(result.recovered?.bytes).toBe(300_000);
    expect(result.bytesRead).toBeGreaterThan(300_000);
    expect(result.bytesRead).toBeLessThanOrEqual(300_000 + lines(3).length);
    expect(readFileSync(result.recovered!.fragmentFile, 'latin1')).toBe(fragment);
    expect(readFileSync(at, 'latin1')).toBe(lines(3));
  });

  it('lastLineEnd finds the offset past the last newline', async () => {
    const at = path.join(dir, 'x.dat');
    for (const [text, end] of [
      ['', 0],
      ['abc', 0],
      ['\n', 1],
      ['a\nb', 2],
      ['a\nb\n', 4],
    ] as const) {
      writeFileSync(at, text);
      const handle = await open(at, 'r');
      expect((await lastLineEnd(handle, text.length)).end).toBe(end);
      await handle.close();
    }
  });
});

describe('countLines', () => {
  it('counts line endings across chunk boundaries', async () => {
    const at = path.join(dir, 'count.dat');
    // 2.5 MiB of short lines: newlines fall on and around the 1 MiB chunk edges.
    const text = 'x\n'.repeat(1_310_720) + 'tail';
    writeFileSync(at, text);
    const handle = await open(at, 'r');
    expect(await countLines(handle)).toBe(1_310_720);
    await handle.close();
  });
});
