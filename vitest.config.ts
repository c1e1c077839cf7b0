import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Test files that start a tool of the system, and the package that has it. Where the tool is missing,
 * its files are left out with one line each saying so (a fresh machine's `npm test` passes on what it
 * can run); with OFFCIRC_TESTS_ALL=1 (`.ci/run`) a missing tool stops the run instead.
 */
const TOOLS = [
  { tool: 'socat', install: 'apt-get install socat', uses: /startPty\(|['"]socat['"]/ },
  { tool: 'tmux', install: 'apt-get install tmux', uses: /['"]tmux['"]/ },
];

const ROOT = import.meta.dirname;

/** The test files under `dir`, as paths from the repository's root (what `exclude` matches). */
function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return /\.test\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

const onPath = (tool: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;

function leftOut(): string[] {
  const missing = TOOLS.filter((t) => !onPath(t.tool));
  if (missing.length === 0) return [];
  const why = missing.map((t) => `needs ${t.tool}: ${t.install}`).join('; ');
  if (process.env.OFFCIRC_TESTS_ALL === '1')
    throw new Error(`every test must run here (OFFCIRC_TESTS_ALL=1), but: ${why}`);
  const files: string[] = [];
  for (const file of testFiles('test')) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const needs = missing.filter((t) => t.uses.test(text));
    if (needs.length === 0) continue;
    files.push(file);
    console.warn(`skipped ${file}: ${needs.map((t) => `needs ${t.tool}: ${t.install}`).join('; ')}`);
  }
  return files;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', ...leftOut()],
    // One temporary folder for the run, removed at its end (test/helpers/temp-root.ts).
    globalSetup: ['test/helpers/temp-root.ts'],
    // Integration tests start real processes, ptys and tmux sessions; two cores, so keep it modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
