/**
 * "N today" is counted from the journal (and today's outbox files) at start, not taken from the state
 * file, which loses counts when the process is killed: a state file that says 0 beside a journal with
 * today's lines must not win.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { ITEM1, ITEM2, ITEM3, PATRON } from '../helpers/barcodes.js';
import { helsinkiStamp, runOffcirc, tempDir, writeConfig } from '../helpers/offcirc.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const line = (at: number, kind: 'L' | 'R', item: string, patron = '') =>
  `${helsinkiStamp(at)}${kind}${item.padEnd(80, ' ')}${kind === 'L' ? patron : ''}\r\n`;

describe("today's count after a crash", () => {
  it("comes from the journal's and today's outbox files' lines, not from a state file that lost them", async () => {
    dir = tempDir('offcirc-today-');
    const now = Date.now();
    const yesterday = now - 26 * 3600_000;
    const journal = path.join(dir, 'OffCirc.dat');
    writeFileSync(
      journal,
      line(yesterday, 'L', ITEM1, PATRON) +
        line(yesterday, 'R', ITEM1) +
        line(now, 'L', ITEM2, PATRON) +
        line(now, 'R', ITEM3),
    );
    // A rotation earlier today, and one from yesterday, which doesn't count.
    mkdirSync(path.join(dir, 'outbox'));
    const stamp = helsinkiStamp(now).slice(0, 8);
    writeFileSync(
      path.join(dir, 'outbox', `OffCirc-today-${stamp}-000100.dat`),
      line(now, 'L', ITEM3, PATRON),
    );
    writeFileSync(
      path.join(dir, 'outbox', `OffCirc-today-19990101-000100.dat`),
      line(now, 'L', ITEM1, PATRON),
    );
    // The state file, as a SIGKILL left it: it never saved today's counts.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Helsinki' }).format(new Date(now));
    writeFileSync(
      `${journal}.state.json`,
      JSON.stringify({ today: { day, loans: 0, returns: 0, rejections: 0 }, rotations: [] }),
    );
    const config = writeConfig(dir, { station: 'today', logging: { dir: path.join(dir, 'logs') } });
    const result = await runOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
    expect(result.code).toBe(0);
    const opened = result.records.find((r) => r.event === 'journal' && r.lines !== undefined);
    expect(opened).toMatchObject({ lines: 4, today: { loans: 2, returns: 1 } });
  });
});
