/**
 * A config kept as checked (src/config/checked.ts): believed only for the same build and the same bytes,
 * from a file and folder of this user alone; damaged, stale, foreign or linked ones are checked again;
 * a bad config is reported by zod every time, word for word as loadConfig does, and never kept.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFileFor, loadCheckedConfig } from '../../src/config/checked.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/offcirc.js';

const CONFIG = {
  station: 'front-desk-1',
  journal: { path: 'journal/OffCirc.dat' },
  logging: { dir: 'logs' },
  keys: { quit: 'F5' }, // no receipt key: zod gives `receipt: undefined`
  devices: [{ id: 'front', type: 'serial', path: '/dev/ttyACM0' }],
};

function setUp(config: unknown = CONFIG) {
  const dir = tempDir('offcirc-checked-');
  const file = path.join(dir, 'offcirc.json');
  writeFileSync(file, JSON.stringify(config));
  const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
  const folder = path.join(dir, 'cache', 'offcirc');
  return { dir, file, env, folder, kept: cacheFileFor(folder, file) };
}

/** Replaces the kept config's station, keeping its key: what a start returns then came from the file. */
function alterKept(kept: string, station: string): void {
  const data = JSON.parse(readFileSync(kept, 'utf8')) as { config: { station: string } };
  data.config.station = station;
  writeFileSync(kept, JSON.stringify(data), { mode: 0o600 });
}

describe('loadCheckedConfig', () => {
  it('gives what loadConfig gives, checked the first time and kept for the next', async () => {
    const { file, env, kept } = setUp();
    const first = await loadCheckedConfig({ config: file }, 'build-1', env);
    expect(first).toEqual(loadConfig({ config: file }, env));
    alterKept(kept, 'from-the-cache');
    const second = await loadCheckedConfig({ config: file }, 'build-1', env);
    expect(second.config.station).toBe('from-the-cache');
    expect({ ...second, config: { ...second.config, station: 'front-desk-1' } }).toEqual(first);
  });

  it('checks again when the config bytes or the build change', async () => {
    const { file, env, kept } = setUp();
    await loadCheckedConfig({ config: file }, 'build-1', env);
    alterKept(kept, 'stale');
    expect((await loadCheckedConfig({ config: file }, 'build-2', env)).config.station).toBe('front-desk-1');
    alterKept(kept, 'stale');
    writeFileSync(file, JSON.stringify({ ...CONFIG, station: 'back-desk' }));
    expect((await loadCheckedConfig({ config: file }, 'build-2', env)).config.station).toBe('back-desk');
  });

  it('checks again past a damaged, foreign-moded, linked file or an open folder', async () => {
    const { dir, file, env, kept, folder } = setUp();
    const again = async () => (await loadCheckedConfig({ config: file }, 'b', env)).config.station;
    await loadCheckedConfig({ config: file }, 'b', env);
    writeFileSync(kept, '{"key": "', { mode: 0o600 });
    expect(await again()).toBe('front-desk-1');
    alterKept(kept, 'planted');
    chmodSync(kept, 0o644); // others could read it: not one offcirc wrote
    expect(await again()).toBe('front-desk-1');
    alterKept(kept, 'planted');
    chmodSync(folder, 0o777); // anyone could have put it there
    expect(await again()).toBe('front-desk-1');
    chmodSync(folder, 0o700);
    const elsewhere = path.join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(kept), { mode: 0o600 });
    alterKept(elsewhere, 'linked');
    rmSync(kept);
    symlinkSync(elsewhere, kept);
    expect(await again()).toBe('front-desk-1');
  });

  it('reports a bad config as loadConfig does, every time, and keeps nothing', async () => {
    const { file, env, folder } = setUp({ ...CONFIG, station: 'two words', devices: [{ type: 'usb' }] });
    const problems = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ConfigError).problems;
      }
      throw new Error('no problem reported');
    };
    const expected = problems(() => loadConfig({ config: file }, env));
    for (let i = 0; i < 2; i++) {
      const error = await loadCheckedConfig({ config: file }, 'b', env).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual(expected);
    }
    mkdirSync(folder, { recursive: true });
    expect(readdirSync(folder)).toEqual([]);
  });

  it("starts without the cache where its folder can't even be looked at", async () => {
    const { file, env, dir } = setUp();
    writeFileSync(path.join(dir, 'cache'), 'a file where the cache folder should be');
    const loaded = await loadCheckedConfig({ config: file }, 'b', env);
    expect(loaded.config.station).toBe('front-desk-1');
  });

  it('keeps nothing without a build identity (code not built by scripts/bundle.mjs)', async () => {
    const { file, env, dir } = setUp();
    await loadCheckedConfig({ config: file }, undefined, env);
    expect(readdirSync(dir)).toEqual(['offcirc.json']);
  });
});
