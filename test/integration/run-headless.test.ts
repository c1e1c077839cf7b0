/**
 * The real `offcirc run --headless` process, fed through standard input (the terminal device): piped
 * scans, shut-down, bad configs, a second instance, the journal deleted while it runs.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectJournal, runOffcirc, startOffcirc, tempDir, writeConfig } from '../helpers/offcirc.js';
import { ITEM1, ITEM2, ITEM3, PATRON, PATRON2, itemBarcode } from '../helpers/barcodes.js';

describe('offcirc run --headless with piped scans', () => {
  it('writes every loan to OffCirc.dat before logging it, then exits 0 at the end of input', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'deep', 'folder', 'OffCirc.dat');
    const from = Date.now();
    const result = await runOffcirc(['run', '--headless', '--journal', journal], {
      input: `${PATRON}\n${ITEM1}\n${ITEM2}\n`,
    });
    const to = Date.now();
    expect(result.code, result.stderr).toBe(0);
    expect(
      expectJournal(
        readFileSync(journal, 'latin1'),
        [
          { kind: 'L', item: ITEM1, patron: PATRON },
          { kind: 'L', item: ITEM2, patron: PATRON },
        ],
        { from, to },
      ),
    ).toEqual([]);
    const transactions = result.records.filter((r) => r.event === 'transaction');
    expect(transactions.map((t) => [t.kind, t.item, t.patron, t.line])).toEqual([
      ['loan', ITEM1, '****0018', 1],
      ['loan', ITEM2, '****0018', 2],
    ]);
    expect(result.records.some((r) => r.event === 'ready')).toBe(true);
    expect(result.stdout).not.toContain(PATRON);
  });

  it('a log folder that cannot be made is said once, and lending goes on without the log file', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    const logs = path.join(dir, 'not-a-folder', 'logs');
    const config = writeConfig(dir, { logging: { dir: logs } });
    const result = await runOffcirc(['run', '--headless', '--config', config, '--journal', journal], {
      input: `${PATRON}\n${ITEM1}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`offcirc: cannot write logs in ${logs} (ENOTDIR`);
    expect(result.stderr).toContain('logging to a file is off');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.records.find((r) => r.event === 'logging')).toMatchObject({ level: 'warn' });
    expect(readFileSync(journal, 'latin1')).toMatch(new RegExp(`^\\d{12}L${ITEM1} +${PATRON}\\r\\n$`));
  });

  it('a last line without a line ending is still a scan', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const result = await runOffcirc(['run', '--headless', '--journal', journal], {
      input: `MODE-RETURN\n${ITEM1}`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(journal, 'latin1')).toMatch(new RegExp(`^\\d{12}R${ITEM1} {66}\\r\\n$`));
  });

  it('bad scans are rejected with a reason and write nothing', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const result = await runOffcirc(['run', '--headless', '--journal', journal], {
      input:
        [
          ITEM1,
          '9780306406157',
          PATRON.slice(0, -1) + '9',
          'x'.repeat(81),
          'caf\u00e9',
          PATRON,
          '\u001b[A',
        ].join('\n') + '\n',
    });
    expect(result.code, result.stderr).toBe(0);
    const reasons = result.records.filter((r) => r.event === 'rejected').map((r) => r.reason);
    expect(reasons).toHaveLength(6);
    expect(reasons[0]).toMatch(/library card first/);
    expect(reasons[1]).toMatch(/ISBN/);
    expect(reasons[2]).toMatch(/check digit wrong/);
    expect(existsSync(journal) ? readFileSync(journal, 'latin1') : '').toBe('');
    // Nothing of a control sequence reaches the log as is.
    expect(result.stdout).not.toContain('\u001b');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops on ${signal} with exit 0, finishing the write under way: every line whole, every reported one there`, async () => {
      const dir = tempDir();
      const journal = path.join(dir, 'OffCirc.dat');
      const p = startOffcirc(['run', '--headless', '--journal', journal]);
      await p.waitFor((r) => r.event === 'ready', 'ready');
      const burst = Array.from({ length: 200 }, (_, i) => itemBarcode(700 + i));
      p.child.stdin!.write(`${PATRON}\n${burst.join('\n')}\n`);
      await p.waitFor((r) => r.event === 'transaction', 'the first loan');
      p.child.kill(signal);
      expect((await p.exited).code).toBe(0);
      const reported = p.records.filter((r) => r.event === 'transaction');
      const lines = readFileSync(journal, 'latin1').split('\r\n');
      expect(lines.pop()).toBe('');
      for (const line of lines) expect(line).toMatch(new RegExp(`^\\d{12}L31234\\d{9} {66}${PATRON}$`));
      expect(lines.map((l) => l.slice(13, 27))).toEqual(reported.map((r) => r.item));
      expect(p.records.at(-1)?.event).toBe('stopped');
      expect(existsSync(`${journal}.lock`)).toBe(false);
    });
  }
});

describe('a stop asked for while the station starts', () => {
  it('SIGTERM on the first start-up record (the journal open, before ready) stops it in order, exit 0', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const p = startOffcirc(['run', '--headless', '--journal', journal]);
    await p.waitFor((r) => r.event === 'journal', 'the journal open');
    p.child.kill('SIGTERM');
    const exited = await p.exited;
    expect(exited, p.stderr()).toEqual({ code: 0, signal: null });
    expect(p.records.at(-1)?.event).toBe('stopped');
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });
});

describe('only one offcirc per journal', () => {
  it('a second instance on the same file exits at once naming the file and the running process', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const first = startOffcirc(['run', '--headless', '--journal', journal]);
    await first.waitFor((r) => r.event === 'ready', 'the first instance ready');
    const second = await runOffcirc(['run', '--headless', '--journal', journal]);
    expect(second.code).toBe(73);
    expect(second.stderr).toContain(journal);
    expect(second.stderr).toContain(String(first.child.pid));
    first.child.stdin!.write(`${PATRON}\n${ITEM1}\n`);
    await first.waitFor((r) => r.event === 'transaction', 'the first instance still lending');
    first.child.kill('SIGTERM');
    await first.exited;
  });
});

describe('staff move or delete OffCirc.dat while the kiosk runs', () => {
  it('the next transaction lands in a new file at the path, never in the removed one', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const p = startOffcirc(['run', '--headless', '--journal', journal]);
    await p.waitFor((r) => r.event === 'ready', 'ready');
    p.child.stdin!.write(`${PATRON}\n${ITEM1}\n`);
    await p.waitFor((r) => r.event === 'transaction', 'the first loan');
    const uploaded = path.join(dir, 'uploaded.dat');
    renameSync(journal, uploaded);
    const before = readFileSync(uploaded, 'latin1');
    p.child.stdin!.write(`${ITEM2}\n`);
    const second = await p.waitFor((r) => r.event === 'transaction' && r.item === ITEM2, 'the second loan');
    expect(second.line).toBe(1);
    expect(readFileSync(uploaded, 'latin1')).toBe(before);
    expect(readFileSync(journal, 'latin1')).toMatch(new RegExp(`^\\d{12}L${ITEM2} +${PATRON}\\r\\n$`));
    rmSync(journal);
    p.child.stdin!.write(`${PATRON2}\n${ITEM3}\n`);
    await p.waitFor((r) => r.event === 'transaction' && r.item === ITEM3, 'a loan after delete');
    expect(readFileSync(journal, 'latin1')).toMatch(new RegExp(`^\\d{12}L${ITEM3} +${PATRON2}\\r\\n$`));
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
});

describe('bad config is refused before anything starts', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{ "station": "a", ', /\(file\): not valid JSON/],
    ['an unknown key', '{ "statoin": "a" }', /statoin: unknown key \(did you mean "station"\?\)/],
    [
      'a wrong type',
      '{ "devices": [{ "id": "f", "type": "serial", "path": "/dev/x", "baudRate": "fast" }] }',
      /devices\[0\]\.baudRate: expected a positive integer, got "fast"/,
    ],
    [
      'a wrong value',
      '{ "journal": { "lineEnding": "cr" } }',
      /journal\.lineEnding: expected one of "crlf", "lf", got "cr"/,
    ],
    [
      'an invalid regular expression',
      '{ "barcodes": { "item": [{ "pattern": "^3(" }] } }',
      /barcodes\.item\[0\]\.pattern: invalid regular expression/,
    ],
    [
      'a pattern that could freeze the kiosk on a near-miss scan',
      '{ "barcodes": { "patron": [{ "pattern": "^(\\\\d+)+$" }] } }',
      /barcodes\.patron\[0\]\.pattern: can take hours on a scan that almost matches: .*, expected fixed counts/,
    ],
    [
      'a device without the keys its type needs',
      '{ "devices": [{ "id": "f", "type": "serial" }] }',
      /devices\[0\]\.path: missing/,
    ],
  ];
  for (const [kind, content, message] of cases) {
    it(`${kind}: exit 78, the problem listed, no journal made`, async () => {
      const dir = tempDir();
      const file = path.join(dir, 'offcirc.json');
      writeFileSync(file, content);
      const journal = path.join(dir, 'OffCirc.dat');
      const run = await runOffcirc(['run', '--headless', '--config', file, '--journal', journal]);
      expect(run.code).toBe(78);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(existsSync(journal)).toBe(false);
      const check = await runOffcirc(['config', 'check', file]);
      expect(check.code).toBe(78);
      expect(check.stderr).toMatch(message);
    });
  }

  it('config check exits 0 on a good file', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, {
      station: 'front-desk-1',
      devices: [{ id: 'front', type: 'serial', path: '/dev/ttyACM0' }],
    });
    const check = await runOffcirc(['config', 'check', file]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('OK');
  });

  it('$OFFCIRC_CONFIG is used when --config is not given', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, { startMode: 'sideways' });
    const check = await runOffcirc(['config', 'check'], { env: { OFFCIRC_CONFIG: file } });
    expect(check.code).toBe(78);
    expect(check.stderr).toContain(file);
  });
});

describe('the command line', () => {
  it('--version and --help on every command', async () => {
    const version = await runOffcirc(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const args of [['--help'], ['run', '--help'], ['config', '--help'], ['config', 'check', '--help']]) {
      const help = await runOffcirc(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/Usage: offcirc/);
    }
    const wrong = await runOffcirc(['lend']);
    expect(wrong.code).toBe(64);
    expect(wrong.stderr).toMatch(/unknown command/);
  });
});
