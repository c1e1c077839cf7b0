import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { parseLock, processStart } from '../../src/journal/lock.js';
import { JournalLockedError, JournalWriter } from '../../src/journal/writer.js';
import { buildChild, startChild, type Child } from './fixtures/child.js';
import { item, loan, recordingLog, removeFolder, tempFolder, type LogEntry } from './fixtures/helpers.js';

let dir: string;
let file: string;
let lockFile: string;
let entries: LogEntry[];
let writers: JournalWriter[];
let children: Child[];

function writer(): JournalWriter {
  const recorded = recordingLog();
  entries = recorded.entries;
  const w = new JournalWriter({ path: file, lineEnding: 'crlf', log: recorded.log });
  writers.push(w);
  return w;
}

/** A pid that surely belongs to no process: one that just ended and was reaped. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', '']);
  return done.pid;
}

const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

beforeEach(() => {
  dir = tempFolder();
  file = path.join(dir, 'files', 'OffCirc.dat');
  lockFile = `${file}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  writers = [];
  children = [];
});

afterEach(async () => {
  for (const w of writers) await w.stop();
  for (const c of children) {
    c.process.kill('SIGKILL');
    await c.exited;
  }
  removeFolder(dir);
});

describe('journal lock', () => {
  it('is a file beside the journal holding our pid while running, removed by stop()', async () => {
    const w = writer();
    await w.start();
    const content = readFileSync(lockFile, 'utf8');
    expect(content.split('\n')[0]).toBe(String(process.pid));
    expect(processStart(process.pid)).toMatch(/^\d+$/);
    expect(parseLock(content)).toEqual({
      pid: process.pid,
      boot: bootId(),
      start: processStart(process.pid),
    });
    await w.stop();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('keeps a second writer in the same process out, naming the file and pid', async () => {
    await writer().start();
    const second = writer();
    const attempt = second.start();
    await expect(attempt).rejects.toBeInstanceOf(JournalLockedError);
    await expect(attempt).rejects.toThrow(
      `journal ${file} is in use by another offcirc (pid ${process.pid}); stop that one first`,
    );
    await expect(second.append(loan(item(1)))).rejects.toThrow(/not running/);
    // The loser must not have removed the winner's lock.
    expect(parseLock(readFileSync(lockFile, 'utf8'))?.pid).toBe(process.pid);
  });

  describe('with another process', () => {
    let script: string;
    let buildDir: string;
    beforeAll(async () => {
      buildDir = tempFolder('offcirc-child-');
      script = await buildChild(buildDir);
    });
    afterAll(() => removeFolder(buildDir));

    it('keeps us out while a child process holds the journal, and lets us in once it stopped', async () => {
      const child = startChild(script, ['hold', file]);
      children.push(child);
      await child.waitFor((l) => l.startsWith('started'));
      const w = writer();
      const attempt = w.start();
      await expect(attempt).rejects.toBeInstanceOf(JournalLockedError);
      const error = (await attempt.catch((e: unknown) => e)) as JournalLockedError;
      expect(error.pid).toBe(child.process.pid);
      expect(error.file).toBe(file);
      expect(error.message).toBe(
        `journal ${file} is in use by another offcirc (pid ${child.process.pid}); stop that one first`,
      );
      child.process.stdin?.end();
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(lockFile)).toBe(false);
      expect(await w.start()).toEqual({ lines: 0 });
      expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
    });

    it('takes over the lock of a child that was killed, with a warning', async () => {
      const child = startChild(script, ['hold', file]);
      children.push(child);
      await child.waitFor((l) => l.startsWith('started'));
      child.process.kill('SIGKILL');
      await child.exited;
      expect(parseLock(readFileSync(lockFile, 'utf8'))?.pid).toBe(child.process.pid);
      const w = writer();
      await w.start();
      expect(parseLock(readFileSync(lockFile, 'utf8'))?.pid).toBe(process.pid);
      expect(entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: `took over a stale journal lock: pid ${child.process.pid} is no longer running`,
        }),
      );
    });

    it('keeps a child out while we hold the journal: it fails naming our pid', async () => {
      await writer().start();
      const child = startChild(script, ['hold', file]);
      children.push(child);
      const said = await child.waitFor((l) => l.startsWith('failed'));
      expect(said).toBe(
        `failed JournalLockedError: journal ${file} is in use by another offcirc (pid ${process.pid}); stop that one first`,
      );
      expect((await child.exited).code).toBe(3);
      expect(parseLock(readFileSync(lockFile, 'utf8'))?.pid).toBe(process.pid);
    });
  });

  describe('stale locks are taken over with a warning', () => {
    const cases: Array<[string, () => string, RegExp]> = [
      ['a dead pid', () => `${deadPid()}\n`, /pid \d+ is no longer running/],
      ['an empty file', () => '', /content is not a pid/],
      ['garbage', () => 'hello\u0000\u00ff\n', /content is not a pid/],
      ['pid 0', () => '0\n', /content is not a pid/],
      ['a negative pid', () => '-1\n', /content is not a pid/],
      [
        'a pid from before the last restart',
        () => `1\nboot 00000000-0000-0000-0000-000000000000\n`,
        /before the last restart/,
      ],
      // After a power cut the kiosk may well come back with the very pid the lock names.
      ['our own pid, left by a previous run', () => `${process.pid}\n`, /is this process now/],
    ];
    it.each(cases)('%s', async (_name, content, reason) => {
      writeFileSync(lockFile, content());
      const w = writer();
      await w.start();
      expect(parseLock(readFileSync(lockFile, 'utf8'))).toEqual({
        pid: process.pid,
        boot: bootId(),
        start: processStart(process.pid),
      });
      const warning = entries.find((e) => e.level === 'warn');
      expect(warning?.message).toMatch(reason);
      expect(warning?.fields).toEqual({ lock: lockFile });
      expect(readdirSync(path.dirname(file)).sort()).toEqual(['OffCirc.dat', 'OffCirc.dat.lock']);
    });
  });

  // Before: a lock naming any live process (pid 1 here) kept the kiosk out for ever.
  it.each([
    [
      'pid 1, from an older offcirc that wrote no start time',
      () => `1\nboot ${bootId()}\n`,
      /pid 1 is not offcirc/,
    ],
    [
      'pid 1 with a start time of another process (a pid reused)',
      () => `1\nboot ${bootId()}\nstart ${Number(processStart(1)) + 12345}\n`,
      /pid 1 is now another process/,
    ],
  ])('takes over a lock naming a live process that is not its owner: %s', async (_name, content, reason) => {
    writeFileSync(lockFile, content());
    await writer().start();
    expect(parseLock(readFileSync(lockFile, 'utf8'))?.pid).toBe(process.pid);
    expect(entries.find((e) => e.level === 'warn')?.message).toMatch(reason);
  });

  it('keeps out while a live offcirc holds the lock: same start time, or (older lock) offcirc in its command line', async () => {
    const inProcess = new JournalWriter({ path: file, lineEnding: 'crlf', log: () => undefined });
    // A live child stands for the other kiosk (our own pid counts as stale unless this process holds it).
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'offcirc-holder']);
    onTestFinished(() => void child.kill('SIGKILL'));
    await new Promise((r) => child.once('spawn', r));
    writeFileSync(lockFile, `${child.pid}\nboot ${bootId()}\n`);
    await expect(inProcess.start()).rejects.toThrow(`in use by another offcirc (pid ${child.pid})`);
    writeFileSync(lockFile, `${child.pid}\nboot ${bootId()}\nstart ${processStart(child.pid!)}\n`);
    await expect(inProcess.start()).rejects.toThrow(`in use by another offcirc (pid ${child.pid})`);
  });

  it('stop() leaves a lock that someone else put in place of ours', async () => {
    const w = writer();
    await w.start();
    writeFileSync(`${lockFile}.new`, '1\n');
    renameSync(`${lockFile}.new`, lockFile);
    await w.stop();
    expect(readFileSync(lockFile, 'utf8')).toBe('1\n');
    expect(entries.some((e) => e.level === 'warn' && /replaced by someone else/.test(e.message))).toBe(true);
  });
});

describe('parseLock', () => {
  it.each([
    ['1234\n', { pid: 1234, boot: undefined }],
    ['1234', { pid: 1234, boot: undefined }],
    ['1234\nboot ab-12\n', { pid: 1234, boot: 'ab-12' }],
    ['1234\nboot ab-12\nstart 987\n', { pid: 1234, boot: 'ab-12', start: '987' }],
    ['1234\nstart x\n', undefined],
    ['', undefined],
    ['12 34\n', undefined],
    ['0\n', undefined],
    ['99999999999\n', undefined],
    ['1234\nsomething else\n', undefined],
  ])('%j', (text, expected) => {
    expect(parseLock(text)).toEqual(expected);
  });
});
