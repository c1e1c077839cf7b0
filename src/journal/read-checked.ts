/**
 * Reads one OffCirc.dat through a LineChecker, the way every file tool does: a binary file is said as a
 * problem and not read further, each line goes to the checker and then to `onLine`, and a file that
 * can't be read comes back as its reason. O(file) time, flat memory (1 MiB reads).
 */
import { LineSplitter, readChunks, UnreadableFileError, type SeenEnding } from './parse.js';
import { sniffBinary } from './sniff.js';
import type { LineChecker } from './verify.js';

export interface ReadCheckedOptions {
  onLine?: (content: Uint8Array, length: number, ending: SeenEnding, offset: number) => void;
  /** After each chunk: a caller writing output flushes here (back-pressure). */
  afterChunk?: () => Promise<void> | undefined;
}

export async function readChecked(
  file: string,
  checker: LineChecker,
  options: ReadCheckedOptions = {},
): Promise<{ binary: boolean; error?: string }> {
  const splitter = new LineSplitter((content, length, ending, offset) => {
    checker.check(content, length, ending);
    options.onLine?.(content, length, ending, offset);
  });
  let first = true;
  let binary = false;
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
    return { binary, error: caught.reason };
  }
  return { binary };
}
