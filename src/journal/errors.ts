/**
 * The journal's two failures, in words staff can act on: someone else holds the journal, or the disk
 * won't take the line (and why, from the system error code).
 */
import { errnoWords, errorCode } from '../errno.js';

/** Another live offcirc writes this journal; two writers would interleave and duplicate lines. */
export class JournalLockedError extends Error {
  override readonly name = 'JournalLockedError';
  /** What callers decide on (run's exit code 73): a field, not the class. */
  readonly kind = 'in-use' as const;
  constructor(
    /** The journal (not the lock file). */
    readonly file: string,
    readonly pid: number,
  ) {
    super(`journal ${file} is in use by another offcirc (pid ${pid}); stop that one first`);
  }
}

/** Writing (or preparing to write) the journal failed; nothing of the line stayed in the file. */
export class JournalWriteError extends Error {
  override readonly name = 'JournalWriteError';
  /** The system error code (ENOSPC, EROFS, …) when there was one. */
  readonly code: string | undefined;
  /** The plain reason alone, e.g. "disk full". */
  readonly reason: string;
  /** The file or folder the failing operation was on. */
  readonly file: string;

  constructor(reason: string, action: string, file: string, code?: string, cause?: unknown) {
    super(
      code === 'EUNSAFE'
        ? `${action} ${file} refused: ${reason}`
        : `${reason}${code ? ` (${code})` : ''} ${action} ${file}`,
      cause === undefined ? undefined : { cause },
    );
    this.reason = reason;
    this.code = code;
    this.file = file;
  }
}

export { errorCode };

/** Turns any failure of `action` ("writing", "opening", …) on `file` into a JournalWriteError. */
export function writeError(error: unknown, action: string, file: string): JournalWriteError {
  if (error instanceof JournalWriteError) return error;
  const code = errorCode(error);
  // A file offcirc refused (safe-file.ts): its reason is already in plain words.
  if (code === 'EUNSAFE') {
    const refused = error as { file?: unknown; reason?: unknown };
    const about = typeof refused.file === 'string' ? refused.file : file;
    const reason = typeof refused.reason === 'string' ? refused.reason : String(error);
    return new JournalWriteError(reason, action, about, code, error);
  }
  return new JournalWriteError(errnoWords(error), action, file, code, error);
}
