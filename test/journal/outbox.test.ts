import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  OutboxCounter,
  OutboxWatch,
  outboxWaiting,
  rotateJournal,
  rotatedPath,
} from '../../src/journal/outbox.js';

describe('outbox file names', () => {
  it('name the station and the local time, and stay in time order when two rotations share a second', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-outbox-'));
    const at = new Date(2026, 10, 30, 14, 3, 12).getTime();
    const first = rotatedPath(dir, 'desk-1', at);
    expect(path.basename(first)).toBe('OffCirc-desk-1-20261130-140312.dat');
    writeFileSync(first, '');
    const second = rotatedPath(dir, 'desk-1', at + 400);
    expect(path.basename(second)).toBe('OffCirc-desk-1-20261130-140313.dat');
    writeFileSync(second, '');
    const third = rotatedPath(dir, 'desk-1', at);
    expect([first, second, third].map((f) => path.basename(f)).sort()).toEqual(
      [first, second, third].map((f) => path.basename(f)),
    );
  });

  it('counts the transactions waiting, and nothing for a missing outbox', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-outbox-'));
    expect(await outboxWaiting(path.join(dir, 'none'))).toEqual({ files: 0, transactions: 0 });
    writeFileSync(path.join(dir, 'OffCirc-a-20261130-140312.dat'), 'x\r\ny\r\n');
    writeFileSync(path.join(dir, 'OffCirc-b-20261130-140312.dat'), 'z\r\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a journal\n');
    expect(await outboxWaiting(dir)).toEqual({ files: 2, transactions: 3 });
  });
});

describe('outbox counter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'offcirc-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only files that are new or changed since the last count', async () => {
    writeFileSync(path.join(dir, 'OffCirc-a-1.dat'), 'x\r\ny\r\n');
    writeFileSync(path.join(dir, 'OffCirc-b-1.dat'), 'z\r\n');
    const counter = new OutboxCounter(dir);
    expect(counter.current).toBeUndefined();
    expect(await counter.refresh()).toEqual({ files: 2, transactions: 3, refused: [], bytesRead: 9 });
    expect(await counter.refresh()).toEqual({ files: 2, transactions: 3, refused: [], bytesRead: 0 });
    appendFileSync(path.join(dir, 'OffCirc-b-1.dat'), 'w\r\n');
    writeFileSync(path.join(dir, 'OffCirc-c-1.dat'), 'v\r\n');
    expect(await counter.refresh()).toMatchObject({ files: 3, transactions: 5, bytesRead: 9 });
    unlinkSync(path.join(dir, 'OffCirc-a-1.dat'));
    expect(await counter.refresh()).toEqual({ files: 2, transactions: 3, refused: [], bytesRead: 0 });
    expect(counter.current).toMatchObject({ files: 2, transactions: 3 });
  });

  it('a refresh asked for while one runs counts what changed meanwhile (a rotation just added a file)', async () => {
    writeFileSync(path.join(dir, 'OffCirc-a-1.dat'), 'x\r\n'.repeat(100_000));
    const counter = new OutboxCounter(dir);
    const first = counter.refresh();
    writeFileSync(path.join(dir, 'OffCirc-b-1.dat'), 'y\r\n');
    const [a, b, c] = await Promise.all([first, counter.refresh(), counter.refresh()]);
    // Before, every call while a count ran got that same count, which may have missed the new file.
    expect(b).not.toBe(a);
    expect(b).toBe(c);
    expect(b).toMatchObject({ files: 2, transactions: 100_001 });
    expect(a.transactions).toBeLessThanOrEqual(100_001);
  });

  it('counting a 64 MiB file never holds the event loop (scans) for more than a few milliseconds at a time', async () => {
    const line = '202611301402L31234000000016' + ' '.repeat(66) + '21234000000018\r\n';
    const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
    const fd = openSync(path.join(dir, 'OffCirc-big-1.dat'), 'w');
    for (let i = 0; i < 64; i++) writeSync(fd, block);
    closeSync(fd);
    // Counted in event-loop turns, not milliseconds: each turn is a chance for a scan to be read.
    let turns = 0;
    let counting = true;
    const spin = () => {
      turns++;
      if (counting) setImmediate(spin);
    };
    setImmediate(spin);
    const counted = await new OutboxCounter(dir).refresh();
    counting = false;
    expect(counted.transactions).toBe(64 * Math.floor((1 << 20) / line.length));
    // Before: one readFile and a loop over every byte held the loop for the whole file, in one turn.
    // Now it yields between its 1 MiB chunks: at least one turn per chunk.
    expect(turns).toBeGreaterThanOrEqual(64);
  });

  it('a FIFO named *.dat is never opened: the count finishes at once and says why it left it out', async () => {
    writeFileSync(path.join(dir, 'OffCirc-a-1.dat'), 'x\r\n');
    execFileSync('mkfifo', [path.join(dir, 'OffCirc-fifo.dat')]);
    const counted = await new OutboxCounter(dir).refresh();
    expect(counted).toEqual({
      files: 1,
      transactions: 1,
      refused: [
        {
          name: 'OffCirc-fifo.dat',
          reason: 'not a regular file (a link, FIFO, device or folder); not opened',
        },
      ],
      bytesRead: 3,
    });
    expect(await outboxWaiting(dir)).toEqual({ files: 1, transactions: 1 });
  });

  it('a link named *.dat is not followed', async () => {
    const secret = path.join(mkdtempSync(path.join(tmpdir(), 'offcirc-secret-')), 'secret');
    writeFileSync(secret, 'a\nb\nc\n');
    symlinkSync(secret, path.join(dir, 'OffCirc-link.dat'));
    symlinkSync('/dev/zero', path.join(dir, 'OffCirc-zero.dat'));
    expect(await new OutboxCounter(dir).refresh()).toMatchObject({ files: 0, transactions: 0, bytesRead: 0 });
    rmSync(path.dirname(secret), { recursive: true });
  });
});

describe('rotating into the outbox', () => {
  it('refuses an outbox that is a link to another folder, and leaves the journal as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-outbox-'));
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'offcirc-elsewhere-'));
    symlinkSync(elsewhere, path.join(dir, 'outbox'));
    const journal = path.join(dir, 'OffCirc.dat');
    let rotated = false;
    const writer = {
      path: journal,
      rotate: () => {
        rotated = true;
        return Promise.resolve({ lines: 1 });
      },
    };
    await expect(
      rotateJournal({
        writer,
        station: 'desk',
        at: Date.now(),
        history: { recordRotation: () => undefined },
      }),
    ).rejects.toThrow(
      `${path.join(dir, 'outbox')}: it is a symbolic link; offcirc follows no links to the folders it writes`,
    );
    expect(rotated).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(dir, { recursive: true });
    rmSync(elsewhere, { recursive: true });
  });
});

describe('outbox watch (what the station runs)', () => {
  it('start() returns before counting; it reports changes, warns once about a FIFO, and recounts on its timer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-outbox-'));
    writeFileSync(path.join(dir, 'OffCirc-a-1.dat'), 'x\r\n');
    execFileSync('mkfifo', [path.join(dir, 'OffCirc-fifo.dat')]);
    const changes: number[] = [];
    const warnings: string[] = [];
    const watch = new OutboxWatch(dir, {
      onChange: (n) => changes.push(n),
      warn: (message) => warnings.push(message),
      intervalMs: 20,
    });
    watch.start();
    expect(changes).toEqual([]); // nothing counted yet: start() did not wait
    await expect.poll(() => changes).toEqual([1]);
    writeFileSync(path.join(dir, 'OffCirc-b-1.dat'), 'y\r\nz\r\n');
    await expect.poll(() => changes).toEqual([1, 3]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    watch.stop();
    expect(changes).toEqual([1, 3]);
    expect(warnings).toEqual([
      'outbox: left OffCirc-fifo.dat out of the count: not a regular file (a link, FIFO, device or folder); not opened',
    ]);
    rmSync(dir, { recursive: true });
  });
});
