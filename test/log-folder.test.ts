/**
 * The log on real files: repeats collapsed into a summary, the folder kept under its size cap and its age
 * limit, files owner-only whatever the umask.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateConfig } from '../src/config/load.js';
import { createLogger, type LoggerOptions } from '../src/log.js';
import { LogFile } from '../src/log-file.js';
import { Collapser, kindOf, type Collapsible } from '../src/log-collapse.js';
import { fuzzRuns } from './fuzz/runs.js';
import fc from 'fast-check';
import type { KioskEvent } from '../src/kiosk/events.js';
import { waitFor } from './helpers/pty.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-logdir-'));
  dirs.push(dir);
  return dir;
}

/** Every record in the folder's log files, oldest file first. */
function recordsIn(dir: string): Record<string, unknown>[] {
  return logFiles(dir).flatMap((name) =>
    readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}
/** The log files, in the order they were written (by date, then part). */
function logFiles(dir: string): string[] {
  const order = (name: string) => {
    const m = /^offcirc-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/.exec(name);
    return m ? `${m[1]}.${(m[2] ?? '0').padStart(6, '0')}` : '';
  };
  return readdirSync(dir)
    .filter((n) => order(n) !== '')
    .sort((a, b) => (order(a) < order(b) ? -1 : 1));
}
const folderBytes = (dir: string) =>
  readdirSync(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);

const rejected = (device: string, text: string): KioskEvent => ({
  type: 'rejected',
  reason: 'not a library card or item barcode',
  device,
  text,
  at: 0,
});
const returned = (item: string, line: number): KioskEvent => ({
  type: 'transaction',
  transaction: { kind: 'return', item, at: 0, device: 'front' },
  line,
});

function logger(dir: string, extra: Partial<LoggerOptions> = {}) {
  return createLogger({ level: 'info', station: 'desk-1', dir, ...extra });
}

describe('the log collapses repeats', () => {
  it('a pasted run of F1 codes: a hundred mode lines and one summary, written at close', async () => {
    const dir = tempDir();
    const log = logger(dir);
    for (let i = 0; i < 333_337; i++) log.event({ type: 'mode', mode: 'loan', at: 0 });
    await log.close();
    const records = recordsIn(dir);
    expect(records.map((r) => r.message)).toEqual([
      ...Array<string>(100).fill('mode: loan'),
      '… and 333,237 more like it in the last minute',
    ]);
    expect(records[100]).toMatchObject({
      event: 'mode',
      mode: 'loan',
      repeated: 333_237,
      like: 'mode: loan',
    });
    expect(folderBytes(dir)).toBeLessThan(20_000); // 333,337 lines would be some 40 MB
  });

  it('two stuck scanners interleaving different garbage: each collapsed on its own; transactions never', async () => {
    const dir = tempDir();
    let clock = Date.parse('2026-12-02T10:00:00');
    const log = logger(dir, { now: () => clock });
    for (let i = 0; i < 10_000; i++) {
      log.event(rejected('front', 'x'.repeat(1 + (i % 7))));
      log.log('warn', `dropped ${1 + (i % 9)} bytes with no line end: 3 letters, starting "${i % 10}a"`, {
        event: 'device',
        device: 'back',
        status: 'warning',
      });
      if (i % 2500 === 0) log.event(returned('31234000000016', i)); // the same return, four times
      clock += 5; // 50 s in all: one window
    }
    clock += 15_000; // past the minute: the next record of a kind starts a new window
    log.event(rejected('front', 'y'));
    await log.close();
    const records = recordsIn(dir);
    const burst = Array.from({ length: 100 }, () => [
      ['rejected', 'front', undefined],
      ['device', 'back', undefined],
    ]).flat();
    burst.splice(2, 0, ['transaction', 'front', undefined]);
    expect(records.map((r) => [r.event, r.device, r.repeated])).toEqual([
      ...burst, // the first hundred of each kind
      ['transaction', 'front', undefined],
      ['transaction', 'front', undefined],
      ['transaction', 'front', undefined],
      // The window of the rejections closed when the next one came after it; the other at close().
      ['rejected', 'front', 9_900],
      ['rejected', 'front', undefined],
      ['device', 'back', 9_900],
    ]);
  });

  it('a person scanning the same wrong card a few times: every one written', async () => {
    const dir = tempDir();
    const log = logger(dir);
    for (let i = 0; i < 3; i++) log.event(rejected('front', '31234000000017'));
    await log.close();
    expect(recordsIn(dir).map((r) => [r.event, r.repeated])).toEqual([
      ['rejected', undefined],
      ['rejected', undefined],
      ['rejected', undefined],
    ]);
  });

  it('the summaries come before the "stopped" record, which stays the last', async () => {
    const dir = tempDir();
    const log = logger(dir);
    for (let i = 0; i < 150; i++) log.event(rejected('front', 'x'));
    log.log('info', 'stopped', { event: 'stopped' });
    await log.close();
    expect(recordsIn(dir).slice(-2)).toMatchObject([
      { event: 'rejected', repeated: 50 },
      { event: 'stopped' },
    ]);
  });

  it("a window's summary is written when it closes, with nothing else logged", async () => {
    const dir = tempDir();
    const log = logger(dir, { collapseWindowMs: 80, collapseBurst: 10 });
    for (let i = 0; i < 50; i++) log.log('warn', 'unreadable scan', { event: 'device', device: 'front' });
    await waitFor(() => recordsIn(dir).length === 11, { what: 'the summary' });
    expect(recordsIn(dir)[10]).toMatchObject({
      message: '… and 40 more like it in the last 0.08 s',
      repeated: 40,
    });
    await log.close();
    expect(recordsIn(dir)).toHaveLength(11);
  });
});

describe('the log folder', () => {
  it('stays under its size cap however much is logged, keeping the newest records', async () => {
    const dir = tempDir();
    const cap = 64 * 1024;
    const log = logger(dir, { maxBytes: cap });
    let largest = 0;
    // About 1.6 MB of distinct records, 25 times the cap.
    for (let i = 0; i < 8000; i++) {
      log.event(returned(String(31234000000000 + i), i));
      if (i % 100 === 0) {
        await new Promise((resolve) => setImmediate(resolve)); // the batch is written
        largest = Math.max(largest, folderBytes(dir));
      }
    }
    await log.close();
    largest = Math.max(largest, folderBytes(dir));
    expect(largest).toBeLessThanOrEqual(cap);
    expect(largest).toBeGreaterThan(cap / 2); // it does fill up to near the cap
    const files = logFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((n) => /^offcirc-\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(n))).toBe(true);
    const records = recordsIn(dir);
    expect(records.at(-1)).toMatchObject({ item: String(31234000000000 + 7999), line: 7999 });
    // Nothing lost in between: the lines kept are the newest ones, in order.
    const lines = records.map((r) => r.line as number);
    expect(lines).toEqual(lines.map((_, k) => lines[0]! + k));
  });

  it("never writes through a link planted at a log file's name, nor into a FIFO there", async () => {
    const dir = tempDir();
    const victim = path.join(tempDir(), 'victim');
    writeFileSync(victim, 'root-only secrets\n');
    const clock = new Date(2026, 11, 2, 12, 0, 0).getTime();
    symlinkSync(victim, path.join(dir, 'offcirc-2026-12-02.log'));
    const log = logger(dir, { now: () => clock });
    log.log('info', 'through the link?', { event: 'probe' });
    await log.close();
    expect(readFileSync(victim, 'utf8')).toBe('root-only secrets\n');
    expect(log.fileProblem).toMatch(/cannot write logs in .*(ELOOP|symbolic link|too many symbolic links)/i);
    const fifoDir = tempDir();
    execFileSync('mkfifo', [path.join(fifoDir, 'offcirc-2026-12-02.log')]);
    const fifoLog = logger(fifoDir, { now: () => clock });
    fifoLog.log('info', 'into the FIFO?', { event: 'probe' });
    await fifoLog.close();
    // Opening a FIFO for writing without blocking fails at once when nobody reads it (ENXIO); with a
    // reader it opens and is refused as not a regular file: either way, nothing is written there.
    expect(fifoLog.fileProblem).toMatch(/cannot write logs in .*(ENXIO|not a regular file)/);
  });

  it('a new day starts a new file, and files older than keepDays go (other files stay)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'offcirc-2026-10-01.log'), '{}\n');
    writeFileSync(path.join(dir, 'offcirc-2026-11-20.3.log'), '{}\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'the technician’s own file\n');
    let clock = new Date(2026, 11, 2, 23, 59, 59).getTime();
    const log = logger(dir, { keepDays: 30, now: () => clock });
    expect(readdirSync(dir).sort()).toEqual([
      'notes.txt',
      'offcirc-2026-11-20.3.log',
      'offcirc-2026-12-02.log',
    ]);
    log.log('info', 'before midnight', { event: 'probe' });
    await new Promise((resolve) => setImmediate(resolve));
    clock += 2000;
    log.log('info', 'after midnight', { event: 'probe', n: 2 });
    await log.close();
    expect(readFileSync(path.join(dir, 'offcirc-2026-12-02.log'), 'utf8')).toContain('before midnight');
    expect(readFileSync(path.join(dir, 'offcirc-2026-12-03.log'), 'utf8')).toContain('after midnight');
    // 2026-11-20 is 13 days old on the 3rd: kept.
    expect(readdirSync(dir)).toContain('offcirc-2026-11-20.3.log');
  });

  it('log files are owner-only (0600) whatever the umask, and an old wider file is narrowed', async () => {
    const dir = tempDir();
    const today = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const name = `offcirc-${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}.log`;
    const before = process.umask(0o000);
    try {
      const fresh = path.join(dir, 'fresh');
      const log = logger(fresh);
      log.log('info', 'hello', { event: 'probe' });
      await log.close();
      expect(statSync(path.join(fresh, name)).mode & 0o777).toBe(0o600);
      expect(statSync(fresh).mode & 0o777).toBe(0o700);

      writeFileSync(path.join(dir, name), '');
      chmodSync(path.join(dir, name), 0o666);
      const again = logger(dir);
      await again.close();
      expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(before);
    }
  });
});

describe('logging.maxSizeMB in the config', () => {
  it('defaults to 200 MiB, and a bad value is refused in plain words', () => {
    const ok = validateConfig({});
    expect('config' in ok && ok.config.logging.maxSizeMB).toBe(200);
    expect(validateConfig({ logging: { maxSizeMB: 0 } })).toEqual({
      problems: ['logging.maxSizeMB: expected a positive number of megabytes, got 0'],
    });
  });
});

describe('LogFile', () => {
  it('refuses a cap it could not keep, naming the option', () => {
    expect(
      () => new LogFile({ dir: tempDir(), keepDays: 1, maxBytes: 1000, onError: () => undefined }),
    ).toThrow('LogFile: maxBytes must be at least 32768, got 1000');
  });
});

describe('fuzz: the collapse loses no count and stays bounded', () => {
  it('records written + the repeats summed up = records logged; at most `burst` + 1 lines per kind and window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 20_000 }),
            event: fc.constantFrom('rejected', 'device', 'mode', 'session'),
            device: fc.constantFrom('front', 'back'),
            message: fc.constantFrom('noise 1', 'noise 22 "ab"', 'other', 'session opened for **0018'),
          }),
          { maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 5 }),
        (records, burst) => {
          let clock = 0;
          const summaries: Collapsible[] = [];
          const collapser = new Collapser((s) => summaries.push(s), { burst, now: () => clock });
          let written = 0;
          const perKind = new Map<string, number>();
          for (const r of records) {
            clock += r.gap;
            const record = {
              level: 'warn',
              message: r.message,
              fields: { event: r.event, device: r.device },
            };
            if (collapser.admit(record)) {
              written++;
              const key = `${kindOf(record)} ${Math.floor(clock / 60_000)}`;
              perKind.set(key, (perKind.get(key) ?? 0) + 1);
            }
          }
          collapser.flush();
          const repeated = summaries.reduce((sum, s) => sum + (s.fields.repeated as number), 0);
          expect(written + repeated).toBe(records.length);
          // A window spans at most two clock minutes, so no minute holds more than two windows' lines.
          for (const count of perKind.values()) expect(count).toBeLessThanOrEqual(2 * burst);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
