/**
 * A Node system error's code in a few plain words staff can act on: the one table, for the journal's
 * write errors and the file tools' read errors. No dependencies.
 */
const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EIO: 'I/O error (a failing disk, or a USB stick removed?)',
  ENODEV: 'the device is gone',
  ENXIO: 'the device is gone',
  ESTALE: 'the network file system lost the file',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EXDEV: 'the destination is on another file system',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'the file system is busy',
};

/** The error code of a Node system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Plain words for `error`'s code; its own message (without a leading "Error: ") where the code is unknown. */
export function errnoWords(error: unknown): string {
  const code = errorCode(error);
  return (
    (code && WORDS[code]) ?? (error instanceof Error ? error.message : String(error)).replace(/^\w+: /, '')
  );
}
