/**
 * Runs the real, built `offcirc` command (bin/offcirc.js → dist/) as a child process and reads its
 * JSON-lines log, for end-to-end tests. `npm test` builds dist/ first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'offcirc.js');

export type LogRecord = Record<string, unknown> & { event?: string; level?: string; message?: string };

export interface OffcircProcess {
  child: ChildProcess;
  records: LogRecord[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first record (seen so far or later) that matches; rejects after the deadline. */
  waitFor(match: (r: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
  /** Resolves once `count` records match. */
  waitForCount(
    match: (r: LogRecord) => boolean,
    count: number,
    what: string,
    timeoutMs?: number,
  ): Promise<LogRecord[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Matches log records of one event type. */
export const isEvent =
  (event: string) =>
  (r: LogRecord): boolean =>
    r.event === event;

/**
 * A fresh folder under the temporary folder. Made in a test (or its beforeEach), it is removed when
 * that test ends, after the processes the test started later are stopped; made elsewhere (a beforeAll),
 * the caller removes it, and the run's own temporary folder (test/helpers/temp-root.ts) catches the rest.
 */
export function tempDir(prefix = 'offcirc-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  } catch {
    // Not inside a test: see above.
  }
  return dir;
}

export function writeConfig(dir: string, config: unknown, name = 'offcirc.json'): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function startOffcirc(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): OffcircProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TZ: 'Europe/Helsinki', OFFCIRC_CONFIG: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const records: LogRecord[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        records.push({ event: 'unparsed', message: line });
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  if (options.input !== undefined) child.stdin!.end(options.input);

  const waitForCount = (match: (r: LogRecord) => boolean, count: number, what: string, timeoutMs = 15_000) =>
    new Promise<LogRecord[]>((resolve, reject) => {
      const check = () => {
        const found = records.filter(match);
        if (found.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`offcirc exited before ${what}\nstdout:\n${out}\nstderr:\n${err}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what} (${records.filter(match).length}/${count})\nstdout:\n${out.slice(-4000)}\nstderr:\n${err}`,
          ),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    child,
    records,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForCount,
    waitFor: async (match, what, timeoutMs) => (await waitForCount(match, 1, what, timeoutMs))[0]!,
  };
}

/** Runs offcirc to completion with the given stdin; returns its exit code and output. */
export async function runOffcirc(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; records: LogRecord[] }> {
  const p = startOffcirc(args, { input: '', ...options });
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr(), records: p.records };
}

/** The 12-character local time of a line, for `at` in the child's time zone (Europe/Helsinki). */
export function helsinkiStamp(at: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Helsinki',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}${get('month')}${get('day')}${get('hour')}${get('minute')}`;
}

/** Checks a journal's bytes against expected records, allowing each stamp to be any minute in [from, to]. */
export function expectJournal(
  content: string,
  expected: { kind: 'L' | 'R'; item: string; patron?: string }[],
  window: { from: number; to: number },
  ending = '\r\n',
): string[] {
  const problems: string[] = [];
  const lines = content.split(ending);
  if (lines.pop() !== '') problems.push('the file does not end with a complete line');
  if (lines.length !== expected.length)
    problems.push(`expected ${expected.length} lines, found ${lines.length}`);
  const allowed = new Set<string>();
  for (let t = window.from - 60_000; t <= window.to + 60_000; t += 30_000) allowed.add(helsinkiStamp(t));
  expected.forEach((e, i) => {
    const line = lines[i];
    if (line === undefined) return;
    const stamp = line.slice(0, 12);
    const body = line.slice(12);
    const want = e.kind + e.item.padEnd(80, ' ') + (e.patron ?? '');
    if (!allowed.has(stamp))
      problems.push(`line ${i + 1}: time ${stamp} is not the station's local time of the test`);
    if (body !== want) problems.push(`line ${i + 1}: ${JSON.stringify(body)} is not ${JSON.stringify(want)}`);
  });
  return problems;
}
