/**
 * The journal against real failing disks: a full 16 KiB tmpfs, an immutable file, a read-only file
 * system. These need root (mount, chattr); without it they fail and say so.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { JournalWriteError, JournalWriter } from '../../src/journal/writer.js';
import {
  item,
  loan,
  mountTmpfs,
  recordingLog,
  removeFolder,
  run,
  tempFolder,
  unmountAll,
  type LogEntry,
} from './fixtures/helpers.js';

let mountPoint: string;
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

beforeEach(() => {
  mountPoint = tempFolder('offcirc-disk-');
  writers = [];
  immutable = [];
});

afterEach(async () => {
  for (const f of immutable) run('chattr', ['-i', f]);
  for (const w of writers) await w.stop().catch(() => undefined);
  unmountAll(mountPoint);
  removeFolder(mountPoint);
});

describe('a full disk (a real 16 KiB tmpfs)', () => {
  it('reports "disk full", leaves no part of the line, and works again after space is freed and probe() succeeds', async () => {
    mountTmpfs(mountPoint, 'size=16k');
    const file = path.join(mountPoint, 'files', 'OffCirc.dat');
    const w = writer(file);
    await w.start();
    for (let n = 0; n < 3; n++) await w.append(loan(item(n)));

    const filler = path.join(mountPoint, 'filler');
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
    mountTmpfs(mountPoint, 'size=16k');
    fillUp(path.join(mountPoint, 'filler'));
    const file = path.join(mountPoint, 'OffCirc.dat');
    await expect(writer(file).start()).rejects.toThrow(
      /^disk full \(ENOSPC\) writing the lock .*OffCirc\.dat\.lock$/,
    );
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('permission denied (chattr +i: root ignores file modes, not this flag)', () => {
  it('reports "permission denied" for an immutable journal and writes again once it is mutable', async () => {
    const file = path.join(mountPoint, 'OffCirc.dat');
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
    const file = path.join(mountPoint, 'OffCirc.dat');
    const w = writer(file);
    await w.start();
    await w.append(loan(item(1)));
    await w.stop();
    run('chattr', ['+i', file]);
    immutable.push(file);
    await expect(writer(file).start()).rejects.toThrow(`permission denied (EPERM) opening ${file}`);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('a read-only file system (EROFS)', () => {
  it('refuses to start on a file system remounted read-only, and starts once it is writable again', async () => {
    mountTmpfs(mountPoint, 'size=64k');
    const file = path.join(mountPoint, 'OffCirc.dat');
    const first = writer(file);
    await first.start();
    await first.append(loan(item(1)));
    await first.stop();

    run('mount', ['-o', 'remount,ro', mountPoint]);
    const attempt = writer(file).start();
    await expect(attempt).rejects.toBeInstanceOf(JournalWriteError);
    await expect(attempt).rejects.toThrow(/^read-only file system \(EROFS\) /);
    expect(readFileSync(file, 'latin1')).toBe(lineOf(1));

    run('mount', ['-o', 'remount,rw', mountPoint]);
    const again = writer(file);
    expect(await again.start()).toEqual({ lines: 1 });
    expect(await again.append(loan(item(2)))).toEqual({ line: 2 });
  });

  it('while running: a read-only file system over the folder fails plainly; lines never go astray', async () => {
    mountTmpfs(mountPoint, 'size=64k');
    const file = path.join(mountPoint, 'OffCirc.dat');
    const w = writer(file);
    await w.start();
    await w.append(loan(item(1)));

    // What the kiosk sees when the folder now belongs to a read-only file system.
    mountTmpfs(mountPoint, 'ro,size=16k');
    await expect(w.append(loan(item(2)))).rejects.toThrow(/^read-only file system \(EROFS\) /);
    await expect(w.probe()).rejects.toThrow(/^read-only file system \(EROFS\) /);
    // Nothing claims a new file was started while none could be.
    expect(entries.filter((e) => /continuing/.test(e.message))).toEqual([]);

    run('umount', [mountPoint]);
    await w.probe();
    expect(await w.append(loan(item(3)))).toEqual({ line: 2 });
    expect(readFileSync(file, 'latin1')).toBe(lineOf(1) + lineOf(3));
    await w.stop();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
