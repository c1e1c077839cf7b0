import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createLogger, eventRecord } from '../src/log.js';
import { waitFor } from './helpers/pty.js';

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
      patron: '**********0018',
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
    ).toBe('**********0018');
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

  // Needs root, as the disk-full tests do: a real 16 KiB tmpfs.
  it('a log file on a full disk: said once, no crash, and written again once there is room', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-log-'));
    const disk = path.join(dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk]);
    try {
      const { seen, logger } = logTo(disk);
      const filler = path.join(disk, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=64'], { stdio: 'ignore' });
      } catch {
        // dd stops at "No space left on device": that is the point.
      }
      // Enough to need another page of the full disk; the failure arrives from the file stream later.
      for (let i = 0; i < 100; i++) logger.event(loan);
      await waitFor(() => seen.all().some((r) => r.event === 'logging'), { what: 'the log file failure' });
      const problems = seen.all().filter((r) => r.event === 'logging');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ level: 'warn' });
      expect(String(problems[0]!.message)).toMatch(/^cannot write the log file in .*ENOSPC/);

      rmSync(filler);
      await new Promise((r) => setTimeout(r, 60));
      logger.log('info', 'after the room was made', { event: 'probe' });
      await logger.close();
      expect(seen.all().at(-2)).toMatchObject({ event: 'logging', level: 'info' });
      const [logFile] = readdirSync(disk).filter((n) => n.endsWith('.log'));
      expect(readFileSync(path.join(disk, logFile!), 'utf8')).toContain('after the room was made');
    } finally {
      execFileSync('umount', ['-l', disk]);
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
