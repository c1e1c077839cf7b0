/**
 * `offcirc verify FILE… [--json]`: checks OffCirc.dat files before upload and lists every problem as
 * `FILE:LINE: what is wrong`, then the notes (conventions not met that Alma accepts) under their own
 * heading. Streams each file twice (all checks, then duplicates in time order), in bounded memory.
 * Exit 0 no problems (notes or not), 1 problems found, 2 a file could not be read, 64 no file given.
 */
import { EXIT, type ExitCode, type Io } from '../exit.js';
import { checkFiles, exitCode, printHuman, printUnreadable, type CheckResult } from './common.js';

/** The `--json` document: problems and notes, each with its file and line. */
export function jsonReport(result: CheckResult): Record<string, unknown> {
  return {
    ok: exitCode(result) === EXIT.ok,
    files: result.files.map((f) => ({
      file: f.file,
      lines: f.lines,
      loans: f.loans,
      returns: f.returns,
      lineEnding: f.lineEnding ?? null,
      ...(f.error === undefined ? {} : { error: f.error }),
    })),
    counts: { ...result.totals, problems: result.log.total, notes: result.notes.total },
    problems: result.log.shown,
    omitted: result.log.omitted(),
    notes: result.notes.shown,
    omittedNotes: result.notes.omitted(),
  };
}

export interface VerifyOptions {
  json: boolean;
  /** Findings shown per kind (default PROBLEMS_PER_KIND). */
  perKind?: number;
}

/** Runs `offcirc verify`; returns the exit code. `now` is the clock for the future-time check. */
export async function verifyCommand(
  files: string[],
  options: VerifyOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<ExitCode> {
  if (files.length === 0) {
    io.err('offcirc verify: no file given (offcirc verify FILE…)');
    return EXIT.usage;
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
