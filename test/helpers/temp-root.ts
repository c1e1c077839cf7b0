/**
 * Vitest global setup: one temporary folder for the whole run, made the TMPDIR (and TMUX_TMPDIR, where
 * tmux keeps its server sockets) of every test worker and of every process they start (offcirc, socat,
 * tmux, the executable), and removed with all it holds when
 * the run ends, passed or failed. A test that forgets its own folder leaves nothing behind; tests still
 * remove what they make where they can, to keep the folder small during the run. Costs one mkdtemp
 * and one recursive remove.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'offcirc-tests-'));
  const before = { TMPDIR: process.env.TMPDIR, TMUX_TMPDIR: process.env.TMUX_TMPDIR };
  process.env.TMPDIR = root;
  process.env.TMUX_TMPDIR = root;
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
