/**
 * Line numbers across restarts of the real `offcirc run --headless` on a large journal: the same as
 * counting gives, whether the start took the count kept at the last stop or counted (hint missing,
 * stale after a line written by someone else, planted with a wrong count).
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runOffcirc, tempDir } from '../helpers/offcirc.js';
import { ITEM1, ITEM2, ITEM3, PATRON, itemBarcode } from '../helpers/barcodes.js';

/** An old loan line: nothing "today" in the journal, as on a kiosk after months. */
const OLD = `202501011200L${'31234000000017'.padEnd(80, ' ')}21234000000018\r\n`;
const LINES = 100_000;

describe('line numbers after a restart on a large journal', () => {
  it('go on from the real count, hint or no hint', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const hint = `${journal}.lines`;
    writeFileSync(journal, OLD.repeat(LINES), { encoding: 'latin1', mode: 0o600 });
    const real = () => readFileSync(journal, 'latin1').split('\n').length - 1;

    /** One run lending `item`: the lines it opened the journal with, and the lent line's number. */
    const lend = async (item: string) => {
      const result = await runOffcirc(['run', '--headless', '--journal', journal], {
        input: `${PATRON}\n${item}\n`,
      });
      expect(result.code, result.stderr).toBe(0);
      const opened = result.records.find((r) => r.event === 'journal' && typeof r.lines === 'number');
      const lent = result.records.find((r) => r.event === 'transaction' && r.item === item);
      return { opened: opened?.lines, line: lent?.line };
    };

    // No hint yet: counted; the clean stop leaves one.
    expect(await lend(ITEM1)).toEqual({ opened: LINES, line: LINES + 1 });
    expect(existsSync(hint)).toBe(true);
    // Taken from the hint.
    expect(await lend(ITEM2)).toEqual({ opened: LINES + 1, line: LINES + 2 });

    // Planted with a wrong count: not believed.
    const kept = JSON.parse(readFileSync(hint, 'utf8')) as { lines: number };
    writeFileSync(hint, JSON.stringify({ ...kept, lines: kept.lines - 50 }));
    expect(await lend(ITEM3)).toEqual({ opened: LINES + 2, line: LINES + 3 });

    // Stale: a line appended by someone else after the stop.
    appendFileSync(journal, OLD);
    const item4 = itemBarcode(4);
    expect(await lend(item4)).toEqual({ opened: LINES + 4, line: LINES + 5 });

    // Missing.
    rmSync(hint);
    const item5 = itemBarcode(5);
    expect(await lend(item5)).toEqual({ opened: LINES + 5, line: LINES + 6 });
    expect(real()).toBe(LINES + 6);
  });
});
