/**
 * `offcirc export --format koha FILE --out FILE.koc`: the same transactions in another system's offline
 * format, in the input's own order. One streaming pass checks each line and writes its record to a temp
 * file; the temp file becomes --out only if the input had no problem, for Alma or for Koha (an item over
 * 20 or a patron over 32 characters, more than 60 records in one minute). Bounded memory (see common.ts).
 * Exit 0 written, 1 refused because of problems, 2 the input can't be read, 64 wrong usage (unknown
 * format, --out exists or is the input), 74 --out can't be written.
 */
import { EXIT, type ExitCode, type Io } from '../exit.js';
import { packageVersion } from '../version.js';
import { KohaClock, kohaHeader, kohaLimitProblem, kohaRecord } from '../journal/koha.js';
import { OrderWatch } from '../journal/merge.js';
import { lineFacts, stampValue } from '../journal/parse.js';
import { ProblemLog } from '../journal/verify.js';
import { OutputError, outputRefusal, writeAtomically, type BufferedOut } from './out-file.js';
import {
  PROBLEMS_PER_KIND,
  checkFiles,
  exitCode,
  plural,
  refuseOnProblems,
  type CheckResult,
} from './common.js';

/** The formats export writes. */
export const EXPORT_FORMATS = ['koha'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: string;
  out: string;
  /** Replace an existing --out (never the input). */
  force?: boolean;
  /** Written into the .koc header; default: this package's version. */
  generatorVersion?: string;
}

/** Runs `offcirc export`; returns the exit code. `now` is the clock for the future-time check. */
export async function exportCommand(
  file: string,
  options: ExportOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<ExitCode> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    io.err(
      `offcirc export: unknown format ${JSON.stringify(options.format)}; the formats are: ${EXPORT_FORMATS.join(', ')}`,
    );
    return EXIT.usage;
  }
  const refusal = await outputRefusal(options.out, [file], options.force === true);
  if (refusal) {
    io.err(`offcirc export: ${refusal}`);
    return EXIT.usage;
  }

  let result: CheckResult | undefined;
  // Koha's own limits go into the check's log, each after the line's own problems.
  const log = new ProblemLog(PROBLEMS_PER_KIND);
  const watch = new OrderWatch();
  try {
    await writeAtomically(options.out, async (sink: BufferedOut) => {
      sink.write(kohaHeader(options.generatorVersion ?? packageVersion()));
      // Records of one input chunk are gathered into one string and copied out once: one latin1
      // conversion per chunk instead of one per line.
      let records = '';
      const clock = new KohaClock();
      let line = 0;
      result = await checkFiles([file], {
        now: now(),
        log,
        onLine: (_index, content) => {
          line++;
          const facts = lineFacts(content);
          watch.next(stampValue(content));
          const second = clock.next(facts.time);
          const limit = kohaLimitProblem(facts);
          if (limit) log.add({ file, line, ...limit });
          else if (second === undefined) {
            log.add({
              file,
              line,
              code: 'koha-order',
              message: `more than 60 transactions in the minute ${facts.time.slice(8, 10)}:${facts.time.slice(10, 12)}: Koha orders by whole seconds, so their order can't be kept`,
            });
          } else records += kohaRecord(facts, second);
        },
        afterChunk: () => {
          sink.write(records);
          records = '';
          // Blocks queued for this chunk are written before the next chunk is read.
          return sink.drain();
        },
      });
      // The last line may come only at the end of the input (no line ending), after the last chunk.
      sink.write(records);
      return exitCode(result) === EXIT.ok;
    });
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    io.err(`offcirc export: ${error.message}; nothing was written`);
    return EXIT.io;
  }
  if (!result) return EXIT.internal;
  const refused = refuseOnProblems(result, io, 'offcirc export', {
    unreadable: `${file} could not be read`,
    problems: `${file} has problems (fix them and export again)`,
  });
  if (refused !== undefined) return refused;
  if (watch.firstBackwards !== undefined) {
    io.err(
      `offcirc export: ${file}: its times go backwards (line ${watch.firstBackwards} is earlier than the line before it; was the clock changed?): the records are written in file order, but Koha applies them by time alone`,
    );
  }
  io.out(
    `${options.out}: ${plural(result.totals.loans, 'issue')} and ${plural(result.totals.returns, 'return')} for Koha (from ${plural(result.totals.lines, 'line')} of ${file})`,
  );
  return EXIT.ok;
}
