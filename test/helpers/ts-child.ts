/**
 * Runs a TypeScript test fixture as a real child process (its own stdin, its own privileges), bundled
 * with esbuild into a temp folder whose node_modules links to the project's. Costs one esbuild build
 * (well under a second) per fixture and one node process per run.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { waitFor } from './pty.js';

export interface Bundle {
  /** The .mjs to run with node. */
  file: string;
  dispose(): Promise<void>;
}

/** Bundles `entry` (a .ts file) and everything it imports from the project; packages stay external. */
export async function bundleFixture(entry: string): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), 'offcirc-child-'));
  await symlink(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface JsonChild {
  child: ChildProcess;
  /** Each stdout line, parsed as JSON. */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Waits for a line that satisfies `test`, and returns it. */
  waitForLine(
    test: (line: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the child has ended. */
  exited: Promise<number | string>;
  /** The exit code (or signal) once it has ended, or 'still running' after `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<number | string>;
}

/** Spawns a command whose stdout is JSON lines. */
export function spawnJsonLines(command: string, args: string[], stdio: StdioOptions = 'pipe'): JsonChild {
  const child = spawn(command, args, { stdio });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (err += text));
  const exited = new Promise<number | string>((done) =>
    child.once('close', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  let exit: number | string | undefined;
  void exited.then((code) => (exit = code));
  return {
    child,
    lines,
    exitWithin: (timeoutMs) =>
      waitFor(() => exit, { timeoutMs, what: 'the child to end' }).catch(() => 'still running'),
    stderr: () => err,
    exited,
    waitForLine: (test, what) =>
      waitFor(() => lines.find(test), { what: () => `${what} (child said ${JSON.stringify(lines)} ${err})` }),
  };
}
