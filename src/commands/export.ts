/**
 * `offcirc export --format koha FILE --out FILE.koc`: the same transactions in another system's offline
 * format. One streaming pass checks each line and writes its record to a temp file; the temp file becomes
 * --out only if the input had no problem. Flat memory apart from the duplicate check.
 * Exit 0 written, 1 refused because of problems, 2 unknown format or a file could not be read or written.
 */
import { packageVersion } from '../version.js';
import { kohaHeader, kohaRecord } from '../journal/koha.js';
import { lineFacts } from '../journal/parse.js';
import { OutputError, outputRefusal, writeAtomically, type BufferedOut } from './out-file.js';
import {
  EXIT_OK,
  EXIT_UNREADABLE,
  checkFiles,
  exitCode,
  plural,
  refuseOnProblems,
  type CheckResult,
  type Io,
} from './verify.js';

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
): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    io.err(
      `offcirc export: unknown format ${JSON.stringify(options.format)}; the formats are: ${EXPORT_FORMATS.join(', ')}`,
    );
    return EXIT_UNREADABLE;
  }
  const refusal = await outputRefusal(options.out, [file], options.force === true);
  if (refusal) {
    io.err(`offcirc export: ${refusal}`);
    return EXIT_UNREADABLE;
  }

  let result: CheckResult | undefined;
  try {
    await writeAtomically(options.out, async (sink: BufferedOut) => {
      sink.write(kohaHeader(options.generatorVersion ?? packageVersion()));
      // Records of one input chunk are gathered into one string and copied out once: one latin1
      // conversion per chunk instead of one per line.
      let records = '';
      result = await checkFiles([file], {
        now: now(),
        onLine: (_index, content) => {
          records += kohaRecord(lineFacts(content));
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
      return exitCode(result) === EXIT_OK;
    });
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    io.err(`offcirc export: ${error.message}; nothing was written`);
    return EXIT_UNREADABLE;
  }
  if (!result) return EXIT_UNREADABLE;
  const refused = refuseOnProblems(result, io, 'offcirc export', {
    unreadable: `${file} could not be read`,
    problems: `${file} has problems (fix them and export again)`,
  });
  if (refused !== undefined) return refused;
  io.out(
    `${options.out}: ${plural(result.totals.loans, 'issue')} and ${plural(result.totals.returns, 'return')} for Koha (from ${plural(result.totals.lines, 'line')} of ${file})`,
  );
  return EXIT_OK;
}
