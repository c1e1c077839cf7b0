/**
 * Files offcirc writes, against links, FIFOs and other users' files planted where it writes, and their
 * modes and owners. The tests with another user need root (they chown to `nobody`); as a normal user
 * those few say so in their name and check the refusal they can (a file of another user can't be made).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine } from '../../src/journal/line.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { createNew, openAppend, replaceFile } from '../../src/safe-file.js';
import { item, loan, recordingLog, removeFolder, tempFolder } from './fixtures/helpers.js';
import { describeNeeding, rootProblem } from '../helpers/needs.js';

const isRoot = process.geteuid?.() === 0;
const NOBODY = 65534;

let dir: string;
let file: string;
let victim: string;
let writers: JournalWriter[];
let umask: number;

/** 450 journal lines in a file offcirc must never touch. */
const VICTIM = Array.from({ length: 450 }, (_, n) => formatLine(loan(item(n)), 'crlf')).join('');

function writer(at = file): JournalWriter {
  const w = new JournalWriter({ path: at, lineEnding: 'crlf', log: recordingLog().log });
  writers.push(w);
  return w;
}

beforeEach(() => {
  dir = tempFolder('offcirc-safe-');
  file = path.join(dir, 'OffCirc.dat');
  const elsewhere = path.join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  victim = path.join(elsewhere, 'precious.dat');
  writeFileSync(victim, VICTIM, { mode: 0o600 });
  writers = [];
  umask = process.umask();
});

afterEach(async () => {
  process.umask(umask);
  for (const w of writers) await w.stop().catch(() => undefined);
  removeFolder(dir);
});

describe('planted links', () => {
  it('probe: a link at the old predictable name <journal>.probe-<pid> is never written through', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    symlinkSync(victim, `${file}.probe-${process.pid}`);
    await w.probe();
    expect(readFileSync(victim, 'latin1')).toBe(VICTIM);
    // The probe file itself is gone again, and its name was no guess of the pid.
    expect(readdirSync(dir).filter((n) => n.includes('probe'))).toEqual([`OffCirc.dat.probe-${process.pid}`]);
  });

  it('journal: a link at the journal path is refused with a reason; the file it points to is untouched', async () => {
    symlinkSync(victim, file);
    await expect(writer().start()).rejects.toThrow(
      `opening ${file} refused: it is a symbolic link; offcirc follows no links to the files it writes`,
    );
    expect(readFileSync(victim, 'latin1')).toBe(VICTIM);
  });

  it('journal: a link that replaces the journal while running is refused, not written through', async () => {
    const w = writer();
    await w.start();
    await w.append(loan(item(1)));
    execFileSync('mv', [file, `${file}.uploaded`]);
    symlinkSync(victim, file);
    await expect(w.append(loan(item(2)))).rejects.toThrow(/refused: it is a symbolic link/);
    expect(readFileSync(victim, 'latin1')).toBe(VICTIM);
  });

  it('journal: a victim cut mid-line behind a link is neither cut nor copied to a partial file', async () => {
    writeFileSync(victim, `${VICTIM}secret-half-line`);
    symlinkSync(victim, file);
    await expect(writer().start()).rejects.toThrow(/refused/);
    expect(readFileSync(victim, 'latin1')).toBe(`${VICTIM}secret-half-line`);
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('state and other replaced files: a link at a temporary name is never followed (random name, O_EXCL)', async () => {
    const target = path.join(dir, 'state.json');
    // Whatever name an attacker guesses, createNew refuses an existing path instead of following it.
    symlinkSync(victim, path.join(dir, 'guess'));
    await expect(createNew(path.join(dir, 'guess'))).rejects.toMatchObject({ code: 'EEXIST' });
    await replaceFile(target, '{"a":1}');
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}');
    expect(readFileSync(victim, 'latin1')).toBe(VICTIM);
    expect(readdirSync(dir).sort()).toEqual(['elsewhere', 'guess', 'state.json']);
  });
});

describe('special files', () => {
  it('a FIFO at the journal path is refused at once instead of blocking the open', async () => {
    execFileSync('mkfifo', [file]);
    await expect(writer().start()).rejects.toThrow(
      `opening ${file} refused: it is not a regular file (a FIFO, device, socket or folder)`,
    );
  });
});

describe('modes and owners', () => {
  it('journal, lock, probe, partial and replaced files are owner-only under umask 000', async () => {
    process.umask(0);
    writeFileSync(file, 'half a line');
    chmodSync(file, 0o600);
    const w = writer();
    const { recovered } = await w.start();
    await w.append(loan(item(1)));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}.lock`).mode & 0o777).toBe(0o600);
    expect(statSync(recovered!.fragmentFile).mode & 0o777).toBe(0o600);
    await w.rotate(path.join(dir, 'rotated.dat'));
    await w.append(loan(item(2)));
    // The fresh journal after a rotation is created by offcirc too.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await replaceFile(path.join(dir, 'state.json'), '{}');
    expect(statSync(path.join(dir, 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('an existing journal readable by everyone (an older offcirc made it 0644) becomes owner-only', async () => {
    writeFileSync(file, formatLine(loan(item(1)), 'crlf'));
    chmodSync(file, 0o644);
    await writer().start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('in a setgid folder (the installer gave it a group) files are readable by that group too, no one else', async () => {
    process.umask(0);
    chmodSync(dir, 0o2770);
    await writer().start();
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(statSync(`${file}.lock`).mode & 0o777).toBe(0o640);
  });

  describeNeeding(
    rootProblem('files of another user (nobody) need root to make'),
    'as root, in a folder nobody owns',
    () => {
      it('as root: new files take the owner of their folder (here nobody)', async () => {
        chownSync(dir, NOBODY, NOBODY);
        const w = writer();
        await w.start();
        await w.append(loan(item(1)));
        for (const f of [file, `${file}.lock`])
          expect(lstatSync(f)).toMatchObject({ uid: NOBODY, gid: NOBODY });
        const handle = await createNew(path.join(dir, 'x'));
        await handle.close();
        expect(lstatSync(path.join(dir, 'x')).uid).toBe(NOBODY);
      });

      it('as root: an existing journal of another user than the folder owner is refused', async () => {
        chownSync(dir, NOBODY, NOBODY);
        writeFileSync(file, formatLine(loan(item(1)), 'crlf'));
        // root's own file (say, a hard link to a root-only file) where the kiosk's user's journal should be
        await expect(writer().start()).rejects.toThrow(
          `opening ${file} refused: it belongs to root, not to nobody who owns its folder; offcirc won't write another user's file`,
        );
        // The same file given to the folder's owner is the journal.
        chownSync(file, NOBODY, NOBODY);
        const { handle, created } = await openAppend(file);
        await handle.close();
        expect(created).toBe(false);
      });
    },
  );

  it('a process that neither is root nor owns the folder is told which user to run as', async () => {
    if (isRoot) {
      // Run as nobody in a root-owned folder nobody may write in.
      chmodSync(dir, 0o777);
      const out = execFileSync(
        'runuser',
        ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', probeScript(file)],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe(
        `EUNSAFE ${dir}: it belongs to root, and files offcirc makes there must too: run offcirc as root (e.g. runuser -u root -- offcirc …)`,
      );
      expect(existsSync(file)).toBe(false);
    } else {
      // As a normal user: /tmp's owner (root) is not us.
      await expect(createNew(path.join('/tmp', `offcirc-${process.pid}`))).rejects.toThrow(
        /run offcirc as root/,
      );
    }
  });
});

/** A script that tries openAppend on `target` with the built module and prints the error code and message. */
function probeScript(target: string): string {
  const module = path.resolve(import.meta.dirname, '../../dist/safe-file.js');
  return `import { openAppend } from ${JSON.stringify(module)};
try { await openAppend(${JSON.stringify(target)}); console.log('opened'); }
catch (e) { console.log(e.code, e.message); }`;
}
