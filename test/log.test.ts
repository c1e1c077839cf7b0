import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import fc from 'fast-check';
import { createLogger, eventRecord, isoTimestamps } from '../src/log.js';
import { fuzzRuns } from './fuzz/runs.js';
import { describeNeeding } from './helpers/needs.js';
import { smallDiskProblem } from './helpers/small-disk.js';
import { bundleFixture } from './helpers/ts-child.js';

const loan = {
  type: 'transaction' as const,
  transaction: {
    kind: 'loan' as const,
    item: '31234000000016',
    patron: '21234000000018',
    at: 0,
    device: 'front',
  },
  line: 7,
};

describe('the station log', () => {
  it('writes one JSON line per record to the stream, with the event fields and the patron masked', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLogger({ level: 'info', station: 'desk-1', stream: out });
    logger.event(loan);
    logger.log('debug', 'not at info level');
    await logger.close();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      event: 'transaction',
      kind: 'loan',
      item: '31234000000016',
      patron: '****0018',
      line: 7,
      station: 'desk-1',
      level: 'info',
    });
    expect(typeof record.timestamp).toBe('string');
    expect(text).not.toContain('21234000000018');
  });

  it('masks patrons in session records, and describes a rejected scan without showing it', () => {
    expect(
      eventRecord({ type: 'session', action: 'opened', patron: '21234000000018', at: 0 })[2].patron,
    ).toBe('****0018');
    expect(
      eventRecord({
        type: 'rejected',
        reason: 'check digit wrong: scan again',
        text: '21234000000019',
        at: 0,
      })[2].text,
    ).toBe('14 characters (14 digits, starting "21")');
  });

  it('keeps going when standard output is closed by its reader', async () => {
    const out = new Writable({
      write: (_chunk, _encoding, callback) =>
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    });
    const logger = createLogger({ level: 'info', station: 'desk-1', stream: out });
    logger.event(loan);
    await new Promise((r) => setImmediate(r));
    expect(() => logger.event(loan)).not.toThrow();
    await logger.close();
  });

  /** A stream that collects JSON-lines records. */
  function records() {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return {
      out,
      all: () =>
        text
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  /** A logger writing to `dir` and to a collecting stream, trying a failed file again after 50 ms. */
  function logTo(dir: string) {
    const seen = records();
    const logger = createLogger({ level: 'info', station: 'desk-1', stream: seen.out, dir, fileRetryMs: 50 });
    return { seen, logger };
  }

  it('a log folder that cannot be made: said once, the stream gets every record, tried again later', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-log-'));
    try {
      const blocker = path.join(dir, 'file');
      writeFileSync(blocker, '');
      const logs = path.join(blocker, 'logs');
      const { seen, logger } = logTo(logs);
      expect(logger.fileProblem).toMatch(
        new RegExp(`^cannot write logs in ${logs} \\(ENOTDIR: .*\\); logging to a file is off for now$`),
      );
      logger.event(loan);
      logger.event(loan);
      expect(seen.all().map((r) => r.event)).toEqual(['logging', 'transaction', 'transaction']);

      // The technician mends it; after the rest, the next record goes to the file again.
      rmSync(blocker);
      await new Promise((r) => setTimeout(r, 60));
      logger.event(loan);
      await logger.close();
      expect(seen.all().map((r) => [r.event, r.level])).toEqual([
        ['logging', 'warn'],
        ['transaction', 'info'],
        ['transaction', 'info'],
        ['logging', 'info'],
        ['transaction', 'info'],
      ]);
      const [logFile] = readdirSync(logs).filter((n) => n.endsWith('.log'));
      const inFile = readFileSync(path.join(logs, logFile!), 'utf8').trim().split('\n');
      expect(inFile.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual([
        'logging',
        'transaction',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a log folder that can be made: no problem said', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-log-'));
    try {
      const logger = createLogger({ level: 'info', station: 'desk-1', dir: path.join(dir, 'logs') });
      expect(logger.fileProblem).toBeUndefined();
      await logger.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeNeeding(smallDiskProblem(), 'the station log on a full disk', () => {
  // A real 16 KiB tmpfs, mounted in a user and mount namespace of its own: no root needed.
  it('a log file on a full disk: said once, no crash, and written again once there is room', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-log-'));
    const disk = path.join(dir, 'disk');
    mkdirSync(disk);
    const bundle = await bundleFixture('test/fixtures/log/full-disk-child.ts');
    try {
      let output: string;
      try {
        output = execFileSync(
          'unshare',
          [
            '--user',
            '--map-root-user',
            '--mount',
            'sh',
            '-c',
            'mount -t tmpfs -o size=16k tmpfs "$1" && exec "$2" "$3" "$1"',
            'sh',
            disk,
            process.execPath,
            bundle.file,
          ],
          { encoding: 'utf8' },
        );
      } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? '');
        throw new Error(
          `this test needs unshare (util-linux) and unprivileged user namespaces for a small tmpfs: ${(error as Error).message} ${stderr}`,
        );
      }
      const result = JSON.parse(output) as {
        problems: Record<string, unknown>[];
        lastTwo: Record<string, unknown>[];
        probeInFile: boolean;
      };
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ level: 'warn' });
      expect(String(result.problems[0]!.message)).toMatch(/^cannot write the log file in .*ENOSPC/);
      expect(result.lastTwo[0]).toMatchObject({ event: 'logging', level: 'info' });
      expect(result.lastTwo[1]).toMatchObject({ event: 'probe' });
      expect(result.probeInFile).toBe(true);
    } finally {
      await bundle.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('isoTimestamps: the records of one minute share its prefix', () => {
  const sameAsDate = (times: number[]) => {
    const iso = isoTimestamps();
    for (const at of times) expect(iso(at)).toBe(new Date(at).toISOString());
  };

  it('writes every time as Date#toISOString does: minutes, seconds, milliseconds, years and fractions', () => {
    const at = Date.UTC(2026, 11, 2, 14, 59, 59, 999);
    sameAsDate([at, at - 59_999, at + 1, at + 1, at + 60_001, at - 1, at + 0.7, at - 60_000 * 60 * 24 * 400]);
    sameAsDate([-1, 0, -60_000, -59_999.5, 1_000, Date.UTC(9999, 11, 31, 23, 59, 59, 999)]);
    sameAsDate([Date.UTC(10000, 0, 1), Date.UTC(10000, 0, 1) + 5, Date.UTC(-1, 0, 1) + 7]);
    expect(() => isoTimestamps()(NaN)).toThrow(RangeError);
  });

  it('agrees with Date#toISOString on any sequence of times, forward, backward or far apart', () => {
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 1.7e12, max: 1.7e12 + 600_000 }),
      fc.double({ min: 1.7e12, max: 1.7e12 + 600_000, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(time, { maxLength: 50 }), (times) => sameAsDate(times)),
      {
        numRuns: fuzzRuns(300),
      },
    );
  });
});
