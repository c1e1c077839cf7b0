/**
 * `offcirc merge FILE… --out FILE`: several stations' OffCirc.dat files as one. Each input's own order is
 * kept exactly (Alma applies lines in file order, and a station's clock may go back); the inputs are
 * interleaved by time between them, equal times in the order the inputs were given. Unpadded returns are
 * written in offcirc's padded form. Two streaming passes: verify every input (nothing is written if one
 * has a problem), then a k-way merge into a temp file that becomes --out. Memory: one 64 KiB buffer per
 * input and 24 hours of transactions for the duplicate check, never all the lines.
 * Exit 0 written, 1 refused because of problems, 2 an input can't be read (or changed meanwhile),
 * 64 wrong usage (no input, a bad option, --out exists or is an input), 74 --out can't be written.
 */
import { stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { EXIT, type ExitCode, type Io } from '../exit.js';
import { LINE_ENDINGS } from '../journal/line.js';
import { OrderWatch, chooseLineEnding, mergeFiles, sameFile, type WalkedInput } from '../journal/merge.js';
import { UnreadableFileError, stampValue } from '../journal/parse.js';
import { OutputError, outputRefusal, writeAtomically } from './out-file.js';
import { checkFiles, plural, refuseOnProblems } from './common.js';

export interface MergeOptions {
  out: string;
  /** Replace an existing --out (never an input). */
  force?: boolean;
  /** Line ending of the merged file; default: the inputs' own, CRLF when they differ. */
  lineEnding?: 'crlf' | 'lf';
}

/** An input changed between the check and the merge: what was verified is not what would be written. */
class ChangedInputError extends Error {
  constructor(readonly file: string) {
    super(`${file} changed while it was being merged`);
  }
}

/** Runs `offcirc merge`; returns the exit code. `now` is the clock for the future-time check. */
export async function mergeCommand(
  files: string[],
  options: MergeOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<ExitCode> {
  if (files.length === 0) {
    io.err('offcirc merge: no input file given (offcirc merge FILE… --out FILE)');
    return EXIT.usage;
  }
  if (options.lineEnding !== undefined && !Object.hasOwn(LINE_ENDINGS, options.lineEnding)) {
    io.err(
      `offcirc merge: unknown line ending ${JSON.stringify(options.lineEnding)}, expected "crlf" or "lf"`,
    );
    return EXIT.usage;
  }
  const refusal = await outputRefusal(options.out, files, options.force === true);
  if (refusal) {
    io.err(`offcirc merge: ${refusal}`);
    return EXIT.usage;
  }

  // Each input as it was before the check: the merge reads it again and must find it unchanged.
  const before = await Promise.all(files.map((f) => stat(f, { bigint: true }).catch(() => undefined)));
  const watches = files.map(() => new OrderWatch());
  const result = await checkFiles(files, {
    now: now(),
    onLine: (fileIndex, content) => watches[fileIndex]?.next(stampValue(content)),
  });
  const refused = refuseOnProblems(result, io, 'offcirc merge', {
    unreadable: 'an input could not be read',
    problems: 'the inputs have problems (fix them and merge again)',
  });
  if (refused !== undefined) return refused;

  const { ending, differ } = chooseLineEnding(
    result.files.map((f) => f.lineEnding),
    options.lineEnding,
  );
  if (differ && options.lineEnding === undefined) {
    io.err(
      `offcirc merge: the inputs use different line endings; writing ${ending.toUpperCase()} (--line-ending to choose)`,
    );
  }
  watches.forEach((watch, i) => {
    if (watch.firstBackwards !== undefined) {
      io.err(
        `offcirc merge: ${files[i]}: its times go backwards (line ${watch.firstBackwards} is earlier than the line before it${watch.backwards > 1 ? `, ${plural(watch.backwards - 1, 'more line')} like it` : ''}; was the clock changed?): its lines are kept in their own order`,
      );
    }
  });

  try {
    await writeAtomically(options.out, async (sink) => {
      const merged = await mergeFiles(files, sink, ending);
      merged.forEach((input, i) => checkUnchanged(files[i] ?? '', before[i], input, result.files[i]?.lines));
      return true;
    });
  } catch (error) {
    if (error instanceof ChangedInputError) {
      io.err(`offcirc merge: ${error.message} (is a station still writing it?); nothing was written`);
      return EXIT.unreadable;
    }
    if (error instanceof UnreadableFileError) {
      io.err(`offcirc merge: ${error.message}; nothing was written`);
      return EXIT.unreadable;
    }
    if (!(error instanceof OutputError)) throw error;
    io.err(`offcirc merge: ${error.message}; nothing was written`);
    return EXIT.io;
  }
  io.out(
    `${options.out}: ${plural(result.totals.lines, 'line')} (${plural(result.totals.loans, 'loan')}, ${plural(result.totals.returns, 'return')}) from ${plural(files.length, 'file')}, ${ending.toUpperCase()} line endings`,
  );
  return EXIT.ok;
}

/** Throws ChangedInputError unless the input read by the merge is the one checked, unchanged. */
function checkUnchanged(
  file: string,
  checked: BigIntStats | undefined,
  merged: WalkedInput,
  lines: number | undefined,
): void {
  const same =
    checked !== undefined &&
    sameFile(checked, merged.opened) &&
    sameFile(merged.opened, merged.closed) &&
    merged.lines === lines;
  if (!same) throw new ChangedInputError(file);
}
