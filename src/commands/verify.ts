/**
 * `offcirc verify FILE… [--json]`: checks OffCirc.dat files before upload and lists every problem as
 * `FILE:LINE: what is wrong`. Streams each file (1 MiB reads, flat memory) apart from the duplicate check.
 * Exit 0 clean, 1 problems found, 2 a file could not be read.
 */
import { TransactionSet } from '../journal/transaction-set.js';
import { sniffBinary } from '../journal/sniff.js';
import { LineSplitter, UnreadableFileError, readChunks, type SeenEnding } from '../journal/parse.js';
import { LineChecker, ProblemLog, type LineCounts, type Problem } from '../journal/verify.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_UNREADABLE = 2;

/** What the check of one file found. */
export interface FileReport extends LineCounts {
  file: string;
  /** The line ending of its first line, when it has one. */
  lineEnding: 'crlf' | 'lf' | undefined;
  /** Why it could not be read, when it could not. */
  error?: string;
}

export interface CheckResult {
  files: FileReport[];
  totals: LineCounts;
  log: ProblemLog;
  /** The files that could not be read. */
  unreadable: FileReport[];
}

/** Called with every line after it is checked (merge and export build their output from these). */
export type LineHook = (
  fileIndex: number,
  content: Uint8Array,
  length: number,
  ending: SeenEnding,
  offset: number,
) => void;

export interface CheckOptions {
  now: Date;
  /** Problems shown per kind; the rest are counted. */
  perKind?: number;
  onLine?: LineHook;
  /** Called after each chunk of each file: a caller writing output flushes here (back-pressure). */
  afterChunk?: () => Promise<void> | undefined;
  /** Called before each file is read. */
  onFile?: (fileIndex: number) => void;
}

/** Problems shown per kind by default: a screenful that says what is wrong, not ten thousand lines. */
export const PROBLEMS_PER_KIND = 20;

/** Checks the files in order, sharing one duplicate set so a file given twice is caught. */
export async function checkFiles(files: readonly string[], options: CheckOptions): Promise<CheckResult> {
  const log = new ProblemLog(options.perKind ?? PROBLEMS_PER_KIND);
  const seen = new TransactionSet();
  const reports: FileReport[] = [];
  const totals: LineCounts = { lines: 0, loans: 0, returns: 0 };
  for (let index = 0; index < files.length; index++) {
    const file = files[index] ?? '';
    options.onFile?.(index);
    const checker = new LineChecker({
      file,
      fileIndex: index,
      files,
      seen,
      now: options.now,
      report: (problem) => log.add(problem),
    });
    const onLine = options.onLine;
    const splitter = new LineSplitter((content, length, ending, offset) => {
      checker.check(content, length, ending);
      onLine?.(index, content, length, ending, offset);
    });
    let first = true;
    let binary = false;
    let error: string | undefined;
    try {
      await readChunks(file, (chunk) => {
        if (first) {
          first = false;
          const what = sniffBinary(chunk);
          if (what !== undefined) {
            binary = true;
            checker.reportFile('binary', `this is ${what}, not an OffCirc.dat text file`);
            return false;
          }
        }
        splitter.push(chunk);
        return options.afterChunk?.();
      });
      if (!binary) splitter.end();
    } catch (caught) {
      if (!(caught instanceof UnreadableFileError)) throw caught;
      error = caught.reason;
    }
    const counts = checker.finish();
    totals.lines += counts.lines;
    totals.loans += counts.loans;
    totals.returns += counts.returns;
    reports.push({
      file,
      ...counts,
      lineEnding: checker.firstEnding,
      ...(error === undefined ? {} : { error }),
    });
  }
  return { files: reports, totals, log, unreadable: reports.filter((r) => r.error !== undefined) };
}

/** `FILE:LINE: message`, or `FILE: message` for a problem with the whole file. */
export function formatProblem(problem: Problem): string {
  return problem.line > 0
    ? `${problem.file}:${problem.line}: ${problem.message}`
    : `${problem.file}: ${problem.message}`;
}

/** `1 line`, `2 lines`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The human report: problems, what was left out, unreadable files, and the summary line. */
export function printHuman(result: CheckResult, print: (line: string) => void): void {
  for (const problem of result.log.shown) print(formatProblem(problem));
  for (const { code, count } of result.log.omitted()) {
    print(`… and ${count} more "${code}" ${count === 1 ? 'problem' : 'problems'} not shown`);
  }
  const { lines, loans, returns } = result.totals;
  print(
    `${plural(lines, 'line')}, ${plural(loans, 'loan')}, ${plural(returns, 'return')}, ${plural(result.log.total, 'problem')}` +
      (result.unreadable.length > 0 ? `, ${result.unreadable.length} unreadable` : ''),
  );
}

/** Says which files could not be read, and why. */
export function printUnreadable(result: CheckResult, print: (line: string) => void): void {
  for (const report of result.unreadable) print(`${report.file}: cannot read: ${report.error}`);
}

/** The exit code of a check: unreadable beats problems. */
export function exitCode(result: CheckResult): number {
  if (result.unreadable.length > 0) return EXIT_UNREADABLE;
  return result.log.total > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/**
 * For the commands that write only from clean inputs (merge, export): when `result` has a problem or an
 * unreadable file, prints them and why nothing was written on standard error and returns the exit code;
 * otherwise returns undefined.
 */
export function refuseOnProblems(
  result: CheckResult,
  io: Io,
  command: string,
  why: { unreadable: string; problems: string },
): number | undefined {
  const code = exitCode(result);
  if (code === EXIT_OK) return undefined;
  printHuman(result, (line) => io.err(line));
  printUnreadable(result, (line) => io.err(line));
  const reason = result.unreadable.length > 0 ? why.unreadable : why.problems;
  io.err(`${command}: refused, ${reason}; nothing was written`);
  return code;
}

/** The `--json` document. */
export function jsonReport(result: CheckResult): Record<string, unknown> {
  return {
    ok: exitCode(result) === EXIT_OK,
    files: result.files.map((f) => ({
      file: f.file,
      lines: f.lines,
      loans: f.loans,
      returns: f.returns,
      lineEnding: f.lineEnding ?? null,
      ...(f.error === undefined ? {} : { error: f.error }),
    })),
    counts: { ...result.totals, problems: result.log.total },
    problems: result.log.shown,
    omitted: result.log.omitted(),
  };
}

export interface VerifyOptions {
  json: boolean;
  /** Problems shown per kind (default PROBLEMS_PER_KIND). */
  perKind?: number;
}

/** Runs `offcirc verify`; returns the exit code. `now` is the clock for the future-time check. */
export async function verifyCommand(
  files: string[],
  options: VerifyOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (files.length === 0) {
    io.err('offcirc verify: no file given (offcirc verify FILE…)');
    return EXIT_UNREADABLE;
  }
  const result = await checkFiles(files, { now: now(), perKind: options.perKind });
  if (options.json) {
    io.out(JSON.stringify(jsonReport(result), null, 2));
  } else {
    printHuman(result, (line) => io.out(line));
  }
  printUnreadable(result, (line) => io.err(line));
  return exitCode(result);
}
