/**
 * One scanner stuck sending short garbage lines at full speed (`yes` on its pty), beside a healthy one:
 * the real process must keep lending on the healthy scanner while the flood goes on, say once that the
 * stuck one floods, and keep its memory bounded.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ITEM1, PATRON } from '../helpers/barcodes.js';
import { startOffcirc, tempDir, writeConfig } from '../helpers/offcirc.js';
import { startPty } from '../helpers/pty.js';

/** The process's peak resident memory (VmHWM), in MiB. */
function peakMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('a flooding scanner beside a healthy one', () => {
  it('lends on the healthy scanner while the flood goes on, says so once, and stays small', async () => {
    const dir = tempDir('offcirc-flood-');
    const healthy = await startPty({ dir, scannerName: 'healthy', hostName: 'healthy-host' });
    const stuck = await startPty({ dir, scannerName: 'stuck', hostName: 'stuck-host' });
    const journal = path.join(dir, 'OffCirc.dat');
    const config = writeConfig(dir, {
      station: 'flood',
      devices: [
        { id: 'healthy', type: 'serial', path: healthy.scannerPath },
        { id: 'stuck', type: 'serial', path: stuck.scannerPath },
      ],
      logging: { dir: path.join(dir, 'logs') },
    });
    const p = startOffcirc(['run', '--headless', '--config', config, '--journal', journal]);
    const flood = spawn('sh', ['-c', `exec yes 1234 > '${stuck.hostPath}'`], { stdio: 'ignore' });
    const floodEnded = new Promise((resolve) => flood.once('exit', resolve));
    onTestFinished(async () => {
      flood.kill('SIGKILL');
      await floodEnded;
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
      await healthy.dispose();
      await stuck.dispose();
    });
    await p.waitFor((r) => r.event === 'ready', 'ready');
    await p.waitFor(
      (r) => r.event === 'device' && r.status === 'flooding',
      'the flood to be noticed',
      20_000,
    );

    await healthy.write(`${PATRON}\r\n`);
    await p.waitFor((r) => r.event === 'session' && r.action === 'opened', 'the session', 20_000);
    await healthy.write(`${ITEM1}\r\n`);
    const loan = await p.waitFor((r) => r.event === 'transaction', 'the loan during the flood', 20_000);
    expect(loan).toMatchObject({ kind: 'loan', item: ITEM1, device: 'healthy' });
    expect(flood.exitCode).toBeNull();
    expect(readFileSync(journal, 'latin1')).toContain(`L${ITEM1}`);

    // Said once, however long it goes on; the process's memory bounded.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(p.records.filter((r) => r.status === 'flooding')).toHaveLength(1);
    expect(peakMiB(p.child.pid!)).toBeLessThan(400);
    flood.kill('SIGKILL');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });
});
