/**
 * The journal against real failing disks: a full 16 KiB tmpfs, an immutable file, a read-only file
 * system. The tmpfs lives in a user namespace (no root needed, see test/helpers/small-disk.ts); the
 * immutable flag needs root. What this machine can't do is skipped with a one-line reason.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { JournalWriteError, JournalWriter } from '../../src/journal/writer.js';
import { describeNeeding, rootProblem, toolProblem } from '../helpers/needs.js';
import { smallDisk, smallDiskProblem, type SmallDisk } from '../helpers/small-disk.js';
import {
  item,
  loan,
  recordingLog,
  removeFolder,
  run,
  tempFolder,
  type LogEntry,
} from './fixtures/helpers.js';

/** A plain folder for the tests that need no small disk. */
let folder: string;
let disks: SmallDisk[];
let entries: LogEntry[];
let writers: JournalWriter[];
let immutable: string[];

function writer(file: string): JournalWriter {
  const recorded = recordingLog();
  entries = recorded.entries;
  const w = new JournalWriter({ path: file, lineEnding: 'crlf', log: recorded.log });
  writers.push(w);
  return w;
}

const lineOf = (n: number) => formatLine(loan(item(n)), 'crlf');

/** Writes 1 KiB blocks into `file` until the file system says it is full; returns the bytes written. */
function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1024, 0x78);
  let total = 0;
  try {
    for (;;) total += writeSync(fd, block);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return total;
}

/** A tmpfs of `sizeKiB` KiB, ended after the test. */
async function disk(sizeKiB: number): Promise<SmallDisk> {
  const made = await smallDisk(sizeKiB);
  disks.push(made);
  return made;
}

beforeEach(() => {
  folder = tempFolder('offcirc-disk-');
  writers = [];
  immutable = [];
  disks = [];
});

afterEach(async () => {
  for (const f of immutable) run('chattr', ['-i', f]);
  for (const w of writers) await w.stop().catch(() => undefined);
  for (const d of disks) await d.close();
  removeFolder(folder);
});

describeNeeding(smallDiskProblem(), 'a full disk (a real 16 KiB tmpfs)', () => {
  it('reports "disk full", leaves no part of the line, and works again after space is freed and probe() succeeds', async () => {
    const { dir } = await disk(16);
    const file = path.join(dir, 'files', 'OffCirc.dat');
    const w = writer(file);
    await w.start();
    for (let n = 0; n < 3; n++) await w.append(loan(item(n)));

    const filler = path.join(dir, 'filler');
    expect(fillUp(filler)).toBeGreaterThan(0);

    // The journal's last page may still have room for a few lines; the disk is full once one fails.
    let failure: unknown;
    let before = readFileSync(file);
    let linesBefore = w.lines;
    for (let n = 3; n < 200 && failure === undefined; n++) {
      before = readFileSync(file);
      linesBefore = w.lines;
      await w.append(loan(item(n))).catch((error: unknown) => (failure = error));
    }
    expect(failure).toBeInstanceOf(JournalWriteError);
    expect((failure as JournalWriteError).message).toBe(`disk full (ENOSPC) writing ${file}`);
    expect((failure as JournalWriteError).reason).toBe('disk full');
    expect((failure as JournalWriteError).code).toBe('ENOSPC');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(w.lines).toBe(linesBefore);

    // Still full: a second attempt fails the same way and still leaves nothing.
    await expect(w.append(loan(item(500)))).rejects.toThrow(`disk full (ENOSPC) writing ${file}`);
    expect(readFileSync(file).equals(before)).toBe(true);
    await expect(w.probe()).rejects.toThrow(
      /^disk full \(ENOSPC\) writing a test file .*\/\.OffCirc\.dat\.probe-[0-9a-f]{16}$/,
    );
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['OffCirc.dat', 'OffCirc.dat.lock']);

    unlinkSync(filler);
    await w.probe();
    expect(await w.append(loan(item(501)))).toEqual({ line: linesBefore + 1 });
    expect(readFileSync(file, 'latin1')).toBe(before.toString('latin1') + lineOf(501));
  });

  it('refuses to start plainly when even the lock file cannot be written', async () => {
    const { dir } = await disk(16);
    fillUp(path.join(dir, 'filler'));
    const file = path.join(dir, 'OffCirc.dat');
    await expect(writer(file).start()).rejects.toThrow(
      /^disk full \(ENOSPC\) writing the lock .*OffCirc\.dat\.lock$/,
    );
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describeNeeding(
  rootProblem('chattr +i sets a flag only root may set') ?? toolProblem('chattr', 'e2fsprogs'),
  'permission denied (chattr +i: root ignores file modes, not this flag)',
  () => {
    it('reports "permission denied" for an immutable journal and writes again once it is mutable', async () => {
      const file = path.join(folder, 'OffCirc.dat');
      const w = writer(file);
      await w.start();
      await w.append(loan(item(1)));
      run('chattr', ['+i', file]);
      immutable.push(file);
      const attempt = w.append(loan(item(2)));
      await expect(attempt).rejects.toBeInstanceOf(JournalWriteError);
      await expect(attempt).rejects.toThrow(`permission denied (EPERM) writing ${file}`);
      expect(readFileSync(file, 'latin1')).toBe(lineOf(1));
      expect(entries.filter((e) => e.level === 'error')).toEqual([]);

      run('chattr', ['-i', file]);
      immutable.pop();
      await w.probe();
      expect(await w.append(loan(item(3)))).toEqual({ line: 2 });
      expect(readFileSync(file, 'latin1')).toBe(lineOf(1) + lineOf(3));
    });

    it('refuses to start on an immutable journal, saying why', async () => {
      const file = path.join(folder, 'OffCirc.dat');
      const w = writer(file);
      await w.start();
      await w.append(loan(item(1)));
      await w.stop();
      run('chattr', ['+i', file]);
      immutable.push(file);
      await expect(writer(file).start()).rejects.toThrow(`permission denied (EPERM) opening ${file}`);
      expect(existsSync(`${file}.lock`)).toBe(false);
    });
  },
);

describeNeeding(smallDiskProblem(), 'a read-only file system (EROFS)', () => {
  it('refuses to start on a file system remounted read-only, and starts once it is writable again', async () => {
    const small = await disk(64);
    const file = path.join(small.dir, 'OffCirc.dat');
    const first = writer(file);
    await first.start();
    await first.append(loan(item(1)));
    await first.stop();

    await small.remount('ro');
    const attempt = writer(file).start();
    await expect(attempt).rejects.toBeInstanceOf(JournalWriteError);
    await expect(attempt).rejects.toThrow(/^read-only file system \(EROFS\) /);
    expect(readFileSync(file, 'latin1')).toBe(lineOf(1));

    await small.remount('rw');
    const again = writer(file);
    expect(await again.start()).toEqual({ lines: 1 });
    expect(await again.append(loan(item(2)))).toEqual({ line: 2 });
  });

  it('while running: a read-only file system over the folder fails plainly; lines never go astray', async () => {
    const small = await disk(64);
    const file = path.join(small.dir, 'OffCirc.dat');
    const w = writer(file);
    await w.start();
    await w.append(loan(item(1)));

    // What the kiosk sees when the folder now belongs to a read-only file system.
    await small.stack('ro,size=16k');
    await expect(w.append(loan(item(2)))).rejects.toThrow(/^read-only file system \(EROFS\) /);
    await expect(w.probe()).rejects.toThrow(/^read-only file system \(EROFS\) /);
    // Nothing claims a new file was started while none could be.
    expect(entries.filter((e) => /continuing/.test(e.message))).toEqual([]);

    await small.unmount();
    await w.probe();
    expect(await w.append(loan(item(3)))).toEqual({ line: 2 });
    expect(readFileSync(file, 'latin1')).toBe(lineOf(1) + lineOf(3));
    await w.stop();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
