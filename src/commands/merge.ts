/**
 * `offcirc merge FILE… --out FILE`: several stations' OffCirc.dat files as one, in time order (equal
 * times keep each input's order, inputs in the order given). Verifies every input first and writes
 * nothing if any has a problem. Holds the inputs in memory while merging: their size plus about 60 bytes
 * a line (22 for the order, the rest for the duplicate check); a million lines ≈ 100 MB + 60 MB.
 * Exit 0 written, 1 refused because of problems, 2 an input or the output could not be read or written.
 */
import { stat } from 'node:fs/promises';
import { LINE_ENDINGS } from '../journal/line.js';
import { MergePlan, OrderWatch, chooseLineEnding } from '../journal/merge.js';
import { stampValue } from '../journal/parse.js';
import { OutputError, outputRefusal, writeAtomically } from './out-file.js';
import { EXIT_OK, EXIT_UNREADABLE, checkFiles, plural, refuseOnProblems, type Io } from './verify.js';

export interface MergeOptions {
  out: string;
  /** Replace an existing --out (never an input). */
  force?: boolean;
  /** Line ending of the merged file; default: the inputs' own, CRLF when they differ. */
  lineEnding?: 'crlf' | 'lf';
}

/** Runs `offcirc merge`; returns the exit code. `now` is the clock for the future-time check. */
export async function mergeCommand(
  files: string[],
  options: MergeOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (files.length === 0) {
    io.err('offcirc merge: no input file given (offcirc merge FILE… --out FILE)');
    return EXIT_UNREADABLE;
  }
  if (options.lineEnding !== undefined && !Object.hasOwn(LINE_ENDINGS, options.lineEnding)) {
    io.err(
      `offcirc merge: unknown line ending ${JSON.stringify(options.lineEnding)}, expected "crlf" or "lf"`,
    );
    return EXIT_UNREADABLE;
  }
  const refusal = await outputRefusal(options.out, files, options.force === true);
  if (refusal) {
    io.err(`offcirc merge: ${refusal}`);
    return EXIT_UNREADABLE;
  }

  // One pass per input: check each line and keep a copy of its bytes, so what is merged is exactly
  // what was verified even if a file changes meanwhile.
  const plan = new MergePlan();
  // Sized from the files up front, so holding them costs their size once, not up to twice by doubling.
  const sizes = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  const store = sizes.map((size) => new ByteStore(size));
  const watches = files.map(() => new OrderWatch());
  const result = await checkFiles(files, {
    now: now(),
    onLine: (fileIndex, content, length, _ending, _offset) => {
      const offset = store[fileIndex]?.add(content) ?? 0;
      const stamp = stampValue(content);
      watches[fileIndex]?.next(stamp);
      plan.add(stamp, fileIndex, offset, Math.min(length, content.length));
    },
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
        `offcirc merge: ${files[i]} is not in time order (line ${watch.firstBackwards} is earlier than a line before it; was the clock changed?): its lines are put in time order`,
      );
    }
  });

  const endingBytes = Buffer.from(LINE_ENDINGS[ending], 'latin1');
  const buffers = store.map((s) => s.bytes());
  try {
    await writeAtomically(options.out, async (sink) => {
      for (const i of plan.order()) {
        const { file, offset, length } = plan.line(i);
        const bytes = buffers[file];
        if (!bytes) continue;
        const queued = sink.write(bytes.subarray(offset, offset + length));
        if (sink.write(endingBytes) || queued) await sink.drain();
      }
      return true;
    });
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    io.err(`offcirc merge: ${error.message}; nothing was written`);
    return EXIT_UNREADABLE;
  }
  io.out(
    `${options.out}: ${plural(result.totals.lines, 'line')} (${plural(result.totals.loans, 'loan')}, ${plural(result.totals.returns, 'return')}) from ${plural(files.length, 'file')}, ${ending.toUpperCase()} line endings`,
  );
  return EXIT_OK;
}

/** The lines of one input, copied into one growing buffer (doubling: O(n) amortized). */
class ByteStore {
  private buffer: Buffer;
  private used = 0;

  /** `expected`: the input's size, an upper bound of its lines without endings (it may still grow). */
  constructor(expected: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(expected, 4096));
  }

  /** Appends `content`; returns where it starts. */
  add(content: Uint8Array): number {
    if (this.used + content.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + content.length));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    const at = this.used;
    this.buffer.set(content, at);
    this.used += content.length;
    return at;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}
