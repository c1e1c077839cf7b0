/** The state file against links planted where it is written, and its mode under umask 000. */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COUNTS_SAVE_DELAY_MS, StateStore } from '../../src/station/state.js';
import { removeFolder, tempFolder } from '../journal/fixtures/helpers.js';

let dir: string;
let file: string;
let victim: string;
let umask: number;
const warnings: string[] = [];
const log = (level: string, message: string) => void (level === 'warn' && warnings.push(message));

beforeEach(() => {
  dir = tempFolder('offcirc-state-');
  file = path.join(dir, 'OffCirc.dat.state.json');
  mkdirSync(path.join(dir, 'root-only'));
  victim = path.join(dir, 'root-only', 'secret');
  writeFileSync(victim, 'do not touch\n', { mode: 0o600 });
  warnings.length = 0;
  umask = process.umask();
});

afterEach(() => {
  process.umask(umask);
  removeFolder(dir);
});

describe('state file', () => {
  it("a link at lowdb's old temporary name (.<state>.tmp) is never written through", async () => {
    symlinkSync(victim, path.join(dir, '.OffCirc.dat.state.json.tmp'));
    const store = new StateStore(file, log);
    await store.start();
    store.update((s) => (s.mode = 'return'));
    await store.stop();
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ mode: 'return' });
    // The planted link is left alone, and no temporary file of ours is left behind.
    expect(readdirSync(dir).sort()).toEqual([
      '.OffCirc.dat.state.json.tmp',
      'OffCirc.dat.state.json',
      'root-only',
    ]);
  });

  it('a link at the state file itself is not read: it is set aside with a warning and a fresh file written', async () => {
    writeFileSync(
      victim,
      JSON.stringify({
        mode: 'return',
        today: { day: 'x', loans: 1, returns: 0, rejections: 0 },
        rotations: [],
      }),
    );
    symlinkSync(victim, file);
    const store = new StateStore(file, log);
    const state = await store.start();
    expect(state.mode).toBeUndefined();
    expect(warnings[0]).toMatch(/it is a symbolic link/);
    store.update((s) => (s.mode = 'loan'));
    await store.stop();
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, 'utf8')).toMatch(/"mode":"return"/);
  });

  it('is written owner-only under umask 000', async () => {
    process.umask(0);
    const store = new StateStore(file, log);
    await store.start();
    store.update((s) => (s.mode = 'loan'));
    await store.stop();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('when the state file is saved', () => {
  afterEach(() => void vi.useRealTimers());

  /** The file's contents once the save started by the timers has reached the disk. */
  const saved = async (): Promise<unknown> => {
    for (let i = 0; i < 2000; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // not written yet
      }
    }
    throw new Error('the state file was not written');
  };

  it("today's counts within a minute, the mode within a second (bringing the counts with it), everything at a stop", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const store = new StateStore(file, log);
    await store.start();
    const count = () => store.update((s) => s.today.loans++, COUNTS_SAVE_DELAY_MS);

    count();
    vi.advanceTimersByTime(COUNTS_SAVE_DELAY_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await saved()).toMatchObject({ today: { loans: 1 } });
    rmSync(file);

    count();
    vi.advanceTimersByTime(5_000);
    store.update((s) => (s.mode = 'return'));
    vi.advanceTimersByTime(999);
    expect(existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await saved()).toMatchObject({ mode: 'return', today: { loans: 2 } });
    rmSync(file);

    count();
    await store.stop();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ today: { loans: 3 } });
  });
});
