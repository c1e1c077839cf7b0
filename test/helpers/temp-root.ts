/**
 * Vitest global setup: one temporary folder for the whole run, made the TMPDIR of every test worker
 * and of every process they start (offcirc, socat, the executable), and removed with all it holds when
 * the run ends, passed or failed. A test that forgets its own folder leaves nothing behind; tests still
 * remove what they make where they can, to keep the folder small during the run. Costs one mkdtemp
 * and one recursive remove.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'offcirc-tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
