/**
 * The real process against the README's outage steps run as root, a second `offcirc run`, and a link
 * planted at the journal for root's rotate. The root cases run the kiosk as `nobody` (runuser); as a
 * normal user they are not run (they need a second user), which their names say.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN, ROOT, isEvent as is, runOffcirc, startOffcirc, tempDir } from '../helpers/offcirc.js';
import { ITEM1, PATRON, itemBarcode } from '../helpers/barcodes.js';
import { describeNeeding, rootProblem } from '../helpers/needs.js';

const NOBODY = 65534;

/** Runs offcirc as `user` through runuser, like the installed service runs as its own user. */
function runAs(
  user: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('runuser', ['-u', user, '--', process.execPath, BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, TZ: 'Europe/Helsinki', OFFCIRC_CONFIG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describeNeeding(
  rootProblem("root's offline rotate, and user nobody to run the kiosk as"),
  'the README outage steps with root (needs root and user nobody)',
  () => {
    it("root's offline rotate leaves files the kiosk's user owns, and the kiosk comes back", async () => {
      const dir = tempDir();
      chownSync(dir, NOBODY, NOBODY);
      const journal = path.join(dir, 'OffCirc.dat');
      const lend = await runAs(
        'nobody',
        ['run', '--headless', '--journal', journal],
        `${PATRON}\n${ITEM1}\n`,
      );
      expect(lend.code, lend.stderr).toBe(0);

      const rotated = await runOffcirc(['rotate', '--journal', journal]);
      expect(rotated.code, rotated.stderr).toBe(0);
      const outbox = path.join(dir, 'outbox');
      const [file] = readdirSync(outbox);
      for (const f of [outbox, path.join(outbox, file!), journal, `${journal}.state.json`])
        expect(lstatSync(f), f).toMatchObject({ uid: NOBODY, gid: NOBODY });
      for (const f of [path.join(outbox, file!), journal, `${journal}.state.json`])
        expect(lstatSync(f).mode & 0o777, f).toBe(0o600);

      // The service (Restart=always) starts again as its user: before, root's journal made it fail (74) for ever.
      const again = await runAs(
        'nobody',
        ['run', '--headless', '--journal', journal],
        `${PATRON}\n${itemBarcode(2)}\n`,
      );
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(journal, 'latin1')).toContain(itemBarcode(2));
    });

    it("root's rotate refuses a journal that is a link (to a root-only file): nothing cut, nothing copied", async () => {
      const dir = tempDir();
      const secrets = tempDir('offcirc-root-only-');
      const secret = path.join(secrets, 'shadow');
      writeFileSync(secret, 'root:$6$hash:19000::::::\nhalf a li', { mode: 0o600 });
      chownSync(dir, NOBODY, NOBODY);
      const journal = path.join(dir, 'OffCirc.dat');
      symlinkSync(secret, journal);
      const rotated = await runOffcirc(['rotate', '--journal', journal]);
      expect(rotated.code).toBe(74);
      expect(rotated.stderr).toContain(
        `opening ${journal} refused: it is a symbolic link; offcirc follows no links`,
      );
      expect(readFileSync(secret, 'latin1')).toBe('root:$6$hash:19000::::::\nhalf a li');
      expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
      expect(existsSync(path.join(dir, 'outbox'))).toBe(false);
    });
  },
);

describe('a second offcirc run on the same journal', () => {
  it("is refused (73) and leaves the running kiosk's control socket: rotate still reaches the kiosk", async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    const first = startOffcirc(['run', '--headless', '--journal', journal]);
    onTestFinished(async () => {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      await first.exited;
    });
    await first.waitFor(is('ready'), 'the first kiosk');
    first.child.stdin!.write(`${PATRON}\n${ITEM1}\n`);
    await first.waitFor(is('transaction'), 'a transaction');

    const second = await runOffcirc(['run', '--headless', '--journal', journal]);
    expect(second.code).toBe(73);
    expect(lstatSync(`${journal}.sock`).isSocket()).toBe(true);

    const rotated = await runOffcirc(['rotate', '--journal', journal]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/rotated 1 transaction/);
    await first.waitFor(is('rotated'), 'the kiosk saying it rotated');
  });
});

describe('a FIFO named *.dat in the outbox', () => {
  it('is never opened: the kiosk gets ready, lends, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'OffCirc.dat');
    mkdirSync(path.join(dir, 'outbox'));
    execFileSync('mkfifo', [path.join(dir, 'outbox', 'OffCirc-x-20261130-140312.dat')]);
    const kiosk = startOffcirc(['run', '--headless', '--journal', journal]);
    onTestFinished(async () => {
      if (kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
      await kiosk.exited;
    });
    await kiosk.waitFor(is('ready'), 'ready', 10_000);
    kiosk.child.stdin!.write(`${PATRON}\n${ITEM1}\n`);
    await kiosk.waitFor(is('transaction'), 'a transaction');
    kiosk.child.kill('SIGTERM');
    expect((await kiosk.exited).code).toBe(0);
  });
});
