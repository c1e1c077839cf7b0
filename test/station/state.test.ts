/** The state file against links planted where it is written, and its mode under umask 000. */
import {
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
import { StateStore } from '../../src/station/state.js';
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
