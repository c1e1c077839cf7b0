/**
 * What verify, merge and export share: the streaming check of the input files, the human report of its
 * problems and notes, and the exit code it means. O(line) a line in bounded memory (the duplicate check
 * remembers the last 24 hours of transactions, not all of them: see RecentTransactions).
 * One pass when it can (checkInOnePass): all files walked together in time order, each line checked
 * once, duplicates included. Two passes otherwise (a binary file, an unreadable one, a line longer than
 * verify reads, or a caller that reads the lines in file order): every check file by file (1 MiB
 * reads), then the duplicate check over the files walked together in time order. Both give the same
 * answer, in the same order: the one-pass check keeps each file's findings apart and puts them
 * together file by file, duplicates last.
 */
import { readChecked } from '../journal/read-checked.js';
import { EXIT, type ExitCode, type Io } from '../exit.js';
import { RecentTransactions } from '../journal/transaction-set.js';
import {
  LineTooLongError,
  chunkFor,
  walkInTimeOrder,
  type LineCursor,
  type WalkedInput,
} from '../journal/merge.js';
import type { LineEnding } from '../journal/line.js';
import type { ScannedRun } from '../journal/line-scan.js';
import { MAX_KEPT_LINE, UnreadableFileError, type SeenEnding } from '../journal/parse.js';
import { sniffBinary } from '../journal/sniff.js';
import { LineChecker, ProblemLog, type LineCounts, type Note, type Problem } from '../journal/verify.js';

export type { Io };

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
  /** Problems: Alma would reject or misapply the line. */
  log: ProblemLog;
  /** Notes: offcirc's conventions not met, harmless to Alma. */
  notes: ProblemLog<Note>;
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
  /** Findings shown per kind; the rest are counted. */
  perKind?: number;
  onLine?: LineHook;
  /** Called after each chunk of each file: a caller writing output flushes here (back-pressure). */
  afterChunk?: () => Promise<void> | undefined;
  /** Called before each file is read. */
  onFile?: (fileIndex: number) => void;
  /** Where problems go: a caller adding problems of its own (export's Koha limits) passes its log. */
  log?: ProblemLog;
}

/** Findings shown per kind by default: a screenful that says what is wrong, not ten thousand lines. */
export const PROBLEMS_PER_KIND = 20;

/** Checks the files in order, sharing one duplicate set so a file given twice is caught. */
export async function checkFiles(files: readonly string[], options: CheckOptions): Promise<CheckResult> {
  const inTurn = options.onLine ?? options.afterChunk ?? options.onFile ?? options.log;
  if (inTurn === undefined) {
    const checked = await checkInOnePass(files, options);
    if (checked !== undefined) return checked.result;
  }
  return checkInTwoPasses(files, options);
}

/** The first duplicates found by (file, line), kept sorted while a walk finds them in time order. */
class FirstDuplicates {
  private readonly kept: { fileIndex: number; problem: Problem }[] = [];
  private total = 0;

  constructor(private readonly perKind: number) {}

  record(fileIndex: number, problem: Problem): void {
    const kept = this.kept;
    this.total++;
    const after = (k: { fileIndex: number; problem: Problem }) =>
      k.fileIndex > fileIndex || (k.fileIndex === fileIndex && k.problem.line > problem.line);
    const at = kept.findIndex(after);
    if (at === -1) {
      if (kept.length < this.perKind) kept.push({ fileIndex, problem });
      return;
    }
    kept.splice(at, 0, { fileIndex, problem });
    if (kept.length > this.perKind) kept.pop();
  }

  /** Adds the duplicates kept to `log`, in file-then-line order, and counts the rest. */
  addTo(log: ProblemLog): void {
    for (const { problem } of this.kept) log.add(problem);
    log.count('duplicate', this.total - this.kept.length);
  }
}

/** Thrown inside the one-pass walk to hand the files to the two-pass check. */
class NeedsTwoPasses extends Error {}

/** What checkInOnePass read: the check, and each input's lines and file status (merge compares them). */
export interface OnePassCheck {
  result: CheckResult;
  walked: WalkedInput[];
}

export interface OnePassOptions {
  now: Date;
  perKind?: number;
  /** Called once every input's first line is read, with each input's line ending (merge picks its own). */
  ready?: (firstEndings: (LineEnding | undefined)[]) => void;
  /** Called with each line, in time order, after its check (merge writes it); may return a wait. */
  visit?: (cursor: LineCursor) => Promise<void> | undefined;
  /** Called before an input's buffer changes (see walkInTimeOrder). */
  beforeRead?: () => Promise<void> | undefined;
}

/**
 * Every check of every file in one pass: the files walked together in time order (each in its own
 * order, see walkInTimeOrder), each line checked once by its file's LineChecker, duplicates found on
 * the way. The same answer as the two-pass check, or undefined (nothing said) when a file needs that
 * one: a binary file, a file that can't be read, or a line longer than MAX_KEPT_LINE. Cost: one read of
 * each file, O(line) a line; memory: one read buffer per file (chunkFor), the duplicate window, and the
 * first `perKind` findings of each kind per file.
 */
export async function checkInOnePass(
  files: readonly string[],
  options: OnePassOptions,
): Promise<OnePassCheck | undefined> {
  const perKind = options.perKind ?? PROBLEMS_PER_KIND;
  const seen = new RecentTransactions();
  const duplicates = new FirstDuplicates(perKind);
  const logs = files.map(() => new ProblemLog(perKind));
  const noteLogs = files.map(() => new ProblemLog<Note>(perKind));
  const checkers = files.map(
    (file, fileIndex) =>
      new LineChecker({
        file,
        fileIndex,
        files,
        seen,
        now: options.now,
        report: (problem) => logs[fileIndex]?.add(problem),
        note: (note) => noteLogs[fileIndex]?.add(note),
        duplicate: (problem) => duplicates.record(fileIndex, problem),
      }),
  );
  const visit = options.visit;
  let walked: WalkedInput[];
  try {
    walked = await walkInTimeOrder(
      files,
      (cursor) => {
        checkAtCursor(checkers, cursor);
        return visit?.(cursor);
      },
      {
        chunk: chunkFor(files.length),
        maxLine: MAX_KEPT_LINE,
        ...(options.beforeRead && { beforeRead: options.beforeRead }),
        // Without a visitor of its own, the lines of the one input left are checked a batch at a time.
        ...(visit === undefined && {
          visitRun: (cursor: LineCursor, run: ScannedRun) => checkers[cursor.index]?.checkRun(run),
        }),
        ready: (cursors) => {
          for (const cursor of cursors) {
            const head = cursor.head();
            if (head === undefined || sniffBinary(head) !== undefined) throw new NeedsTwoPasses();
          }
          options.ready?.(cursors.map((c) => (c.lines > 0 && c.ending !== 'none' ? c.ending : undefined)));
        },
      },
    );
  } catch (caught) {
    if (
      caught instanceof NeedsTwoPasses ||
      caught instanceof UnreadableFileError ||
      caught instanceof LineTooLongError
    )
      return undefined;
    throw caught;
  }
  const log = new ProblemLog(perKind);
  const notes = new ProblemLog<Note>(perKind);
  const totals: LineCounts = { lines: 0, loans: 0, returns: 0 };
  const reports: FileReport[] = [];
  files.forEach((file, i) => {
    const checker = checkers[i] as LineChecker;
    log.append(logs[i] as ProblemLog);
    notes.append(noteLogs[i] as ProblemLog<Note>);
    const counts = checker.finish();
    totals.lines += counts.lines;
    totals.loans += counts.loans;
    totals.returns += counts.returns;
    reports.push({ file, ...counts, lineEnding: checker.firstEnding });
  });
  duplicates.addTo(log);
  return { result: { files: reports, totals, log, notes, unreadable: [] }, walked };
}

/** The two-pass check (see the module comment). */
async function checkInTwoPasses(files: readonly string[], options: CheckOptions): Promise<CheckResult> {
  const perKind = options.perKind ?? PROBLEMS_PER_KIND;
  const log = options.log ?? new ProblemLog(perKind);
  const notes = new ProblemLog<Note>(perKind);
  const reports: FileReport[] = [];
  /** Files the duplicate walk reads: readable text files whose lines all fit a checker's view. */
  const walkable: boolean[] = [];
  const totals: LineCounts = { lines: 0, loans: 0, returns: 0 };
  for (let index = 0; index < files.length; index++) {
    const file = files[index] ?? '';
    options.onFile?.(index);
    const checker = new LineChecker({
      file,
      fileIndex: index,
      files,
      now: options.now,
      report: (problem) => log.add(problem),
      note: (note) => notes.add(note),
    });
    const onLine = options.onLine;
    let overlong = false;
    const { binary, error } = await readChecked(file, checker, {
      onLine: (content, length, ending, offset) => {
        if (length > MAX_KEPT_LINE) overlong = true;
        onLine?.(index, content, length, ending, offset);
      },
      ...(options.afterChunk && { afterChunk: options.afterChunk }),
    });
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
    walkable.push(error === undefined && !binary && !overlong);
  }
  try {
    await findDuplicates(files, walkable, options.now, log);
  } catch (caught) {
    // A file that went away or broke since its check: say so as for any unreadable file.
    if (!(caught instanceof UnreadableFileError)) throw caught;
    const report = reports.find((r) => r.file === caught.file);
    if (report) report.error = caught.reason;
  }
  return { files: reports, totals, log, notes, unreadable: reports.filter((r) => r.error !== undefined) };
}

/**
 * The duplicate check: the files' lines walked together in time order (each file in its own order), so
 * the two copies of a transaction (same minute) come close together, whichever files hold them. Adds
 * to `log` the duplicates in file-then-line order (the first `perKind` of them kept, the rest counted).
 * Runs every line check again for the duplicate check's own conditions, reporting only duplicates.
 */
async function findDuplicates(
  files: readonly string[],
  walkable: readonly boolean[],
  now: Date,
  log: ProblemLog,
): Promise<void> {
  const chosen = files.flatMap((_, i) => (walkable[i] ? [i] : []));
  if (chosen.length === 0) return;
  const seen = new RecentTransactions();
  const duplicates = new FirstDuplicates(log.perKind);
  const checkers = chosen.map(
    (fileIndex) =>
      new LineChecker({
        file: files[fileIndex] ?? '',
        fileIndex,
        files,
        seen,
        now,
        report: (problem) => {
          if (problem.code === 'duplicate') duplicates.record(fileIndex, problem);
        },
      }),
  );
  await walkInTimeOrder(
    chosen.map((i) => files[i] ?? ''),
    (cursor) => {
      checkAtCursor(checkers, cursor);
      return undefined;
    },
    { chunk: chunkFor(chosen.length) },
  );
  duplicates.addTo(log);
}

/** `FILE:LINE: message`, or `FILE: message` for a finding about the whole file. */
export function formatProblem(problem: Problem | Note): string {
  return problem.line > 0
    ? `${problem.file}:${problem.line}: ${problem.message}`
    : `${problem.file}: ${problem.message}`;
}

/** `1 line`, `2 lines`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Heading of the notes in the human report: they don't fail the check. */
export const NOTES_HEADING = 'Notes (not problems: Alma accepts these):';

/** The notes under their heading, and how many were left out; nothing when there are none. */
export function printNotes(
  result: CheckResult,
  print: (line: string) => void,
  heading = NOTES_HEADING,
): void {
  if (result.notes.total === 0) return;
  print(heading);
  for (const note of result.notes.shown) print(`  ${formatProblem(note)}`);
  for (const { code, count } of result.notes.omitted()) {
    print(`  … and ${count} more "${code}" ${count === 1 ? 'note' : 'notes'} not shown`);
  }
}

/** The human report: problems, what was left out, the notes, and the summary line. */
export function printHuman(result: CheckResult, print: (line: string) => void): void {
  for (const problem of result.log.shown) print(formatProblem(problem));
  for (const { code, count } of result.log.omitted()) {
    print(`… and ${count} more "${code}" ${count === 1 ? 'problem' : 'problems'} not shown`);
  }
  printNotes(result, print);
  const { lines, loans, returns } = result.totals;
  print(
    `${plural(lines, 'line')}, ${plural(loans, 'loan')}, ${plural(returns, 'return')}, ${plural(result.log.total, 'problem')}` +
      (result.notes.total > 0 ? `, ${plural(result.notes.total, 'note')}` : '') +
      (result.unreadable.length > 0 ? `, ${result.unreadable.length} unreadable` : ''),
  );
}

/** Says which files could not be read, and why. */
export function printUnreadable(result: CheckResult, print: (line: string) => void): void {
  for (const report of result.unreadable) print(`${report.file}: cannot read: ${report.error}`);
}

/** The exit code of a check: unreadable beats problems; notes never count. */
export function exitCode(result: CheckResult): ExitCode {
  if (result.unreadable.length > 0) return EXIT.unreadable;
  return result.log.total > 0 ? EXIT.problems : EXIT.ok;
}

/**
 * For the commands that write only from inputs without problems (merge, export): when `result` has a
 * problem or an unreadable file, prints them and why nothing was written on standard error and returns
 * the exit code; otherwise prints the notes (if any) on standard error, as a warning, and returns
 * undefined.
 */
export function refuseOnProblems(
  result: CheckResult,
  io: Io,
  command: string,
  why: { unreadable: string; problems: string },
): ExitCode | undefined {
  const code = exitCode(result);
  if (code === EXIT.ok) {
    printNotes(
      result,
      (line) => io.err(line),
      `${command}: notes (not problems: Alma accepts these, the lines are kept):`,
    );
    return undefined;
  }
  printHuman(result, (line) => io.err(line));
  printUnreadable(result, (line) => io.err(line));
  const reason = result.unreadable.length > 0 ? why.unreadable : why.problems;
  io.err(`${command}: refused, ${reason}; nothing was written`);
  return code;
}

/** Checks the line under `cursor` with its input's checker, from the byte pass's record of it. */
function checkAtCursor(checkers: readonly (LineChecker | undefined)[], cursor: LineCursor): void {
  const start = cursor.lineStart;
  const length = cursor.lineEnd - start;
  checkers[cursor.index]?.checkScanned(
    cursor.buffer,
    start,
    length,
    length,
    cursor.ending,
    cursor.flags,
    cursor.hashA,
    cursor.hashB,
    cursor.stamp,
    cursor.date,
    cursor.dayMinute,
  );
}
