/**
 * The single-file executable from `npm run package`, copied to a folder of its own with offcirc-lib/
 * and run there with a bare environment (no node_modules, no repository, no NODE_OPTIONS): --version,
 * devices, a headless loan over a real serial pty, the kiosk screen in a real terminal, and what a
 * technician gets from a copy without offcirc-lib/ or with a damaged addon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT, expectJournal, tempDir, type LogRecord } from '../helpers/offcirc.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';

const PATRON = '21234000000018';
const ITEM = '31234000000016';
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Builds the executable with scripts/package.mjs straight into `folder` (offcirc and offcirc-lib/), away
 * from the repository, so the run leaves no 86 MiB behind: the folder goes with the test's temporary one.
 * Needs dist/ (npm test builds it first).
 */
function buildInto(folder: string): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--out', folder], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0)
    throw new Error(`scripts/package.mjs --out failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
}

let home: string;
let installed: string;

/** A bare environment: what the executable gets under systemd, plus the test's time zone. */
const bareEnv = (): NodeJS.ProcessEnv => ({
  PATH: '/usr/bin:/bin',
  HOME: home,
  TZ: 'Europe/Helsinki',
  LANG: 'C.UTF-8',
});

function run(executable: string, args: string[]) {
  return spawnSync(executable, args, { cwd: home, env: bareEnv(), encoding: 'utf8', timeout: 60_000 });
}

interface Running {
  child: ChildProcess;
  records: LogRecord[];
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  waitForRecord(match: (r: LogRecord) => boolean, what: string): Promise<LogRecord>;
}

function start(executable: string, args: string[]): Running {
  const child = spawn(executable, args, { cwd: home, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const records: LogRecord[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    records.length = 0;
    for (const line of out.split('\n').filter((l) => l.trim())) {
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        records.push({ event: 'unparsed', message: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    records,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForRecord: (match, what) =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`offcirc exited ${child.exitCode}: ${err}`);
          return records.find(match);
        },
        { timeoutMs: 20_000, what: () => `${what}\nstdout:\n${out}\nstderr:\n${err}` },
      ),
  };
}

beforeAll(() => {
  home = tempDir('offcirc-sea-');
  installed = path.join(home, 'kiosk', 'offcirc');
  buildInto(path.dirname(installed));
  expect(readdirSync(path.dirname(installed)).sort()).toEqual(['offcirc', 'offcirc-lib']);
}, 600_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the executable, moved away from the repository', () => {
  it('says its version and nothing else (no experimental-feature warning)', () => {
    const result = run(installed, ['--version']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
    expect(result.stderr).toBe('');
  });

  it('is one file beside one folder, and not a script that needs node', () => {
    expect(readdirSync(path.dirname(installed)).sort()).toEqual(['offcirc', 'offcirc-lib']);
    const head = readFileSync(installed).subarray(0, 4);
    expect(head.toString('latin1')).toBe('\x7fELF');
    expect(readdirSync(path.join(home, 'kiosk', 'offcirc-lib')).sort()).toEqual([
      'config',
      'node-hid-hidraw.node',
      'node-hid-libusb.node',
      'package.json',
      'serialport.node',
    ]);
    // What install-kiosk.sh installs as /etc/offcirc/offcirc.json, passing the executable's own check.
    const example = path.join(home, 'kiosk', 'offcirc-lib', 'config', 'offcirc.example.json');
    const check = run(installed, ['config', 'check', example]);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('journal /var/lib/offcirc/OffCirc.dat');
  });

  it('lists devices, with serial and HID support loaded from offcirc-lib/', () => {
    const plain = run(installed, ['devices']);
    expect(plain.status, plain.stderr).toBe(0);
    const json = run(installed, ['devices', '--json']);
    expect(json.status, json.stderr).toBe(0);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    for (const output of [plain.stdout, plain.stderr, json.stdout, json.stderr]) {
      expect(output).not.toMatch(/Failed to find binding|offcirc-lib|ERR_DLOPEN_FAILED/);
    }
  });

  it('runs from a symlink in another folder (as /usr/local/bin/offcirc → /opt/offcirc/offcirc)', () => {
    const bin = path.join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(installed, path.join(bin, 'offcirc'));
    const result = run(path.join(bin, 'offcirc'), ['--version']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  });
});

describe('a headless kiosk with a serial scanner on a real pty', () => {
  let pty: PtyPair;
  beforeAll(async () => {
    pty = await startPty();
  });
  afterAll(async () => {
    await pty?.dispose();
  });

  it('writes the loan to OffCirc.dat byte for byte, masks the patron in its log, and stops on SIGTERM', async () => {
    const dir = path.join(home, 'run');
    mkdirSync(dir);
    const config = path.join(dir, 'offcirc.json');
    writeFileSync(
      config,
      JSON.stringify({ station: 'sea-1', devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }] }),
    );
    const journal = path.join(dir, 'files', 'OffCirc.dat');
    const from = Date.now();
    const kiosk = start(installed, ['run', '--headless', '--config', config, '--journal', journal]);
    try {
      await kiosk.waitForRecord((r) => r.event === 'ready', 'ready');
      await kiosk.waitForRecord(
        (r) => r.event === 'device' && r.status === 'connected',
        'the scanner connected',
      );
      await pty.write(`${PATRON}\r\n`);
      await pty.write(`${ITEM}\r\n`);
      const loan = await kiosk.waitForRecord((r) => r.event === 'transaction', 'the loan');
      expect([loan.kind, loan.item, loan.patron]).toEqual(['loan', ITEM, '****0018']);
      kiosk.child.kill('SIGTERM');
      expect(await kiosk.exited, kiosk.stderr()).toBe(0);
    } finally {
      kiosk.child.kill('SIGKILL');
    }
    const to = Date.now();
    const content = readFileSync(journal, 'latin1');
    expect(content).toMatch(/^\d{12}L31234000000016 {66}21234000000018\r\n$/);
    expect(expectJournal(content, [{ kind: 'L', item: ITEM, patron: PATRON }], { from, to })).toEqual([]);
    expect(kiosk.stdout()).not.toContain(PATRON);
    expect(kiosk.stderr()).toBe('');
  });
});

describe('the kiosk screen in a real terminal', () => {
  it('draws the station (Ink and its layout engine work inside the executable)', async () => {
    const dir = path.join(home, 'screen');
    mkdirSync(dir);
    const config = path.join(dir, 'offcirc.json');
    writeFileSync(
      config,
      JSON.stringify({ station: 'sea-screen-7', devices: [{ id: 'keys', type: 'terminal' }] }),
    );
    const session = `offcirc-sea-${process.pid}`;
    const command = `env -i PATH=/usr/bin:/bin HOME=${home} TERM=xterm-256color ${installed} run --config ${config} --journal ${path.join(dir, 'OffCirc.dat')}`;
    // A tmux server of the test's own, so no one else's sessions are touched; its socket is removed after.
    const socket = path.join(home, 'tmux.sock');
    const tmux = (...args: string[]) => spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command).status).toBe(0);
    try {
      const pane = await waitFor(
        () => {
          const text = tmux('capture-pane', '-p', '-t', session).stdout;
          return text.includes('sea-screen-7') ? text : undefined;
        },
        { timeoutMs: 20_000, what: () => `the screen\n${tmux('capture-pane', '-p', '-t', session).stdout}` },
      );
      expect(pane).not.toMatch(/Error|offcirc-lib|yoga/);
    } finally {
      tmux('kill-server');
    }
  });
});

describe('what a technician gets from a broken copy', () => {
  /**
   * A copy of the installed pair in `name`/, optionally without offcirc-lib/; returns the executable.
   * The executable is a hard link (no test changes it): a folder of its own without 86 MiB more to write.
   */
  const copy = (name: string, withLib = true): string => {
    const dir = path.join(home, name);
    mkdirSync(dir);
    linkSync(installed, path.join(dir, 'offcirc'));
    if (withLib)
      cpSync(path.join(home, 'kiosk', 'offcirc-lib'), path.join(dir, 'offcirc-lib'), { recursive: true });
    return path.join(dir, 'offcirc');
  };

  /**
   * Runs a headless kiosk beside `executable` with one `device`; returns that device's first status
   * record, once the kiosk has also said `ready` (it stays up for its other scanners) and stopped cleanly
   * on SIGTERM.
   */
  async function deviceStatus(
    executable: string,
    device: { id: string; type: string } & Record<string, unknown>,
  ): Promise<LogRecord> {
    const dir = path.dirname(executable);
    const config = path.join(dir, 'offcirc.json');
    writeFileSync(config, JSON.stringify({ devices: [device] }));
    const kiosk = start(executable, [
      'run',
      '--headless',
      '--config',
      config,
      '--journal',
      path.join(dir, 'OffCirc.dat'),
    ]);
    try {
      const status = await kiosk.waitForRecord(
        (r) => r.event === 'device' && r.device === device.id,
        `the ${device.type} status`,
      );
      await kiosk.waitForRecord((r) => r.event === 'ready', 'ready all the same');
      kiosk.child.kill('SIGTERM');
      expect(await kiosk.exited, kiosk.stderr()).toBe(0);
      return status;
    } finally {
      kiosk.child.kill('SIGKILL');
    }
  }

  /** The status of a serial scanner on a fresh pty (see deviceStatus). */
  async function serialStatus(executable: string): Promise<LogRecord> {
    const pty = await startPty();
    try {
      return await deviceStatus(executable, { id: 'front', type: 'serial', path: pty.scannerPath });
    } finally {
      await pty.dispose();
    }
  }

  it('without offcirc-lib/, a serial scanner is an error status saying which file is missing', async () => {
    const alone = copy('alone', false);
    const status = await serialStatus(alone);
    expect(status.status).toBe('error');
    expect(status.message).toContain(
      `${path.join(path.dirname(alone), 'offcirc-lib', 'serialport.node')} is missing; keep the offcirc-lib folder beside the offcirc executable`,
    );
  });

  it('without offcirc-lib/, devices still lists and says why it cannot see HID scanners', () => {
    const alone = copy('alone-devices', false);
    const result = run(alone, ['devices']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `${path.join(path.dirname(alone), 'offcirc-lib', 'node-hid-hidraw.node')} is missing`,
    );
  });

  it('a damaged serialport.node: the serial status names it, and the rest of the executable works', async () => {
    const damaged = copy('damaged');
    const addon = path.join(path.dirname(damaged), 'offcirc-lib', 'serialport.node');
    writeFileSync(addon, 'not an ELF file\n');
    const version = run(damaged, ['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
    const status = await serialStatus(damaged);
    expect(status.status).toBe('error');
    expect(status.message).toContain(addon);
  });

  it('a damaged HID addon is an error status naming the file, not a crash', async () => {
    const dir = path.dirname(copy('hidless'));
    writeFileSync(path.join(dir, 'offcirc-lib', 'node-hid-hidraw.node'), '');
    const status = await deviceStatus(path.join(dir, 'offcirc'), {
      id: 'gun',
      type: 'hid',
      vendorId: '0x0c2e',
      productId: '0x0b61',
    });
    expect(status.status).toBe('error');
    expect(status.message).toMatch(/^HID support unavailable: /);
    expect(status.message).toContain(path.join(dir, 'offcirc-lib', 'node-hid-hidraw.node'));
  });
});
