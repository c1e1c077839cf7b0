/**
 * `offcirc merge FILE… --out FILE`: several stations' OffCirc.dat files as one. Each input's own order is
 * kept exactly (Alma applies lines in file order, and a station's clock may go back); the inputs are
 * interleaved by time between them, equal times in the order the inputs were given. Unpadded returns are
 * written in offcirc's padded form. One streaming pass when it can: the k-way merge checks every line on
 * its way into a temp file, which becomes --out only if no input had a problem (else it is removed:
 * nothing is written). When an input needs the two-pass check (common.ts: a binary or unreadable file,
 * an overlong line) or the temp file can't be written, the merge starts again in two passes: verify
 * every input, then merge. Memory: one read buffer per input (chunkFor), 1 MiB blocks of output and 24
 * hours of transactions for the duplicate check, never all the lines.
 * Exit 0 written, 1 refused because of problems, 2 an input can't be read (or changed meanwhile),
 * 64 wrong usage (no input, a bad option, --out exists or is an input), 74 --out can't be written.
 */
import { stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { EXIT, type ExitCode, type Io } from '../exit.js';
import { LINE_ENDINGS, type LineEnding } from '../journal/line.js';
import {
  MergeWriter,
  OrderWatch,
  chooseLineEnding,
  mergeFiles,
  sameFile,
  type WalkedInput,
} from '../journal/merge.js';
import { UnreadableFileError, stampValue } from '../journal/parse.js';
import { OutputError, outputRefusal, writeAtomically } from './out-file.js';
import {
  checkFiles,
  checkInOnePass,
  plural,
  refuseOnProblems,
  type CheckResult,
  type OnePassCheck,
} from './common.js';

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

  const once = await mergeInOnePass(files, options, io, now());
  if (once !== undefined) return once;

  // Each input as it was before the check: the merge reads it again and must find it unchanged.
  const before = await Promise.all(files.map((f) => stat(f, { bigint: true }).catch(() => undefined)));
  const watches = files.map(() => new OrderWatch());
  const result = await checkFiles(files, {
    now: now(),
    onLine: (fileIndex, content) => watches[fileIndex]?.next(stampValue(content)),
  });
  const refused = refuseOnProblems(result, io, 'offcirc merge', REFUSALS);
  if (refused !== undefined) return refused;

  const { ending, differ } = chooseLineEnding(
    result.files.map((f) => f.lineEnding),
    options.lineEnding,
  );
  warn(files, options, io, ending, differ, watches);

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
  return written(files, options, io, result, ending);
}

const REFUSALS = {
  unreadable: 'an input could not be read',
  problems: 'the inputs have problems (fix them and merge again)',
};

/** Says which line ending is written when the inputs' differ, and which inputs go back in time. */
function warn(
  files: readonly string[],
  options: MergeOptions,
  io: Io,
  ending: LineEnding,
  differ: boolean,
  watches: readonly OrderWatch[],
): void {
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
}

/** The closing line of a merge written; exit 0. */
function written(
  files: readonly string[],
  options: MergeOptions,
  io: Io,
  result: CheckResult,
  ending: LineEnding,
): ExitCode {
  io.out(
    `${options.out}: ${plural(result.totals.lines, 'line')} (${plural(result.totals.loans, 'loan')}, ${plural(result.totals.returns, 'return')}) from ${plural(files.length, 'file')}, ${ending.toUpperCase()} line endings`,
  );
  return EXIT.ok;
}

/**
 * The merge in one pass (see the module comment): says and returns what the two-pass merge would, or
 * undefined, having said nothing and written nothing, when the two-pass merge must answer instead. What
 * the check found is said before the temp file becomes --out, and the inputs must still be unchanged
 * then (a station may still be writing one), as the two-pass merge requires until its merge is done.
 */
async function mergeInOnePass(
  files: readonly string[],
  options: MergeOptions,
  io: Io,
  now: Date,
): Promise<ExitCode | undefined> {
  const before = await Promise.all(files.map((f) => stat(f, { bigint: true }).catch(() => undefined)));
  const watches = files.map(() => new OrderWatch());
  let checked: OnePassCheck | undefined;
  let chosen: { ending: LineEnding; differ: boolean } = { ending: 'crlf', differ: false };
  /** Whether anything was said: from then on this merge answers, whatever happens. */
  let said = false;
  let answer: ExitCode | undefined;
  try {
    await writeAtomically(options.out, async (sink) => {
      const writer = new MergeWriter(sink, 'crlf');
      checked = await checkInOnePass(files, {
        now,
        ready: (firstEndings) => {
          chosen = chooseLineEnding(firstEndings, options.lineEnding);
          writer.setEnding(chosen.ending);
        },
        visit: (cursor) => {
          watches[cursor.index]?.next(cursor.stamp);
          return writer.line(cursor);
        },
        beforeRead: () => writer.flush(),
      });
      await writer.flush();
      if (checked === undefined) return false;
      const { result, walked } = checked;
      said = true;
      answer = refuseOnProblems(result, io, 'offcirc merge', REFUSALS);
      if (answer !== undefined) return false;
      warn(files, options, io, chosen.ending, chosen.differ, watches);
      try {
        const after = await Promise.all(files.map((f) => stat(f, { bigint: true }).catch(() => undefined)));
        walked.forEach((input, i) => {
          const file = files[i] ?? '';
          checkUnchanged(file, before[i], input, result.files[i]?.lines);
          const still = after[i];
          if (still === undefined || !sameFile(input.closed, still)) throw new ChangedInputError(file);
        });
      } catch (error) {
        if (!(error instanceof ChangedInputError)) throw error;
        io.err(`offcirc merge: ${error.message} (is a station still writing it?); nothing was written`);
        answer = EXIT.unreadable;
        return false;
      }
      return true;
    });
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    // Nothing said yet (the temp file could not be made or written): the two-pass merge says it all,
    // the inputs' problems first, as it always did.
    if (!said) return undefined;
    io.err(`offcirc merge: ${error.message}; nothing was written`);
    return EXIT.io;
  }
  if (answer !== undefined) return answer;
  if (checked === undefined) return undefined;
  return written(files, options, io, checked.result, chosen.ending);
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
