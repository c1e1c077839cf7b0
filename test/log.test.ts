import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createLogger, eventRecord } from '../src/log.js';

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

  it('masks patrons in session and rejection records too', () => {
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
    ).toBe('**********0019');
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

  it('a log folder that cannot be made: no log file, a reason, and the stream still gets every record', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-log-'));
    try {
      writeFileSync(path.join(dir, 'file'), '');
      const out = new PassThrough();
      let text = '';
      out.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const logs = path.join(dir, 'file', 'logs');
      const logger = createLogger({ level: 'info', station: 'desk-1', stream: out, dir: logs });
      expect(logger.fileProblem).toMatch(
        new RegExp(`^cannot write logs in ${logs} \\(ENOTDIR: .*\\); logging to a file is off$`),
      );
      logger.event(loan);
      await logger.close();
      expect(JSON.parse(text)).toMatchObject({ event: 'transaction', item: '31234000000016' });
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
