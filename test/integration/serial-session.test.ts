/**
 * The real `offcirc run --headless` process with a serial scanner on a socat pty: a scripted session
 * compared byte for byte, double reads, SIGKILL mid-burst, a real full disk, and a cut-off last line.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeNeeding } from '../helpers/needs.js';
import { startPty, type PtyPair } from '../helpers/pty.js';
import { smallDisk, smallDiskProblem } from '../helpers/small-disk.js';
import {
  expectJournal,
  runOffcirc,
  startOffcirc,
  tempDir,
  writeConfig,
  isEvent as is,
  type LogRecord,
  type OffcircProcess,
} from '../helpers/offcirc.js';
import { ITEM1, ITEM2, ITEM3, PATRON, PATRON2, itemBarcode } from '../helpers/barcodes.js';

async function station(
  extra: Record<string, unknown> = {},
  journalDir?: string,
): Promise<{ pty: PtyPair; p: OffcircProcess; journal: string; dir: string }> {
  const dir = tempDir();
  const pty = await startPty();
  const journal = path.join(journalDir ?? dir, 'OffCirc.dat');
  const config = writeConfig(dir, {
    station: 'desk-1',
    devices: [{ id: 'front', type: 'serial', path: pty.scannerPath, baudRate: 9600 }],
    logging: { dir: path.join(dir, 'logs') },
    ...extra,
  });
  const p = startOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
  onTestFinished(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
    await pty.dispose();
  });
  await p.waitFor((r) => r.event === 'ready', 'ready');
  await p.waitFor(
    (r) => r.event === 'device' && r.device === 'front' && r.status === 'connected',
    'the scanner',
  );
  return { pty, p, journal, dir };
}

/** Sends one scan and waits for the decision it causes (the record right after those seen so far). */
async function scan(
  s: { pty: PtyPair; p: OffcircProcess },
  bytes: string,
  decided: (r: LogRecord) => boolean,
) {
  const before = s.p.records.length;
  await s.pty.write(bytes);
  return s.p.waitFor(
    (r) => s.p.records.indexOf(r) >= before && decided(r),
    `the decision on ${JSON.stringify(bytes)}`,
  );
}
const decision = (r: LogRecord) =>
  ['transaction', 'rejected', 'ignored', 'session', 'mode'].includes(r.event ?? '');

describe('a scripted session on a serial scanner', () => {
  it('writes exactly the loans and returns it reports, byte for byte, and nothing for the rest', async () => {
    const s = await station({ session: { idleTimeoutSeconds: 60, doubleReadMs: 0 } });
    const from = Date.now();
    expect((await scan(s, `${ITEM1}\r`, decision)).reason).toMatch(/library card first/);
    expect(await scan(s, `${PATRON}\r\n`, decision)).toMatchObject({ event: 'session', action: 'opened' });
    expect(await scan(s, `${ITEM1}\r`, decision)).toMatchObject({
      event: 'transaction',
      kind: 'loan',
      line: 1,
    });
    // An AIM identifier and Codabar start/stop characters, split over three writes.
    await s.pty.write(']F0A3123');
    await s.pty.write('40000000');
    expect(await scan(s, '24B\r', decision)).toMatchObject({ event: 'transaction', item: ITEM2, line: 2 });
    expect((await scan(s, `${ITEM1}\n`, decision)).reason).toMatch(/already on this patron's list/);
    expect((await scan(s, '9780306406157\r', decision)).reason).toMatch(/ISBN/);
    expect((await scan(s, '31234000000017\r', decision)).reason).toBe('check digit wrong: scan again');
    expect((await scan(s, 'caf\xe9\r', decision)).reason).toMatch(/control or non-ASCII/);
    expect(await scan(s, 'MODE-RETURN\r', is('mode'))).toMatchObject({ mode: 'return' });
    expect(await scan(s, `${ITEM1}\r`, decision)).toMatchObject({ kind: 'return', line: 3 });
    expect((await scan(s, `${PATRON}\r`, decision)).event).toBe('rejected');
    // "CLSI library" editing puts spaces in the digits.
    expect(await scan(s, '3 1234 00000 0024\r', decision)).toMatchObject({
      kind: 'return',
      item: ITEM2,
      line: 4,
    });
    expect(await scan(s, 'MODE-LOAN\r', is('mode'))).toMatchObject({ mode: 'loan' });
    await scan(s, `${PATRON2}\r`, decision);
    expect(await scan(s, `${ITEM3}\r`, decision)).toMatchObject({
      kind: 'loan',
      patron: '****0026',
      line: 5,
    });
    expect(await scan(s, 'END-SESSION\r', decision)).toMatchObject({
      event: 'session',
      action: 'ended',
      reason: 'command',
    });
    expect((await scan(s, `${ITEM1}\r`, decision)).reason).toMatch(/library card first/);
    const to = Date.now();

    expect(
      expectJournal(
        readFileSync(s.journal, 'latin1'),
        [
          { kind: 'L', item: ITEM1, patron: PATRON },
          { kind: 'L', item: ITEM2, patron: PATRON },
          { kind: 'R', item: ITEM1 },
          { kind: 'R', item: ITEM2 },
          { kind: 'L', item: ITEM3, patron: PATRON2 },
        ],
        { from, to },
      ),
    ).toEqual([]);
    s.p.child.kill('SIGTERM');
    expect((await s.p.exited).code).toBe(0);
    // Patron IDs never reach the log unmasked.
    expect(s.p.stdout()).not.toContain(PATRON);
    // The log folder holds the same records, one file a day, patrons masked there too.
    const logs = readdirSync(path.join(s.dir, 'logs')).filter((n) =>
      /^offcirc-\d{4}-\d{2}-\d{2}\.log$/.test(n),
    );
    expect(logs).toHaveLength(1);
    const logged = readFileSync(path.join(s.dir, 'logs', logs[0]!), 'utf8');
    expect(logged.split('\n').filter((l) => l.includes('"event":"transaction"'))).toHaveLength(5);
    expect(logged).toContain('****0018');
    expect(logged).not.toContain(PATRON);
  });

  it('a double read (the same barcode twice from the scanner at once) is one loan, said once', async () => {
    const s = await station();
    await scan(s, `${PATRON}\r`, is('session'));
    await s.pty.write(`${ITEM1}\r${ITEM1}\r${ITEM1}\r`);
    await s.p.waitFor(is('ignored'), 'the double read');
    await scan(s, `${ITEM2}\r`, is('transaction'));
    expect(s.p.records.filter(is('transaction')).map((r) => r.item)).toEqual([ITEM1, ITEM2]);
    expect(s.p.records.filter(is('ignored'))).toHaveLength(1);
    expect(readFileSync(s.journal, 'latin1').split('\r\n')).toHaveLength(3);
  });
});

describe('crash safety', () => {
  it('SIGKILL in the middle of a fast burst: every reported transaction is in the file, no partial line after a restart', async () => {
    const s = await station();
    await scan(s, `${PATRON}\r`, is('session'));
    const burst = Array.from({ length: 400 }, (_, i) => itemBarcode(1000 + i));
    void s.pty.write(burst.map((b) => `${b}\r`).join(''));
    await s.p.waitForCount(is('transaction'), 40, 'some of the burst written');
    s.p.child.kill('SIGKILL');
    await s.p.exited;
    const reported = s.p.records.filter(is('transaction'));
    expect(reported.length).toBeGreaterThanOrEqual(40);
    expect(reported.length).toBeLessThan(burst.length);

    // A restart finds the file whole (nothing to cut) and goes on numbering after it.
    const restart = await runOffcirc(['run', '--headless', '--journal', s.journal], {
      input: `${PATRON}\n${itemBarcode(9999)}\n`,
    });
    expect(restart.code, restart.stderr).toBe(0);
    expect(
      restart.records.some((r) => r.level === 'warn' && /partial|incomplete/i.test(String(r.message))),
    ).toBe(false);
    const lines = readFileSync(s.journal, 'latin1').split('\r\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line).toMatch(/^\d{12}L31234\d{9} {66}21234000000018$/);
    for (const r of reported) expect(lines[(r.line as number) - 1]!.slice(13, 27)).toBe(r.item);
    const last = restart.records.find(is('transaction'))!;
    expect(last.line).toBe(lines.length);
    expect(lines.length).toBeGreaterThanOrEqual(reported.length + 1);
  });

  it('a last line cut off by a power cut is moved aside at start, with a warning, and the journal cut back', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const whole = `202611301402L${ITEM1.padEnd(80)}${PATRON}\r\n`;
    writeFileSync(journal, whole);
    appendFileSync(journal, `202611301403L${ITEM2.padEnd(40)}`);
    const run = await runOffcirc(['run', '--headless', '--journal', journal], { input: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(journal, 'latin1')).toBe(whole);
    const aside = readdirSync(dir).filter((n) => n.startsWith('OffCirc.dat.partial'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]!), 'latin1')).toBe(`202611301403L${ITEM2.padEnd(40)}`);
    expect(run.records.some((r) => r.level === 'warn' && r.event === 'journal')).toBe(true);
  });
});

// A real 64 KiB tmpfs, in a user namespace (no root needed).
describeNeeding(smallDiskProblem(), 'disk full', () => {
  // By default the log folder is beside the journal, so it fills up with it.
  for (const logs of ['elsewhere', 'on the same disk'] as const)
    it(`goes out of service with nothing partial written, rejects every scan, and recovers by itself (logs ${logs})`, async () => {
      // Room for the journal, its lock and state file, and (in the second case) the log files.
      const small = await smallDisk(64);
      onTestFinished(() => small.close());
      const disk = small.dir;
      // tmpfs hands out whole 4 KiB pages: 37 lines (4033 bytes) leave too little room in the last page for
      // another, so the next line needs a new page, which the full disk refuses.
      const earlier = Array.from(
        { length: 37 },
        (_, i) => `202611301402L${itemBarcode(i).padEnd(80)}${PATRON}\r\n`,
      ).join('');
      writeFileSync(path.join(disk, 'OffCirc.dat'), earlier);
      const s = await station(
        {
          journal: { retrySeconds: 1 },
          session: { idleTimeoutSeconds: 600, doubleReadMs: 0 },
          ...(logs === 'on the same disk' && { logging: { dir: path.join(disk, 'logs') } }),
        },
        disk,
      );
      await scan(s, `${PATRON}\r`, is('session'));
      const before = readFileSync(s.journal);
      expect(before.length).toBe(4033);

      // Fill the disk to the last byte.
      const filler = path.join(disk, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=128'], { stdio: 'ignore' });
      } catch {
        // dd stops at "No space left on device": that is the point.
      }
      const failed = await scan(s, `${ITEM2}\r`, is('rejected'));
      expect(failed.reason).toMatch(/not saved|disk full/i);
      await s.p.waitFor((r) => r.event === 'service' && r.inService === false, 'out of service');
      expect(readFileSync(s.journal).equals(before)).toBe(true);
      expect((await scan(s, `${ITEM3}\r`, is('rejected'))).reason).toMatch(/^out of service/);
      // Enough records to need another page of the log file too, where it is on this disk.
      for (let i = 0; i < 40; i++) await scan(s, `${itemBarcode(500 + i)}\r`, is('rejected'));
      if (logs === 'on the same disk')
        await s.p.waitFor(
          (r) => r.event === 'logging' && r.level === 'warn' && /ENOSPC/.test(String(r.message)),
          'the log file said full',
        );
      expect(s.p.records.filter(is('transaction'))).toHaveLength(0);

      rmSync(filler);
      await s.p.waitFor((r) => r.event === 'service' && r.inService === true, 'back in service', 10_000);
      expect(await scan(s, `${ITEM2}\r`, decision)).toMatchObject({
        event: 'transaction',
        item: ITEM2,
        line: 38,
      });
      const lines = readFileSync(s.journal, 'latin1').split('\r\n');
      expect(lines).toHaveLength(39);
      expect(lines.slice(0, 37).join('\r\n') + '\r\n').toBe(earlier);
      expect(lines[37]).toMatch(new RegExp(`^\\d{12}L${ITEM2} +${PATRON}$`));
      s.p.child.kill('SIGTERM');
      expect((await s.p.exited).code).toBe(0);
      expect(existsSync(`${s.journal}.lock`)).toBe(false);
    });
});
