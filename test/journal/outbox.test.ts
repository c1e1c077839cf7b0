import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { outboxWaiting, rotatedPath } from '../../src/journal/outbox.js';

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
