/**
 * Loading the config at a start without zod when this very file was already checked: zod and the
 * schema cost a start more than anything else of offcirc's own (about 100 ms of CPU of ~400), and a kiosk
 * starts on the same config day after day. The first start of each config text checks it with zod
 * (load.ts) and keeps the result in the user's cache folder; later starts use it when its key matches.
 *
 * - The key is a SHA-256 of the build's identity (every file of the build that made this program: a new
 *   build forgets every result) and the config's bytes: any change of either checks it again.
 * - Only a config that passed is kept: every problem is reported by zod, with the same words, each time.
 * - A kept result is believed only from a regular file of this user that no one else may read or write,
 *   in a folder of this user that no one else may write; anything else (damaged, foreign, a link) is
 *   ignored and checked again. Writing it is best effort: a start never fails for the cache.
 * - Both ways give the same data: the config as JSON (what zod returns, through JSON.stringify).
 * Cost on a hit: one hash of the config, one small file read and JSON.parse.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { openRead, replaceFile } from '../safe-file.js';
import { findConfigFile, placeConfig, readConfigFile, type LoadedConfig } from './file.js';
import type { Config } from './schema.js';

/** The folder of kept results: $XDG_CACHE_HOME/offcirc, else ~/.cache/offcirc. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return path.join(base ?? path.join(homedir(), '.cache'), 'offcirc');
}

const sha256 = (...parts: string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return hash.digest('hex');
};

/** The one file that keeps the result for a config file (or the built-in config). */
export const cacheFileFor = (folder: string, file: string | undefined): string =>
  path.join(folder, `config-${sha256(file ?? '(built-in)').slice(0, 24)}.json`);

/**
 * Whether this user alone owns and may write the folder (else someone else could plant a result); false
 * too when it can't be looked at (another user's cache folder: EACCES).
 */
function ownFolder(folder: string): boolean {
  try {
    const stats = lstatSync(folder, { throwIfNoEntry: false });
    return (
      stats !== undefined &&
      stats.isDirectory() &&
      stats.uid === process.getuid?.() &&
      (stats.mode & 0o022) === 0
    );
  } catch {
    return false;
  }
}

/** The kept config for `key`, or undefined when there is none to believe. */
async function readKept(cacheFile: string, key: string): Promise<Config | undefined> {
  if (!ownFolder(path.dirname(cacheFile))) return undefined;
  try {
    const handle = await openRead(cacheFile);
    try {
      const stats = await handle.stat();
      if (stats.uid !== process.getuid?.() || (stats.mode & 0o077) !== 0) return undefined;
      const kept = JSON.parse(await handle.readFile({ encoding: 'utf8' })) as unknown;
      if (typeof kept !== 'object' || kept === null) return undefined;
      const { key: keptKey, config } = kept as { key?: unknown; config?: unknown };
      if (keptKey !== key || typeof config !== 'object' || config === null || Array.isArray(config))
        return undefined;
      return config as Config;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // missing, unreadable, not JSON: check again
  }
}

/** Keeps a checked config; silently does nothing where the folder can't be made or isn't ours alone. */
async function keep(cacheFile: string, key: string, config: Config): Promise<void> {
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
    if (!ownFolder(path.dirname(cacheFile))) return;
    await replaceFile(cacheFile, JSON.stringify({ key, config }));
  } catch {
    // best effort: the next start checks the config again
  }
}

/**
 * loadConfig (load.ts) with the check skipped when this build already passed this config text. `build`
 * identifies the running build; undefined (code not built by scripts/bundle.mjs) keeps nothing.
 */
export async function loadCheckedConfig(
  options: { config?: string; journal?: string },
  build: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const file = findConfigFile(options.config, env);
  const text = file === undefined ? '{}' : readConfigFile(file);
  const cacheFile = build === undefined ? undefined : cacheFileFor(cacheFolder(env), file);
  const key = sha256(build ?? '', text);
  let config = cacheFile === undefined ? undefined : await readKept(cacheFile, key);
  if (config === undefined) {
    const { parseConfigText } = await import('./load.js');
    // Through JSON either way, so a kept config and a fresh one are the same data.
    config = JSON.parse(JSON.stringify(parseConfigText(text, file))) as Config;
    if (cacheFile !== undefined) await keep(cacheFile, key, config);
  }
  return placeConfig(config, file, options.journal);
}
