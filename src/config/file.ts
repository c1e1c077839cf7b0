/**
 * The config file as a file: where it is found, reading it (bounded, every failure in words), and the
 * paths in it resolved against its folder. No validation here (load.ts, with zod): this is what a start
 * needs before it knows whether the checked config is already known (checked.ts).
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Config } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly problems: string[],
  ) {
    super(`${file ?? 'built-in config'}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or undefined for the built-in defaults. */
  file: string | undefined;
  /** Absolute journal path after --journal, the config and the platform default. */
  journalPath: string;
}

/** Where Alma's own Windows utility keeps the file, and the same folders under the home elsewhere. */
export function defaultJournalPath(platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return 'C:\\Alma Offline Circulation\\OffCirc\\files\\OffCirc.dat';
  return path.join(home, 'Alma Offline Circulation', 'OffCirc', 'files', 'OffCirc.dat');
}

/** --config FILE, else $OFFCIRC_CONFIG, else config/offcirc.json where it exists, else none. */
export function findConfigFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string | undefined {
  if (explicit) return path.resolve(cwd, explicit);
  if (env.OFFCIRC_CONFIG) return path.resolve(cwd, env.OFFCIRC_CONFIG);
  const local = path.resolve(cwd, 'config', 'offcirc.json');
  return existsSync(local) ? local : undefined;
}

/** A config file is a few KiB; more is a wrong file (a journal, a log, /dev/zero), refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Why a file can't be read, in words rather than an errno code. */
function unreadable(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file, expected the path of an existing JSON file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied, expected a file this user may read';
    case 'EISDIR':
      return 'a folder, not a file, expected the path of a JSON file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder, expected the path of a JSON file';
    case 'ELOOP':
      return 'a loop of symbolic links, expected the path of a JSON file';
    default:
      return `can't be read (${error.message}), expected a readable JSON file`;
  }
}

/** The text of a config file, or the one problem that stops it being read. */
export function readConfigFile(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!stat.isFile())
      throw new ConfigError(file, ['(file): not a regular file (a device or a pipe), expected a JSON file']);
    if (stat.size > MAX_CONFIG_BYTES)
      throw new ConfigError(file, [
        `(file): ${stat.size} bytes, expected a config file of at most ${MAX_CONFIG_BYTES} bytes`,
      ]);
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, [`(file): ${unreadable(error as NodeJS.ErrnoException)}`]);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Resolves a path from the config against the config file's folder, as a technician would read it. */
function resolveFrom(file: string | undefined, p: string): string {
  return path.resolve(file ? path.dirname(file) : process.cwd(), p);
}

/**
 * A validated config placed where the command line and the file put it: the journal after --journal,
 * and the paths in the file resolved against the file's folder. Changes `config` in place.
 */
export function placeConfig(
  config: Config,
  file: string | undefined,
  journal: string | undefined,
): LoadedConfig {
  const journalPath = journal
    ? path.resolve(journal)
    : config.journal.path
      ? resolveFrom(file, config.journal.path)
      : defaultJournalPath();
  for (const d of config.devices) if (d.type === 'replay') d.file = resolveFrom(file, d.file);
  if (config.logging.dir) config.logging.dir = resolveFrom(file, config.logging.dir);
  if (config.patrons.list) config.patrons.list = resolveFrom(file, config.patrons.list);
  if (config.forward?.passwordFile)
    config.forward.passwordFile = resolveFrom(file, config.forward.passwordFile);
  return { config, file, journalPath };
}
