/**
 * Vitest global setup: one temporary folder for the whole run, made the TMPDIR (and TMUX_TMPDIR, where
 * tmux keeps its server sockets, and XDG_CACHE_HOME's parent) of every test worker and of every process they start (offcirc, socat,
 * tmux, the executable), and removed with all it holds when
 * the run ends, passed or failed. A test that forgets its own folder leaves nothing behind; tests still
 * remove what they make where they can, to keep the folder small during the run. Costs one mkdtemp
 * and one recursive remove.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'offcirc-tests-'));
  // Passable, not listable, by other users: tests run children as another user (nobody) in folders of
  // their own inside it, as /tmp is for them without this folder.
  chmodSync(root, 0o711);
  const before = {
    TMPDIR: process.env.TMPDIR,
    TMUX_TMPDIR: process.env.TMUX_TMPDIR,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  };
  process.env.TMPDIR = root;
  process.env.TMUX_TMPDIR = root;
  // offcirc keeps checked configs in the user's cache folder (src/config/checked.ts): the run's own here.
  process.env.XDG_CACHE_HOME = path.join(root, 'cache');
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
