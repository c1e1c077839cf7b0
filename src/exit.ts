/**
 * The one table of exit codes every command uses (the README's), and the one `Io` they print through.
 * Codes follow sysexits where one fits.
 */
export const EXIT = {
  /** Done; for `verify`, no problems (notes may have been printed). */
  ok: 0,
  /** `verify`, `merge`, `export`: a file has problems Alma would reject or misapply. */
  problems: 1,
  /** `verify`, `merge`, `export`: an input file can't be read. */
  unreadable: 2,
  /** Wrong usage: an unknown option or format, a missing argument, an output that exists without --force. */
  usage: 64,
  /** An internal error (a bug): the message and stack go to standard error. */
  internal: 70,
  /** The journal is in use by another offcirc. */
  inUse: 73,
  /** The journal (or another file offcirc must write) can't be opened or written. */
  io: 74,
  /** The config is bad. */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command prints: standard output and standard error, or a test's capture. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}
