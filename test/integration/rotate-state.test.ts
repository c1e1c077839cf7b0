/**
 * Handing the file to Alma exactly once (`offcirc rotate`, live and offline), and the station's own state
 * (mode kept across a restart, counts, a corrupt state file set aside), on the real process.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startPty, type PtyPair } from '../helpers/pty.js';
import {
  runOffcirc,
  startOffcirc,
  tempDir,
  writeConfig,
  isEvent as is,
  type OffcircProcess,
} from '../helpers/offcirc.js';
import { ITEM1, PATRON, itemBarcode } from '../helpers/barcodes.js';

/** The items of an OffCirc.dat's loan lines, checking each line is whole. */
function itemsIn(file: string): string[] {
  const content = readFileSync(file, 'latin1');
  expect(content === '' || content.endsWith('\r\n')).toBe(true);
  return content
    .split('\r\n')
    .filter((l) => l !== '')
    .map((line) => {
      expect(line).toMatch(/^\d{12}L\d{14} {66}21234000000018$/);
      return line.slice(13, 27);
    });
}

describe('offcirc rotate', () => {
  it('against a live kiosk while scans arrive: every transaction exactly once across the journal and the outbox', async () => {
    const dir = tempDir();
    const pty: PtyPair = await startPty();
    const journal = path.join(dir, 'OffCirc.dat');
    const config = writeConfig(dir, {
      station: 'desk-2',
      journal: { path: 'OffCirc.dat' },
      devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
    });
    const p: OffcircProcess = startOffcirc(['run', '--headless', '--config', config]);
    onTestFinished(async () => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
      await pty.dispose();
    });
    await p.waitFor((r) => r.event === 'device' && r.status === 'connected', 'the scanner');
    await pty.write(`${PATRON}\r`);
    await p.waitFor(is('session'), 'the session');

    // Scans keep arriving, a few at a time, for as long as the rotations run.
    const items: string[] = [];
    let rotating = true;
    const feeding = (async () => {
      for (let n = 0; rotating || n < 30; n += 3) {
        const group = [itemBarcode(5000 + n), itemBarcode(5001 + n), itemBarcode(5002 + n)];
        items.push(...group);
        await pty.write(group.map((b) => `${b}\r`).join(''));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const rotations = [];
    for (let i = 0; i < 3; i++) {
      const before = p.records.filter(is('transaction')).length;
      await p.waitForCount(is('transaction'), before + 10, 'more transactions before rotating');
      rotations.push(await runOffcirc(['rotate', '--config', config]));
    }
    rotating = false;
    await feeding;
    const total = items.length;
    await p.waitForCount(is('transaction'), total, 'every transaction');
    for (const r of rotations) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/rotated \d+ transaction\(s\) from station desk-2/);
    }

    const outbox = path.join(dir, 'outbox');
    const files = readdirSync(outbox).sort();
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^OffCirc-desk-2-\d{8}-\d{6}\.dat$/);
    const seen = [...files.flatMap((f) => itemsIn(path.join(outbox, f))), ...itemsIn(journal)];
    expect(seen).toEqual(items);
    expect(p.records.filter(is('rotated'))).toHaveLength(3);

    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    const state = JSON.parse(readFileSync(`${journal}.state.json`, 'utf8')) as {
      rotations: { file: string; lines: number }[];
      today: { loans: number };
    };
    expect(state.rotations.map((r) => path.basename(r.file)).sort()).toEqual(files);
    expect(state.rotations.reduce((n, r) => n + r.lines, 0) + itemsIn(journal).length).toBe(total);
    expect(state.today.loans).toBe(total);
  });

  it('without a running kiosk it rotates by itself; with nothing to rotate it says so', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const empty = await runOffcirc(['rotate', '--journal', journal]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/nothing to rotate/);

    const lend = await runOffcirc(['run', '--headless', '--journal', journal], {
      input: `${PATRON}\n${ITEM1}\n`,
    });
    expect(lend.code).toBe(0);
    const rotated = await runOffcirc(['rotate', '--journal', journal]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/rotated 1 transaction/);
    const [file] = readdirSync(path.join(dir, 'outbox'));
    expect(itemsIn(path.join(dir, 'outbox', file!))).toEqual([ITEM1]);
    expect(existsSync(journal) ? readFileSync(journal, 'latin1') : '').toBe('');
    expect((await runOffcirc(['rotate', '--journal', journal])).stdout).toMatch(/nothing to rotate/);
  });
});

describe('station state', () => {
  it('a restart comes back in the mode staff left it in', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const first = await runOffcirc(['run', '--headless', '--journal', journal], { input: 'MODE-RETURN\n' });
    expect(first.code).toBe(0);
    const second = await runOffcirc(['run', '--headless', '--journal', journal], { input: `${ITEM1}\n` });
    expect(second.records.find(is('ready'))?.mode).toBe('return');
    expect(second.records.find(is('transaction'))).toMatchObject({ kind: 'return', item: ITEM1 });
  });

  it('a corrupt state file is set aside with a warning and started afresh; no transaction is lost', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    writeFileSync(`${journal}.state.json`, '{"mode": "loan", "today": ');
    const run = await runOffcirc(['run', '--headless', '--journal', journal], {
      input: `${PATRON}\n${ITEM1}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.records.some((r) => r.event === 'state' && r.level === 'warn')).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('.state.json.corrupt-'))).toHaveLength(1);
    expect(itemsIn(journal)).toEqual([ITEM1]);
    const state = JSON.parse(readFileSync(`${journal}.state.json`, 'utf8')) as { today: { loans: number } };
    expect(state.today.loans).toBe(1);
  });
});
